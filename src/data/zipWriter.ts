// Writes a zip archive file by file (fflate's streaming Zip), gathering the output into a
// Blob as it goes so a large export holds little more than one file in JS memory at a time.

import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { DataError, describeError } from './dataErrors.ts';

/** Gather output into a Blob part whenever this many bytes are pending. */
const PART_BYTES = 32 * 1024 * 1024;

export class ZipWriter {
  private readonly zip: Zip;
  private readonly blobs: Blob[] = [];
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private failure: unknown = null;
  private ended = false;
  /** Bytes of archive produced so far. */
  bytesOut = 0;

  /**
   * @param level deflate level 0..9; 0 stores files as they are (fastest).
   * @param mtime modification time stamped on every file, ms since the epoch (>= 1980).
   */
  constructor(
    private readonly level: number,
    private readonly mtime: number,
  ) {
    this.zip = new Zip((err, chunk, final) => {
      if (err) {
        this.failure = err;
        return;
      }
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      this.bytesOut += chunk.length;
      if (this.pendingBytes >= PART_BYTES || final) this.gather();
      if (final) this.ended = true;
    });
  }

  private gather(): void {
    if (this.pending.length === 0) return;
    this.blobs.push(new Blob(this.pending as BlobPart[]));
    this.pending = [];
    this.pendingBytes = 0;
  }

  private check(): void {
    if (this.failure) throw new DataError('storage', `writing the zip failed: ${describeError(this.failure)}`, { cause: this.failure });
  }

  /** Adds one file; `level` overrides the archive's level (0 for data that does not compress). */
  add(name: string, data: Uint8Array, level = this.level): void {
    const file = level > 0 ? new ZipDeflate(name, { level: level as 1 }) : new ZipPassThrough(name);
    file.mtime = this.mtime;
    this.zip.add(file);
    file.push(data, true);
    this.check();
  }

  finish(): Blob {
    this.zip.end();
    this.check();
    if (!this.ended) throw new DataError('storage', 'writing the zip failed: the archive did not end');
    this.gather();
    return new Blob(this.blobs, { type: 'application/zip' });
  }
}
