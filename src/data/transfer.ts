// Progress reporting and cancellation shared by the long imports and exports.

export type TransferPhase = 'reading' | 'checking' | 'writing' | 'encoding' | 'decoding';

export interface TransferProgress {
  readonly phase: TransferPhase;
  /** Of the whole operation, 0..1, never decreasing. */
  readonly fraction: number;
}

export interface TransferOptions {
  readonly onProgress?: (p: TransferProgress) => void;
  /** Abort to cancel: the operation rejects with DataError 'cancelled' and leaves the library as it was. */
  readonly signal?: AbortSignal;
}

/** Reports progress with a monotonic fraction, at most ~100 times per operation. */
export function progressReporter(onProgress: TransferOptions['onProgress']): (phase: TransferPhase, fraction: number) => void {
  let last = -1;
  let lastPhase: TransferPhase | null = null;
  return (phase, fraction) => {
    if (!onProgress) return;
    const f = Math.min(1, Math.max(last, fraction));
    if (phase === lastPhase && f - last < 0.01 && f < 1) return;
    last = f;
    lastPhase = phase;
    onProgress({ phase, fraction: f });
  };
}
