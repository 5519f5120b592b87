// Inflate with a hard output cap: the compressed input is fed in small pieces and inflation
// stops as soon as the output passes the cap, so a deflate bomb costs at most the cap plus one
// piece's worth of output, never its declared or eventual size. The decompressor is injected
// (fflate's streaming Inflate in data and scoring), since core depends on no library.

export interface InflateStreamLike {
  ondata: (chunk: Uint8Array<ArrayBuffer>, final: boolean) => void;
  push(chunk: Uint8Array, final?: boolean): void;
}


/** The output passed its cap: the input was refused part-way. */
export class InflateCapError extends Error {
  override name = 'InflateCapError';
  constructor(readonly cap: number) {
    super(`it inflates to more than ${cap} bytes`);
  }
}

/**
 * Compressed bytes per push: deflate expands at most ~1032x, so one piece adds at most ~1 MiB
 * of output before the cap is checked again.
 */
export const INFLATE_PIECE_BYTES = 1024;

/**
 * Inflates raw deflate `data`, throwing InflateCapError once the output exceeds `cap` bytes.
 * `expected` (at most `cap`) sizes the output buffer up front when the size is known.
 * `pieceBytes`: compressed bytes per push (a push costs fflate ~160 KiB of buffers, so a hot
 * caller may push more at once, allowing up to ~1032x the piece past the cap).
 */
export function boundedInflate(data: Uint8Array, cap: number, makeInflater: () => InflateStreamLike, expected?: number, pieceBytes = INFLATE_PIECE_BYTES): Uint8Array {
  let out = new Uint8Array(Math.min(cap, expected ?? Math.max(1024, data.length * 4)));
  let n = 0;
  const inflater = makeInflater();
  inflater.ondata = (chunk) => {
    if (n + chunk.length > cap) throw new InflateCapError(cap);
    if (n + chunk.length > out.length) {
      const bigger = new Uint8Array(Math.min(cap, Math.max(out.length * 2, n + chunk.length)));
      bigger.set(out.subarray(0, n));
      out = bigger;
    }
    out.set(chunk, n);
    n += chunk.length;
  };
  if (data.length === 0) inflater.push(data, true);
  for (let p = 0; p < data.length; p += pieceBytes) {
    const end = Math.min(data.length, p + pieceBytes);
    inflater.push(data.subarray(p, end), end === data.length);
  }
  return out.subarray(0, n);
}
