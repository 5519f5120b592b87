// Nasty inputs for the fuzz tests and the fixture corpus (tests and fixture generation only):
// deflate bombs built bit by bit, zips that lie about their sizes, images that declare huge
// dimensions. Nothing here ships in the app bundle.

import { strToU8, zipSync } from 'fflate';

/**
 * Raw deflate of about `compressedBytes` bytes that inflates ~1000x: one fixed-Huffman block
 * of a zero literal followed by <length 258, distance 1> copies (13 bits each).
 */
export function deflateBomb(compressedBytes: number): Uint8Array {
  const out = new Uint8Array(compressedBytes + 8);
  let bit = 0;
  const put = (value: number, n: number): void => {
    for (let i = 0; i < n; i++, bit++) if ((value >> i) & 1) out[bit >> 3] |= 1 << (bit & 7);
  };
  const putCode = (code: number, n: number): void => {
    for (let i = n - 1; i >= 0; i--, bit++) if ((code >> i) & 1) out[bit >> 3] |= 1 << (bit & 7);
  };
  put(1, 1); // final block
  put(1, 2); // fixed Huffman
  putCode(0x30, 8); // literal 0
  const runs = Math.floor((compressedBytes * 8 - 30) / 13);
  for (let r = 0; r < runs; r++) {
    putCode(0xc5, 8); // length code 285: 258 bytes
    putCode(0, 5); // distance code 0: 1 byte back
  }
  putCode(0, 7); // end of block
  return out.subarray(0, (bit + 7) >> 3);
}

/** Bytes a deflateBomb of `compressedBytes` inflates to. */
export function deflateBombSize(compressedBytes: number): number {
  return 1 + 258 * Math.floor((compressedBytes * 8 - 30) / 13);
}

/** A stored-method zip of `files`, then `patch` applied to its central directory entries' sizes. */
export function zipWithDeclaredSize(files: Record<string, Uint8Array>, name: string, declared: number, level: 0 | 9 = 9): Uint8Array {
  const zip = zipSync(files, { level });
  const v = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  for (let p = 0; p + 46 <= zip.length; p++) {
    if (v.getUint32(p, true) !== 0x02014b50) continue;
    const nameLen = v.getUint16(p + 28, true);
    const entry = new TextDecoder().decode(zip.subarray(p + 46, p + 46 + nameLen));
    if (entry === name) v.setUint32(p + 24, declared, true);
  }
  return zip;
}

/** A PNG header (signature and IHDR) declaring width x height, with no image data. */
export function pngHeader(width: number, height: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const v = new DataView(b.buffer);
  v.setUint32(16, width);
  v.setUint32(20, height);
  b.set([8, 2, 0, 0, 0], 24);
  return b;
}

/** A zip whose one entry is a deflate bomb named `name`, declaring its true inflated size. */
export function bombZip(name: string, compressedBytes: number, declaredSize = deflateBombSize(compressedBytes)): Uint8Array {
  // Rebuild by hand: local header + raw bomb + central directory + end record, method 8.
  const raw = deflateBomb(compressedBytes);
  const nameBytes = strToU8(name);
  const local = new Uint8Array(30 + nameBytes.length);
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true);
  lv.setUint16(4, 20, true);
  lv.setUint16(8, 8, true);
  lv.setUint32(18, raw.length, true);
  lv.setUint32(22, declaredSize >>> 0, true);
  lv.setUint16(26, nameBytes.length, true);
  local.set(nameBytes, 30);
  const central = new Uint8Array(46 + nameBytes.length);
  const cv = new DataView(central.buffer);
  cv.setUint32(0, 0x02014b50, true);
  cv.setUint16(4, 20, true);
  cv.setUint16(6, 20, true);
  cv.setUint16(10, 8, true);
  cv.setUint32(20, raw.length, true);
  cv.setUint32(24, declaredSize >>> 0, true);
  cv.setUint16(28, nameBytes.length, true);
  cv.setUint32(42, 0, true);
  central.set(nameBytes, 46);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, 1, true);
  ev.setUint16(10, 1, true);
  ev.setUint32(12, central.length, true);
  ev.setUint32(16, local.length + raw.length, true);
  const out = new Uint8Array(local.length + raw.length + central.length + end.length);
  out.set(local, 0);
  out.set(raw, local.length);
  out.set(central, local.length + raw.length);
  out.set(end, local.length + raw.length + central.length);
  return out;
}
