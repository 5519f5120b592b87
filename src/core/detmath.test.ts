import { describe, expect, it } from 'vitest';
import { atan, atan2, cos, exp, log, sin, tanh } from './detmath.ts';

describe('deterministic math', () => {
  it('agrees with Math to a few ulp over the ranges the simulation uses', () => {
    let worst = 0;
    for (let i = 0; i <= 20000; i++) {
      const x = (i / 20000 - 0.5) * 60;
      worst = Math.max(worst,
        Math.abs(sin(x) - Math.sin(x)),
        Math.abs(cos(x) - Math.cos(x)),
        Math.abs(atan(x) - Math.atan(x)),
        Math.abs(atan2(x, 3 - x) - Math.atan2(x, 3 - x)),
        Math.abs(tanh(x / 7) - Math.tanh(x / 7)),
        Math.abs(exp(x / 8) - Math.exp(x / 8)) / Math.exp(x / 8),
        Math.abs(log(Math.abs(x) + 1e-6) - Math.log(Math.abs(x) + 1e-6)));
    }
    expect(worst).toBeLessThan(2e-15);
  });

  it('handles the edges', () => {
    expect(atan2(0, 0)).toBe(0);
    expect(atan2(1, 0)).toBeCloseTo(Math.PI / 2, 15);
    expect(atan2(0, -1)).toBeCloseTo(Math.PI, 15);
    expect(exp(-1000)).toBe(0);
    expect(exp(1000)).toBe(Infinity);
    expect(log(0)).toBe(-Infinity);
    expect(Number.isNaN(log(-1))).toBe(true);
    expect(tanh(50)).toBe(1);
    expect(sin(Infinity)).toBeNaN();
  });
});
