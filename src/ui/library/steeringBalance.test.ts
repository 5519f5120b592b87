import { describe, expect, it } from 'vitest';
import type { SteeringHistogram } from '../../data/index.ts';
import { FEW_FRAMES, steeringVerdict, sumHistograms, summariseSteering } from './steeringBalance.ts';

/** A histogram over -1..1 of the given steer values (same binning rule as the store). */
function histogramOf(values: readonly number[], bins = 51): SteeringHistogram {
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = -1 + (2 * i) / bins;
  const counts = new Uint32Array(bins);
  for (const v of values) counts[Math.min(bins - 1, Math.floor(((v + 1) / 2) * bins))]++;
  return { edges, counts, total: values.length };
}

function repeat(value: number, n: number): number[] {
  return new Array<number>(n).fill(value);
}

describe('summariseSteering', () => {
  it('splits frames into straight, left (+) and right (-)', () => {
    const s = summariseSteering(histogramOf([...repeat(0, 600), ...repeat(0.3, 300), ...repeat(-0.3, 100)]));
    expect(s.total).toBe(1000);
    expect(s.straight).toBeCloseTo(0.6, 6);
    expect(s.left).toBeCloseTo(0.3, 6);
    expect(s.right).toBeCloseTo(0.1, 6);
    expect(s.straight + s.left + s.right).toBeCloseTo(1, 9);
  });
  it('hardly depends on the bin count', () => {
    const values = Array.from({ length: 2001 }, (_, i) => -0.5 + i / 2000);
    const a = summariseSteering(histogramOf(values, 21));
    const b = summariseSteering(histogramOf(values, 201));
    expect(a.straight).toBeCloseTo(0.1, 2);
    expect(b.straight).toBeCloseTo(0.1, 2);
  });
  it('counts full lock on both sides', () => {
    expect(summariseSteering(histogramOf([1, -1, 0, 0])).fullLock).toBeCloseTo(0.5, 6);
  });
});

describe('steeringVerdict', () => {
  it('has nothing to say about no frames', () => {
    expect(steeringVerdict(histogramOf([])).level).toBe('empty');
  });
  it('warns about straight-heavy data with its share', () => {
    const v = steeringVerdict(histogramOf([...repeat(0.01, 720), ...repeat(0.2, 140), ...repeat(-0.2, 140)]));
    expect(v.level).toBe('warn');
    expect(v.text).toMatch(/^72% of frames are near-straight/);
    expect(v.text).toContain('balancing');
  });
  it('warns about one-sided turns, naming the side', () => {
    const v = steeringVerdict(histogramOf([...repeat(0, 400), ...repeat(-0.25, 540), ...repeat(0.25, 60)]));
    expect(v.level).toBe('warn');
    expect(v.text).toMatch(/^90% of the turns go right/);
  });
  it(`warns about fewer than ${FEW_FRAMES} frames, even when balanced`, () => {
    const v = steeringVerdict(histogramOf([...repeat(0, 200), ...repeat(0.2, 200), ...repeat(-0.2, 200)]));
    expect(v.level).toBe('warn');
    expect(v.text).toContain('Only 600 frames');
  });
  it('warns about frames at full lock', () => {
    const v = steeringVerdict(histogramOf([...repeat(0, 800), ...repeat(1, 300), ...repeat(-1, 300), ...repeat(0.3, 300), ...repeat(-0.3, 300)]));
    expect(v.text).toMatch(/at full lock/);
  });
  it('approves a good mix', () => {
    const v = steeringVerdict(histogramOf([...repeat(0, 900), ...repeat(0.2, 550), ...repeat(-0.2, 550)]));
    expect(v.level).toBe('good');
    expect(v.text).toBe('Good mix: 45% near-straight, turns 50% left / 50% right.');
  });
});

describe('sumHistograms', () => {
  it('adds counts and totals bin by bin', () => {
    const a = histogramOf([0, 0.5]);
    const b = histogramOf([0.5, -0.9, -0.9]);
    const s = sumHistograms([a, b], 51);
    expect(s.total).toBe(5);
    expect([...s.counts]).toEqual([...histogramOf([0, 0.5, 0.5, -0.9, -0.9]).counts]);
    expect(s.edges[0]).toBe(-1);
    expect(s.edges[51]).toBe(1);
  });
  it('refuses histograms with other bins', () => {
    expect(() => sumHistograms([histogramOf([0], 21)], 51)).toThrow(/21 bins/);
  });
});
