// The typed errors of the data layer: every refusal names its problem in a sentence a player
// can read, and carries a code the UI can branch on.

export type DataErrorCode =
  | 'invalid-input' // a caller passed something the schema refuses (frame size, label range, ...)
  | 'not-found' // no clip with that id
  | 'storage-full' // the browser refused a write: quota reached
  | 'storage' // any other IndexedDB failure
  | 'unsupported-version' // a database or archive written by a newer (or unknown) version
  | 'closed' // the store was closed, or another tab upgraded the database
  | 'bad-archive' // not a zip, truncated, or a checksum mismatch
  | 'empty-archive'
  | 'bad-manifest'
  | 'bad-csv'
  | 'frame-count' // frames and labels disagree on the number of steps
  | 'frame-size' // a frame (or frame file) has the wrong number of bytes or pixels
  | 'cancelled';

export class DataError extends Error {
  override name = 'DataError';
  constructor(
    readonly code: DataErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The browser's storage quota is reached. Recording stops; every step flushed before the
 * failing write is kept and the clip stays consistent (`savedSteps` of them).
 */
export class StorageFullError extends DataError {
  override name = 'StorageFullError';
  constructor(
    message: string,
    readonly savedSteps: number,
    options?: { cause?: unknown },
  ) {
    super('storage-full', message, options);
  }
}

export function isDataError(e: unknown, code?: DataErrorCode): e is DataError {
  return e instanceof DataError && (code === undefined || e.code === code);
}

/** True for the quota errors browsers raise (Firefox once used its own name). */
export function isQuotaError(e: unknown): boolean {
  const name = (e as { name?: unknown } | null)?.name;
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED';
}

export function describeError(e: unknown): string {
  if (e instanceof Error) return e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message;
  return String(e);
}

/** Throws the standard cancellation error if the signal has fired. */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new DataError('cancelled', `${what} was cancelled`);
}
