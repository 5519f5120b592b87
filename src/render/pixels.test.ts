import { describe, expect, it } from 'vitest';
import { rgbaBottomUpToRgbTopDown, rgbaStripToRgbViews } from './pixels.ts';

/** An RGBA bottom-up image whose pixel (x, row-from-bottom y) encodes its coordinates. */
function rgbaImage(w: number, h: number): Uint8Array {
  const src = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) src.set([x, y, 100 + x + 10 * y, 255 - y], (y * w + x) * 4);
  return src;
}

describe('rgbaBottomUpToRgbTopDown', () => {
  it('drops alpha and flips rows: output row 0 is the input top row', () => {
    const w = 3;
    const h = 4;
    const dst = new Uint8Array(w * h * 3);
    rgbaBottomUpToRgbTopDown(rgbaImage(w, h), w, h, dst);
    for (let row = 0; row < h; row++) {
      const y = h - 1 - row; // source row counted from the bottom
      for (let x = 0; x < w; x++) expect(Array.from(dst.subarray((row * w + x) * 3, (row * w + x) * 3 + 3))).toEqual([x, y, 100 + x + 10 * y]);
    }
  });

  it('writes into the buffer it is given and returns it (no allocation)', () => {
    const dst = new Uint8Array(200 * 66 * 3 + 7).fill(9);
    const out = rgbaBottomUpToRgbTopDown(rgbaImage(200, 66), 200, 66, dst);
    expect(out).toBe(dst);
    expect(dst[200 * 66 * 3]).toBe(9); // bytes past the frame are left alone
  });

  it('refuses buffers too small for the frame', () => {
    expect(() => rgbaBottomUpToRgbTopDown(new Uint8Array(10), 4, 4, new Uint8Array(48))).toThrow(RangeError);
    expect(() => rgbaBottomUpToRgbTopDown(new Uint8Array(64), 4, 4, new Uint8Array(47))).toThrow(RangeError);
  });
});

describe('rgbaStripToRgbViews', () => {
  it('gives each view of a side-by-side strip the image a lone view of it would give', () => {
    const w = 3;
    const h = 4;
    const n = 3;
    const strip = rgbaImage(w * n, h); // pixel x of the strip is pixel x % w of view floor(x / w)
    const views = [0, 1, 2].map(() => new Uint8Array(w * h * 3));
    rgbaStripToRgbViews(strip, w, h, views);
    for (let i = 0; i < n; i++) {
      // The same view cut out of the strip by hand, then converted alone.
      const alone = new Uint8Array(w * h * 4);
      for (let y = 0; y < h; y++) alone.set(strip.subarray((y * w * n + i * w) * 4, (y * w * n + (i + 1) * w) * 4), y * w * 4);
      expect(views[i]).toEqual(rgbaBottomUpToRgbTopDown(alone, w, h, new Uint8Array(w * h * 3)));
      expect(views[i][0]).toBe(i * w); // row 0 of the output, pixel 0: strip x = i * w
    }
  });

  it('refuses a strip or a view buffer too small', () => {
    expect(() => rgbaStripToRgbViews(new Uint8Array(2 * 4 * 4 * 4 - 1), 4, 4, [new Uint8Array(48), new Uint8Array(48)])).toThrow(RangeError);
    expect(() => rgbaStripToRgbViews(new Uint8Array(2 * 4 * 4 * 4), 4, 4, [new Uint8Array(48), new Uint8Array(47)])).toThrow(RangeError);
  });
});
