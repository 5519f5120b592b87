import { describe, expect, it } from 'vitest';
import { LatencyProbe, sortedPercentile } from './latencyProbe.ts';

/** One control tick's frame: captured at `at`, sent 1 ms later, back `rtMs` after that. */
function frame(p: LatencyProbe, tick: number, at: number, rtMs: number): void {
  p.captured(tick, at, at + 1);
  p.sent(tick, at + 1);
  p.ready(tick, at + 1 + rtMs, rtMs / 2);
}

describe('live-latency probe', () => {
  it('times frame-to-control from capture to the first step with the prediction', () => {
    const p = new LatencyProbe(3);
    frame(p, 3, 100, 2);
    p.applied(3, 3, 104); // the step from the control tick itself
    p.applied(4, 3, 104.5); // held between control ticks: not a new application
    frame(p, 6, 200, 3);
    p.applied(6, 6, 206);
    expect(p.violations()).toEqual([]);
    expect(() => p.assertFresh()).not.toThrow();
    const s = p.summary();
    expect(s.controlTicks).toBe(2);
    expect(s.applied).toBe(2);
    expect(s.frameToControlMs!.p50).toBeCloseTo(5); // 4 and 6 ms
    expect(s.frameToControlMs!.max).toBeCloseTo(6);
    expect(p.list()[0]).toMatchObject({ frameTick: 3, appliedTick: 3, appliedMs: 104 });
    expect(s.partsMs).toEqual({ capture: 1, toSend: 0, roundTrip: 2.5, waitApply: 1.5, worker: 1.25 });
  });

  it('fails when a control tick steps with a frame older than itself', () => {
    const p = new LatencyProbe(3);
    frame(p, 3, 100, 2);
    p.applied(3, 3, 104);
    frame(p, 6, 150, 40); // its answer comes back after the step from tick 6
    p.applied(6, 3, 152);
    p.applied(7, 6, 195); // applied at last, a tick late
    expect(p.violations()).toEqual([{ tick: 6, frameTick: 3, reason: 'stale' }]);
    expect(() => p.assertFresh()).toThrow(/1 of 2 control ticks .* tick 6 used the frame of tick 3, stale/);
    // The late answer counts from its capture to the step that used it.
    expect(p.summary().frameToControlMs!.max).toBeCloseTo(45);
    expect(p.summary().violations).toBe(1);
  });

  it('fails when a control tick has no prediction, or one from a frame after it', () => {
    const p = new LatencyProbe(3);
    p.applied(0, null, 1);
    p.applied(1, null, 2); // not a control tick: nothing to check
    p.applied(3, 6, 3);
    expect(p.violations().map((v) => v.reason)).toEqual(['none', 'future']);
    expect(() => p.assertFresh()).toThrow();
  });

  it('steps between control ticks may use the last control tick\'s frame', () => {
    const p = new LatencyProbe(3);
    frame(p, 3, 0, 1);
    for (const t of [3, 4, 5]) p.applied(t, 3, 10 + t);
    expect(p.violations()).toEqual([]);
    expect(p.summary().controlTicks).toBe(1);
  });

  it('keeps at most `capacity` records, oldest dropped, and resets', () => {
    const p = new LatencyProbe(1, 5);
    for (let t = 0; t < 8; t++) {
      frame(p, t, t * 10, 1);
      p.applied(t, t, t * 10 + 3);
    }
    expect(p.list().map((r) => r.frameTick)).toEqual([3, 4, 5, 6, 7]);
    expect(p.summary().controlTicks).toBe(8);
    p.reset();
    expect(p.summary()).toMatchObject({ controlTicks: 0, captured: 0, frameToControlMs: null, partsMs: null });
  });

  it('refuses a control period that is not a whole number of ticks', () => {
    expect(() => new LatencyProbe(0)).toThrow(RangeError);
    expect(() => new LatencyProbe(1.5)).toThrow(RangeError);
  });

  it('interpolates percentiles', () => {
    expect(sortedPercentile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(sortedPercentile([0, 10], 0.95)).toBeCloseTo(9.5);
    expect(sortedPercentile([], 0.5)).toBeNaN();
  });
});
