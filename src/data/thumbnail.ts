// The library's preview image of a clip: its first center frame, box-filtered down to fit
// THUMBNAIL_MAX_SIDE pixels (aspect kept), stored as raw RGB in the clip meta.

import type { Thumbnail } from './clipTypes.ts';

export const THUMBNAIL_MAX_SIDE = 64;

/** Downscales one RGB frame (row 0 at the top) by averaging the source pixels under each target pixel. */
export function makeThumbnail(rgb: Uint8Array, width: number, height: number, maxSide = THUMBNAIL_MAX_SIDE): Thumbnail {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const tw = Math.max(1, Math.round(width * scale));
  const th = Math.max(1, Math.round(height * scale));
  const out = new Uint8Array(tw * th * 3);
  for (let ty = 0; ty < th; ty++) {
    const y0 = Math.floor((ty * height) / th);
    const y1 = Math.max(y0 + 1, Math.floor(((ty + 1) * height) / th));
    for (let tx = 0; tx < tw; tx++) {
      const x0 = Math.floor((tx * width) / tw);
      const x1 = Math.max(x0 + 1, Math.floor(((tx + 1) * width) / tw));
      let r = 0;
      let g = 0;
      let b = 0;
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const i = (y * width + x) * 3;
          r += rgb[i];
          g += rgb[i + 1];
          b += rgb[i + 2];
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (ty * tw + tx) * 3;
      out[o] = Math.round(r / n);
      out[o + 1] = Math.round(g / n);
      out[o + 2] = Math.round(b / n);
    }
  }
  return { width: tw, height: th, rgb: out };
}
