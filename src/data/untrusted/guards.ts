// The checks every import shares: an entry's declared sizes against the caps, bounded inflate
// (stops as soon as the output passes what the entry declared), capped text decoding, and the
// declared dimensions of an image read from its header before any decoder sees it.

import { Inflate } from 'fflate';
import { boundedInflate, InflateCapError } from '../../core/boundedInflate.ts';
import { DataError } from '../dataErrors.ts';
import { ZIP_MAX_ENTRY_BYTES, ZIP_MAX_RATIO, ZIP_RATIO_FLOOR_BYTES } from './limits.ts';

export interface EntrySizes {
  readonly name: string;
  readonly compressedSize: number;
  readonly size: number;
}

const refuse = (why: string): DataError => new DataError('bad-archive', why);

/** Refuses an entry whose declared size passes `cap` or whose ratio looks like a bomb. */
export function checkEntrySizes(e: EntrySizes, cap = ZIP_MAX_ENTRY_BYTES): void {
  if (e.size > cap) throw refuse(`'${e.name}' declares ${e.size} bytes; at most ${cap} are read from one file`);
  if (e.size > ZIP_RATIO_FLOOR_BYTES && e.size > e.compressedSize * ZIP_MAX_RATIO) {
    throw refuse(`'${e.name}' would inflate ${Math.round(e.size / Math.max(1, e.compressedSize))} times (at most ${ZIP_MAX_RATIO}): a decompression bomb`);
  }
}

/** Inflates raw deflate data that must come to exactly `size` bytes, never holding more. */
export function inflateExactly(raw: Uint8Array, size: number, name: string): Uint8Array {
  let data: Uint8Array;
  try {
    data = boundedInflate(raw, size, () => new Inflate(), size);
  } catch (e) {
    if (e instanceof InflateCapError) throw refuse(`'${name}' inflates to more than the ${size} bytes it declares`);
    throw refuse(`the file is not a readable zip archive (corrupt or truncated): '${name}' does not decompress (${(e as Error).message})`);
  }
  if (data.length !== size) throw refuse(`the file is not a readable zip archive (corrupt or truncated): '${name}' inflates to ${data.length} bytes, not the ${size} it declares`);
  return data;
}

/** UTF-8 text of at most `cap` bytes (checked before decoding). */
export function capText(bytes: Uint8Array, cap: number, what: string, code: 'bad-manifest' | 'bad-csv' = 'bad-manifest'): string {
  if (bytes.length > cap) throw new DataError(code, `${what} is ${bytes.length} bytes; at most ${cap} are read`);
  return new TextDecoder('utf-8').decode(bytes);
}

/** Width and height a PNG, JPEG or binary PPM declares in its header, or null if it is none of them. */
export function imageDimensions(b: Uint8Array): { width: number; height: number } | null {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length >= 2 && b[0] === 0x50 && b[1] === 0x36) {
    const head = new TextDecoder('latin1').decode(b.subarray(0, 64)).replace(/#[^\n]*\n/g, ' ');
    const m = /^P6\s+(\d{1,9})\s+(\d{1,9})\s/.exec(head);
    return m ? { width: Number(m[1]), height: Number(m[2]) } : null;
  }
  if (b.length >= 24 && v.getUint32(0) === 0x89504e47 && v.getUint32(12) === 0x49484452) return { width: v.getUint32(16), height: v.getUint32(20) };
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let p = 2;
    while (p + 9 < b.length) {
      if (b[p] !== 0xff) return null;
      const marker = b[p + 1];
      if (marker === 0xff) {
        p++;
        continue;
      }
      const len = v.getUint16(p + 2);
      // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return { width: v.getUint16(p + 7), height: v.getUint16(p + 5) };
      if (len < 2) return null;
      p += 2 + len;
    }
    return null;
  }
  return null;
}
