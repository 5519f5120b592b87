// The stride phases that Conv2DBackpropInput splits a layer's input gradient into
// (conv2dBackpropInput.ts): every image row belongs to exactly one phase, the rows a phase's taps
// reach are its own, and each phase's stride-1 convolution has all of its rows. The arithmetic
// itself is checked against the cpu backend by the conv parity cases (convGradients.test.ts).
import { backend_util } from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { axisPhases } from './conv2dBackpropInput.ts';

/** Image rows the taps p, p + s, ... of a forward convolution read, by brute force. */
function rowsOfPhase(size: number, kernel: number, stride: number, pad: number, outSize: number, p: number): number[] {
  const rows = new Set<number>();
  for (let o = 0; o < outSize; o++) {
    for (let k = p; k < kernel; k += stride) {
      const i = o * stride + k - pad;
      if (i >= 0 && i < size) rows.add(i);
    }
  }
  return [...rows].sort((a, b) => a - b);
}

describe('axisPhases', () => {
  const cases: [number, number, number, 'same' | 'valid'][] = [];
  for (const size of [1, 2, 5, 8, 9, 15, 33, 100]) {
    for (const kernel of [1, 2, 3, 5]) {
      for (const stride of [1, 2, 3]) for (const pad of ['same', 'valid'] as const) if (pad === 'same' || kernel <= size) cases.push([size, kernel, stride, pad]);
    }
  }
  it.each(cases)('size %i, kernel %i, stride %i, %s: the phases tile the axis', (size, kernel, stride, padding) => {
    const info = backend_util.computeConv2DInfo([1, size, 1, 1], [kernel, 1, 1, 1], [stride, 1], 1, padding);
    const covered: number[] = [];
    for (const ph of axisPhases(size, info.outHeight, kernel, stride, info.padInfo.top)) {
      const rows = Array.from({ length: ph.count }, (_, t) => ph.first + t * stride);
      for (const r of rows) expect((r + info.padInfo.top) % stride).toBe(ph.p);
      covered.push(...rows);
      for (const r of rowsOfPhase(size, kernel, stride, info.padInfo.top, info.outHeight, ph.p)) expect(rows).toContain(r);
      // Its stride-1 convolution of dy, padded by non-negative amounts, has the phase's rows.
      expect(Math.min(ph.padBefore, ph.padAfter, ph.skip)).toBeGreaterThanOrEqual(0);
      if (ph.taps > 0 && ph.count > 0) expect(ph.rows).toBeGreaterThanOrEqual(ph.skip + ph.count);
    }
    expect(covered.sort((a, b) => a - b)).toEqual(Array.from({ length: size }, (_, i) => i));
  });
});
