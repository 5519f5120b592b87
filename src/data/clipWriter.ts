// The recorder's side of a clip being recorded: it copies each step into the one chunk it
// holds and writes the chunk (frames, labels and the updated meta, in one transaction) as it
// fills, or sooner once `maxUnflushedMs` has passed, so a closed tab loses at most that much.
// When the quota is reached it stops, keeps what was saved and reports a StorageFullError.

import { ChunkBuilder } from './chunkBuilder.ts';
import type { ClipDb } from './clipDb.ts';
import { deleteClipRecords, runWrite } from './clipDb.ts';
import type { ClipMeta, LabelRow, Thumbnail } from './clipTypes.ts';
import { byteSizeOf } from './clipTypes.ts';
import { DataError, StorageFullError } from './dataErrors.ts';
import { makeThumbnail } from './thumbnail.ts';

export interface RecordedStep {
  /** One RGB frame (width x height x 3, row 0 at the top) per camera, in the clip's camera order. */
  readonly frames: readonly Uint8Array[];
  readonly labels: LabelRow;
}

/** recording: takes steps; stopped: a write failed (see error); finished: finish() or discard() ran. */
export type WriterState = 'recording' | 'stopped' | 'finished';

export interface ClipWriter {
  readonly clipId: string;
  readonly state: WriterState;
  /** The error that stopped recording, if any (StorageFullError when the quota was reached). */
  readonly error: DataError | null;
  /** Steps passed to append(). */
  readonly appendedSteps: number;
  /** Steps confirmed written to IndexedDB. */
  readonly savedSteps: number;
  /** Writes issued and not yet committed. */
  readonly pendingWrites: number;
  /** Bytes of frames and labels the writer itself holds: always one chunk's worth. */
  readonly heldBytes: number;
  /**
   * Copies one step in (the caller may reuse its buffers right after). Writes the chunk when
   * full or when maxUnflushedMs passed since the last write, without waiting for it. Throws
   * DataError for a malformed step (nothing recorded), or the stopping error once stopped.
   */
  append(step: RecordedStep): void;
  /** Writes any buffered steps and waits for every write. Call on pause and on pagehide. */
  flush(): Promise<void>;
  /** Flushes and marks the clip complete. Rejects with the stopping error if recording stopped. */
  finish(): Promise<ClipMeta>;
  /** Stops and deletes the clip with everything written. */
  discard(): Promise<void>;
}

export interface WriterContext {
  readonly db: ClipDb;
  readonly meta: ClipMeta;
  /** Milliseconds, any origin. */
  readonly clock: () => number;
  readonly maxUnflushedMs: number;
  readonly onStopped?: (error: DataError) => void;
  /** Called once the writer is finished or stopped, so the store forgets it. */
  readonly onEnded: (clipId: string) => void;
}

