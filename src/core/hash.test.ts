import { describe, expect, it } from 'vitest';
import { StateHasher } from './hash.ts';
import { createRng } from './rng.ts';

describe('StateHasher', () => {
  it('is stable and sensitive to every bit', () => {
    const a = new StateHasher().numbers([1, 2.5, -3]).string('oval').hex();
    expect(a).toBe(new StateHasher().numbers([1, 2.5, -3]).string('oval').hex());
    expect(a).not.toBe(new StateHasher().numbers([1, 2.5 + 2 ** -51, -3]).string('oval').hex());
    expect(a).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('seeded rng', () => {
  it('replays the same stream from the same seed and differs across seeds', () => {
    const a = createRng('track-7');
    const b = createRng('track-7');
    const c = createRng('track-8');
    const sa = Array.from({ length: 50 }, () => a.next());
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 50 }, () => c.next())).not.toEqual(sa);
    expect(sa.every((v) => v >= 0 && v < 1)).toBe(true);
  });

  it('gives normals with mean near 0 and variance near 1', () => {
    const r = createRng(42);
    const xs = Array.from({ length: 20000 }, () => r.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(v - 1)).toBeLessThan(0.05);
  });
});
