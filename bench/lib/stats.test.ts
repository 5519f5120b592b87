// The bench's statistics: medians, reciprocal figures and budgeted sampling.
import { describe, expect, it } from 'vitest';
import { figure, listParam, median, percentile, percentileFigure, reciprocal, sample } from './stats.ts';

describe('figures', () => {
  it('summarise samples by median, min and max', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(figure([5, 1, 9], 'ms')).toEqual({ median: 5, min: 1, max: 9, unit: 'ms', runs: 3 });
    expect(() => figure([], 'ms')).toThrow();
  });

  it('take percentiles by nearest rank, and tail figures over blocks', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 95)).toBe(95);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 95)).toBe(7);
    expect(percentileFigure(xs, 95, 4, 'ms')).toEqual({ median: 61.5, min: 24, max: 99, unit: 'ms', runs: 4 });
  });

  it('turn ms per step into examples per second, swapping min and max', () => {
    const f = reciprocal(figure([100, 200, 400], 'ms'), 32_000, 'examples/s');
    expect(f).toEqual({ median: 160, min: 80, max: 320, unit: 'examples/s', runs: 3 });
  });

  it('read list params', () => {
    expect(listParam({ quick: false, params: { backends: 'cpu, wasm' } }, 'backends')).toEqual(['cpu', 'wasm']);
    expect(listParam({ quick: false, params: {} }, 'backends')).toBeUndefined();
  });
});

describe('sample', () => {
  it('runs warm-ups untimed, then at least minRuns and at most maxRuns', async () => {
    let calls = 0;
    const s = await sample(() => { calls++; }, { warmup: 2, minRuns: 3, maxRuns: 5, budgetMs: 0, hardLimitMs: 60_000 });
    expect(s).toHaveLength(3);
    expect(calls).toBe(5);
  });

  it('keeps one honest sample when a warm-up alone blows the hard limit', async () => {
    const s = await sample(() => new Promise((r) => setTimeout(r, 30)), { warmup: 1, minRuns: 3, maxRuns: 5, budgetMs: 0, hardLimitMs: 10 });
    expect(s).toHaveLength(1);
    expect(s[0]).toBeGreaterThanOrEqual(25);
  });
});