export function createClipWriter(ctx: WriterContext): ClipWriter {
  const { db, meta, clock } = ctx;
  const clipId = meta.id;
  const builder = new ChunkBuilder(meta);
  const pending = new Set<Promise<void>>();
  let state: WriterState = 'recording';
  let error: DataError | null = null;
  let stopped: Promise<void> | null = null;
  let appended = 0;
  /** Steps covered by the writes issued so far: the frameCount the last issued write leaves. */
  let issued = 0;
  let saved = 0;
  let lastWriteAt = clock();
  let thumbnail: Thumbnail | null = null;
  let finalMeta: ClipMeta | null = null;

  const settle = async (): Promise<void> => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };

  function issueWrite(): void {
    const { chunk, labels } = builder.records(clipId);
    const prev = issued;
    const next = builder.totalSteps;
    issued = next;
    lastWriteAt = clock();
    const thumb = thumbnail;
    // runWrite makes the puts synchronously (IndexedDB clones the values right then), so the
    // builder may refill its buffers as soon as this returns.
    const write = runWrite(db, ['clips', 'chunks', 'labels'], 'saving recorded frames', async (tx) => {
      const puts = [tx.objectStore('chunks').put(chunk), tx.objectStore('labels').put(labels)];
      const [stored] = await Promise.all([tx.objectStore('clips').get(clipId), ...puts]);
      if (!stored) throw new DataError('not-found', 'the clip was deleted while it was being recorded');
      if (stored.frameCount !== prev) {
        throw new DataError('storage', `an earlier write of this clip failed (stored ${stored.frameCount} steps, expected ${prev})`);
      }
      const updated: ClipMeta = {
        ...stored,
        frameCount: next,
        byteSize: byteSizeOf({ ...stored, frameCount: next }),
        thumbnail: stored.thumbnail ?? thumb,
      };
      await tx.objectStore('clips').put(updated);
      return updated;
    }).then(
      () => {
        saved = Math.max(saved, next);
      },
      (e: unknown) => stop(e as DataError),
    );
    pending.add(write);
    void write.finally(() => pending.delete(write));
  }

  /** First failure wins: stop taking steps, let issued writes settle, close the clip as it is. */
  function stop(e: DataError): void {
    if (state !== 'recording') return;
    state = 'stopped';
    error = e;
    stopped = (async () => {
      await settle();
      let kept = saved;
      try {
        finalMeta = await markComplete();
        kept = finalMeta.frameCount;
      } catch {
        // cannot even update the meta: the clip stays "incomplete", consistent and recoverable
      }
      const seconds = (kept / meta.rateHz).toFixed(1);
      error =
        e.code === 'not-found'
          ? e
          : e instanceof StorageFullError
          ? new StorageFullError(
              `Storage is full: recording stopped. The first ${kept} frames (${seconds} s) are saved; delete or export clips to free space.`,
              kept,
              { cause: e.cause ?? e },
            )
          : new DataError(e.code, `Recording stopped: ${e.message}. The first ${kept} frames (${seconds} s) are saved.`, { cause: e });
      ctx.onEnded(clipId);
      ctx.onStopped?.(error);
    })();
  }

  function markComplete(): Promise<ClipMeta> {
    return runWrite(db, ['clips'], 'finishing the clip', async (tx) => {
      const stored = await tx.objectStore('clips').get(clipId);
      if (!stored) throw new DataError('not-found', 'the clip was deleted while it was being recorded');
      const done: ClipMeta = { ...stored, complete: true };
      await tx.objectStore('clips').put(done);
      return done;
    });
  }

  function refuseUnlessRecording(): void {
    if (state === 'stopped') throw error!;
    if (state === 'finished') throw new DataError('invalid-input', 'this recording is finished');
  }

  function append(step: RecordedStep): void {
    refuseUnlessRecording();
    builder.pushRecorded(step.frames, step.labels);
    if (appended === 0) thumbnail = makeThumbnail(step.frames[0], meta.frameWidth, meta.frameHeight);
    appended++;
    if (builder.full) {
      issueWrite();
      builder.next();
    } else if (clock() - lastWriteAt >= ctx.maxUnflushedMs) {
      issueWrite();
    }
  }

  async function flush(): Promise<void> {
    if (state === 'recording' && appended > issued) issueWrite();
    await settle();
    if (stopped) {
      await stopped;
      throw error!;
    }
  }

  async function finish(): Promise<ClipMeta> {
    if (finalMeta && state === 'finished') return finalMeta;
    await flush();
    if (state !== 'recording') throw new DataError('invalid-input', 'this recording is finished');
    state = 'finished';
    try {
      finalMeta = await markComplete();
      return finalMeta;
    } finally {
      ctx.onEnded(clipId);
    }
  }

  async function discard(): Promise<void> {
    if (state === 'recording') state = 'finished';
    await settle();
    if (stopped) await stopped;
    await deleteClipRecords(db, clipId);
    ctx.onEnded(clipId);
  }

  return {
    clipId,
    get state() {
      return state;
    },
    get error() {
      return error;
    },
    get appendedSteps() {
      return appended;
    },
    get savedSteps() {
      return saved;
    },
    get pendingWrites() {
      return pending.size;
    },
    get heldBytes() {
      return builder.heldBytes;
    },
    append,
    flush,
    finish,
    discard,
  };
}
