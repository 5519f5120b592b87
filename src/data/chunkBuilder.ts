// Fills one chunk of steps at a time (frames + packed label rows) in buffers allocated once,
// and hands each chunk out as the two records IndexedDB stores. Used by the recorder and by
// both importers, so a clip's chunking is the same however it was made.

import type { ChunkRecord, LabelRecord } from './clipDb.ts';
import type { CameraSpec, LabelRow } from './clipTypes.ts';
import { frameBytes, labelRowWidth, packLabelRow } from './clipTypes.ts';
import { DataError } from './dataErrors.ts';

export interface ChunkShape {
  readonly frameWidth: number;
  readonly frameHeight: number;
  readonly cameras: readonly CameraSpec[];
  readonly chunkSteps: number;
}

export class ChunkBuilder {
  /** Frames of the current chunk (owned; reused for every chunk). */
  readonly frames: Uint8Array;
  /** Packed label rows of the current chunk (owned; reused). */
  readonly rows: Float64Array;
  readonly frameBytes: number;
  readonly stepBytes: number;
  readonly rowWidth: number;
  /** Index of the chunk being filled. */
  index = 0;
  /** Steps in the chunk being filled. */
  count = 0;

  constructor(readonly shape: ChunkShape) {
    this.frameBytes = frameBytes(shape);
    this.stepBytes = this.frameBytes * shape.cameras.length;
    this.rowWidth = labelRowWidth(shape.cameras.length);
    this.frames = new Uint8Array(shape.chunkSteps * this.stepBytes);
    this.rows = new Float64Array(shape.chunkSteps * this.rowWidth);
  }

  get full(): boolean {
    return this.count === this.shape.chunkSteps;
  }

  /** Steps before the current chunk plus those in it. */
  get totalSteps(): number {
    return this.index * this.shape.chunkSteps + this.count;
  }

  /** Bytes this builder holds: one chunk's frames and labels. */
  get heldBytes(): number {
    return this.frames.byteLength + this.rows.byteLength;
  }

  /**
   * Adds one recorded step after checking every frame's size and every label; on a refusal
   * nothing is added. NOTE mutates the buffers.
   */
  pushRecorded(frames: readonly Uint8Array[], labels: LabelRow): void {
    const { cameras } = this.shape;
    if (this.full) throw new DataError('invalid-input', 'chunk is full: take its records first');
    if (frames.length !== cameras.length) {
      throw new DataError('invalid-input', `expected ${cameras.length} frame(s) per step (one per camera), got ${frames.length}`);
    }
    for (let c = 0; c < frames.length; c++) {
      if (!(frames[c] instanceof Uint8Array) || frames[c].byteLength !== this.frameBytes) {
        throw new DataError(
          'frame-size',
          `the '${cameras[c].id}' frame has ${frames[c]?.byteLength} bytes; a ${this.shape.frameWidth}x${this.shape.frameHeight} RGB frame has ${this.frameBytes}`,
        );
      }
    }
    packLabelRow(labels, cameras, this.rows, this.count * this.rowWidth);
    const base = this.count * this.stepBytes;
    for (let c = 0; c < frames.length; c++) this.frames.set(frames[c], base + c * this.frameBytes);
    this.count++;
  }

  /** Adds one step from already checked data: all cameras' frames and one packed row. */
  pushPacked(stepFrames: Uint8Array, row: Float64Array): void {
    if (this.full) throw new DataError('invalid-input', 'chunk is full: take its records first');
    this.frames.set(stepFrames, this.count * this.stepBytes);
    this.rows.set(row, this.count * this.rowWidth);
    this.count++;
  }

  /**
   * The current chunk as records. A full chunk shares the builder's buffers (IndexedDB clones
   * a value when put() is called, so the caller must put them before pushing again); a
   * partial one is copied so only its steps are stored.
   */
  records(clipId: string): { chunk: ChunkRecord; labels: LabelRecord } {
    const { count, index } = this;
    const frames = this.full ? this.frames : this.frames.slice(0, count * this.stepBytes);
    const rows = this.full ? this.rows : this.rows.slice(0, count * this.rowWidth);
    return {
      chunk: { clipId, index, count, frames },
      labels: { clipId, index, count, rows },
    };
  }

  /** Starts the next chunk. */
  next(): void {
    this.index++;
    this.count = 0;
  }
}
