// im2col and col2im on plain arrays: known values, and col2im being im2col's exact adjoint
// (which is what makes Conv2DBackpropInput the true gradient of the forward patches).
import { describe, expect, it } from 'vitest';
import { col2imAdd, im2col, patchCols, patchRows, type PatchGeometry } from './patches.ts';
import { seededValues } from './parity.ts';

function geometry(over: Partial<PatchGeometry>): PatchGeometry {
  return {
    batch: 1, inHeight: 3, inWidth: 4, inChannels: 1, outHeight: 3, outWidth: 4, outChannels: 1,
    filterHeight: 3, filterWidth: 3, strideHeight: 1, strideWidth: 1, padTop: 1, padLeft: 1, ...over,
  };
}

describe('im2col', () => {
  it('lays out each output pixel as a row of filter taps, zero in the padding', () => {
    const g = geometry({});
    const x = Float32Array.from({ length: 12 }, (_, i) => i + 1); // 3x4 image, values 1..12
    const p = new Float32Array(patchRows(g) * patchCols(g)).fill(NaN);
    im2col(x, p, g);
    // Output pixel (0,0): taps rows -1..1, cols -1..1.
    expect(Array.from(p.subarray(0, 9))).toEqual([0, 0, 0, 0, 1, 2, 0, 5, 6]);
    // Output pixel (2,3), the last: rows 1..3, cols 2..4.
    expect(Array.from(p.subarray(11 * 9, 12 * 9))).toEqual([7, 8, 0, 11, 12, 0, 0, 0, 0]);
  });

  it('handles strides, channels and rectangular filters', () => {
    const g = geometry({ inHeight: 4, inWidth: 5, inChannels: 2, outHeight: 2, outWidth: 2, filterHeight: 2, filterWidth: 3, strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0 });
    const x = Float32Array.from({ length: 40 }, (_, i) => i);
    const p = new Float32Array(patchRows(g) * patchCols(g));
    im2col(x, p, g);
    // Output pixel (1,1): rows 2..3, cols 2..4, both channels.
    const at = (r: number, c: number, ch: number) => (r * 5 + c) * 2 + ch;
    const expected = [];
    for (let r = 2; r <= 3; r++) for (let c = 2; c <= 4; c++) for (let ch = 0; ch < 2; ch++) expected.push(at(r, c, ch));
    expect(Array.from(p.subarray(3 * 12, 4 * 12))).toEqual(expected);
  });
});

describe('col2imAdd', () => {
  it.each([
    geometry({}),
    geometry({ batch: 2, inHeight: 7, inWidth: 6, inChannels: 3, outHeight: 3, outWidth: 2, filterHeight: 3, filterWidth: 5, strideHeight: 2, strideWidth: 2, padTop: 0, padLeft: 0 }),
    geometry({ batch: 1, inHeight: 5, inWidth: 8, inChannels: 2, outHeight: 3, outWidth: 4, filterHeight: 5, filterWidth: 5, strideHeight: 2, strideWidth: 2, padTop: 2, padLeft: 1 }),
  ])('is the adjoint of im2col: <im2col(x), p> = <x, col2im(p)> (%#)', (g) => {
    const x = seededValues(g.batch * g.inHeight * g.inWidth * g.inChannels, 'adj/x');
    const p = seededValues(patchRows(g) * patchCols(g), 'adj/p');
    const px = new Float32Array(p.length);
    im2col(x, px, g);
    const xp = new Float32Array(x.length);
    col2imAdd(p, xp, g);
    let lhs = 0;
    let rhs = 0;
    for (let i = 0; i < p.length; i++) lhs += px[i] * p[i];
    for (let i = 0; i < x.length; i++) rhs += x[i] * xp[i];
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-9 * Math.max(1, Math.abs(lhs)) + 1e-3);
    expect(lhs).not.toBe(0);
  });
});
