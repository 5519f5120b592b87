// A lossless stand-in ImageCodec for Node (tests, tools): binary PPM (P6), an 8-bit RGB
// header ("P6\n<width> <height>\n255\n") followed by the raw pixels, row 0 at the top.

import { DataError } from './dataErrors.ts';
import type { ImageCodec, RgbImage } from './imageCodec.ts';

export const ppmCodec: ImageCodec = {
  mimeType: 'image/x-portable-pixmap',

  async encode(image: RgbImage): Promise<Uint8Array> {
    const header = new TextEncoder().encode(`P6\n${image.width} ${image.height}\n255\n`);
    const out = new Uint8Array(header.length + image.rgb.length);
    out.set(header);
    out.set(image.rgb, header.length);
    return out;
  },

  async decode(bytes: Uint8Array): Promise<RgbImage> {
    // Header: magic, width, height, maxval, separated by whitespace ('#' comments allowed), then one whitespace byte.
    const tokens: string[] = [];
    let i = 0;
    while (tokens.length < 4 && i < bytes.length) {
      const ch = bytes[i];
      if (ch === 0x23) {
        while (i < bytes.length && bytes[i] !== 0x0a) i++;
      } else if (ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09) {
        i++;
      } else {
        let t = '';
        while (i < bytes.length && bytes[i] > 0x20) t += String.fromCharCode(bytes[i++]);
        tokens.push(t);
      }
    }
    i++; // the single whitespace byte before the pixels
    const [magic, w, h, max] = tokens;
    const width = Number(w);
    const height = Number(h);
    if (magic !== 'P6' || max !== '255' || !(width > 0) || !(height > 0) || !Number.isInteger(width) || !Number.isInteger(height)) {
      throw new DataError('bad-archive', 'not an 8-bit binary PPM image');
    }
    const n = width * height * 3;
    if (bytes.length - i < n) throw new DataError('frame-size', `PPM image is cut short: ${bytes.length - i} of ${n} pixel bytes`);
    return { width, height, rgb: bytes.slice(i, i + n) };
  },
};
