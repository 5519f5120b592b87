// areaResizeBytes' box path (power-of-two factors, byte sums) against the general weighted path
// (areaTapsResize) it stands in for: the same float32 bits, for the dash camera's halving and
// other power-of-two boxes, at the byte range's ends as well as on noise.
import { describe, expect, it } from 'vitest';
import { areaResizeBytes, areaTapsResize } from './areaResize.ts';

function noiseFrames(count: number, w: number, h: number, seed: number): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length: count * w * h * 3 }, () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) >> 16) & 255);
}

const BOXES = [
  { from: { width: 200, height: 66 }, to: { width: 100, height: 33 } }, // the default: 2 x 2, unrolled
  { from: { width: 16, height: 12 }, to: { width: 4, height: 3 } }, // 4 x 4
  { from: { width: 8, height: 6 }, to: { width: 2, height: 6 } }, // columns only, 4
  { from: { width: 6, height: 8 }, to: { width: 6, height: 1 } }, // rows only, 8
  { from: { width: 5, height: 7 }, to: { width: 5, height: 7 } }, // 1 x 1
];

describe('areaResizeBytes on power-of-two boxes', () => {
  it.each(BOXES)('gives the weighted path\'s bits: $from.width x $from.height -> $to.width x $to.height', ({ from, to }) => {
    const count = 3;
    const frames = noiseFrames(count, from.width, from.height, from.width * 31 + to.height);
    // The extremes too: a frame of 255s and one of 0s.
    frames.fill(255, 0, from.width * from.height * 3);
    frames.fill(0, from.width * from.height * 3, 2 * from.width * from.height * 3);
    const fast = areaResizeBytes(frames, count, from, to);
    const general = areaTapsResize(frames, count, from, to);
    expect(fast.length).toBe(count * to.width * to.height * 3);
    expect(Array.from(fast)).toEqual(Array.from(general));
    expect(fast[0]).toBe(1);
    expect(fast[to.width * to.height * 3]).toBe(-1);
  });

  it('keeps the weighted path for other factors', () => {
    const from = { width: 12, height: 9 };
    const to = { width: 4, height: 3 }; // 3 x 3: weights of 1/3 are not exact in binary
    const frames = noiseFrames(2, from.width, from.height, 5);
    expect(Array.from(areaResizeBytes(frames, 2, from, to))).toEqual(Array.from(areaTapsResize(frames, 2, from, to)));
  });
});
