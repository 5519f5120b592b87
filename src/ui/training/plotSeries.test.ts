import { describe, expect, it } from 'vitest';
import { createThrottle, StepColumns, TrainingSeries } from './plotSeries.ts';
import type { EpochEventLike, StepEventLike } from './trainingContract.ts';

const heads = (s: number, v: number, t: number) => ({ steering: s, speed: v, torque: t });

function step(i: number, over: Partial<StepEventLike> = {}): StepEventLike {
  return {
    kind: 'step', epoch: Math.floor(i / 10), epochs: 3, batch: i % 10, batchesPerEpoch: 10, step: i, examples: (i + 1) * 32,
    examplesPerSecond: 100, etaSeconds: 10, learningRate: 1e-3, loss: 1 / (i + 1), rmse: heads(0.2, 2, 0.3), baselineRmse: heads(0.3, 3, 0.4),
    gradNorms: [{ layer: 'conv1', norm: 0.01 * (i + 1) }, { layer: 'rnn', norm: 0.5 }], globalGradNorm: 2, appliedGradNorm: 1, ...over,
  };
}

function epoch(e: number, over: Partial<EpochEventLike> = {}): EpochEventLike {
  return {
    kind: 'epoch', epoch: e, epochs: 3, trainLoss: 0.5, trainRmse: heads(0.15, 1.5, 0.2), valLoss: 0.6 / (e + 1), valRmse: heads(0.1 + e, 1, 0.2),
    baselineRmse: { train: heads(0.3, 3, 0.4), val: heads(0.31, 3.1, 0.41) }, examples: 320, seconds: 3, improved: true, best: null, epochsWithoutImprovement: 0, ...over,
  };
}

describe('StepColumns', () => {
  it('appends one point per step until maxPoints, then merges pairs and averages buckets twice as wide', () => {
    const c = new StepColumns(8);
    for (let i = 0; i < 7; i++) c.push(i, { v: i });
    expect(c.x).toEqual([0, 1, 2, 3, 4, 5, 6]);
    c.push(7, { v: 7 });
    expect(c.stride).toBe(2);
    expect(c.x).toEqual([1, 3, 5, 7]);
    expect(c.column('v')).toEqual([0.5, 2.5, 4.5, 6.5]);
    c.push(8, { v: 8 });
    expect(c.x).toHaveLength(4); // pending until the bucket of 2 is full
    c.push(9, { v: 10 });
    expect(c.x).toEqual([1, 3, 5, 7, 9]);
    expect(c.column('v')[4]).toBe(9);
  });

  it('merges nulls away and keeps "last" columns as markers', () => {
    const c = new StepColumns(4);
    c.define('mark', 'last');
    c.push(0, { v: null, mark: null });
    c.push(1, { v: 2, mark: null });
    c.setLast('mark', 5);
    c.push(2, { v: null, mark: null });
    c.push(3, { v: null, mark: null });
    expect(c.x).toEqual([1, 3]);
    expect(c.column('v')).toEqual([2, null]);
    expect(c.column('mark')).toEqual([5, null]);
  });

  it('a step at or before the last drops the points from there (a run back at its checkpoint)', () => {
    const c = new StepColumns(100);
    for (let i = 0; i < 6; i++) c.push(i, { v: i });
    c.push(3, { v: 30 });
    expect(c.x).toEqual([0, 1, 2, 3]);
    expect(c.column('v')).toEqual([0, 1, 2, 30]);
  });

  it('a new column is padded to the points before it', () => {
    const c = new StepColumns(100);
    c.push(0, { a: 1 });
    c.push(1, { a: 1, b: 2 });
    expect(c.column('b')).toEqual([null, 2]);
  });
});

describe('TrainingSeries', () => {
  it('builds the loss plot: raw, smoothed, and the validation loss on each epoch\'s last step', () => {
    const s = new TrainingSeries({ smoothing: 0.5 });
    for (let i = 0; i < 10; i++) s.push(step(i));
    s.push(epoch(0));
    s.push(step(10));
    const [x, loss, smooth, val] = s.lossData();
    expect(x).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(loss[0]).toBe(1);
    expect(loss[3]).toBe(0.25);
    expect(smooth[0]).toBe(1); // bias-corrected: the first smoothed value is the first loss
    expect(smooth[1]).toBeCloseTo((0.5 * 0.5 * 1 + 0.5 * 0.5) / 0.75, 12);
    expect(val.filter((v) => v !== null)).toEqual([0.6]);
    expect(val[9]).toBe(0.6);
  });

  it('builds the gradient plot: one column per layer in report order, then the global and applied norms; gaps for non-positive values', () => {
    const s = new TrainingSeries();
    s.push(step(0));
    s.push(step(1, { gradNorms: [{ layer: 'conv1', norm: 0 }, { layer: 'rnn', norm: 0.4 }, { layer: 'steering', norm: 3 }] }));
    expect(s.layers).toEqual(['conv1', 'rnn', 'steering']);
    expect(s.layersVersion).toBe(2);
    const [x, conv1, rnn, steering, global, applied] = s.gradData();
    expect(x).toEqual([0, 1]);
    expect(conv1).toEqual([0.01, null]);
    expect(rnn).toEqual([0.5, 0.4]);
    expect(steering).toEqual([null, 3]);
    expect(global).toEqual([2, 2]);
    expect(applied).toEqual([1, 1]);
  });

  it('builds the RMSE plot from validation figures, or training ones when there is no validation set', () => {
    const s = new TrainingSeries();
    s.push(epoch(0));
    s.push(epoch(1));
    expect(s.rmseOn).toBe('val');
    expect(s.rmseData()).toEqual([[1, 2], [0.1, 1.1], [1, 1], [0.2, 0.2], [0.31, 0.31], [3.1, 3.1], [0.41, 0.41]]);
    const t = new TrainingSeries();
    t.push(epoch(0, { valRmse: null, valLoss: null, baselineRmse: { train: heads(0.3, 3, 0.4), val: null } }));
    expect(t.rmseOn).toBe('train');
    expect(t.rmseData()).toEqual([[1], [0.15], [1.5], [0.2], [0.3], [3], [0.4]]);
  });

  it('adds the speedometer baseline ("hold the present speed") as an eighth column only when the epochs carry it', () => {
    const plain = new TrainingSeries();
    plain.push(epoch(0));
    expect(plain.hasSpeedometer).toBe(false);
    expect(plain.rmseData()).toHaveLength(7);
    const s = new TrainingSeries();
    for (let i = 0; i < 10; i++) s.push(step(i));
    s.push(epoch(0, { speedometerRmse: 2.14 }));
    for (let i = 10; i < 20; i++) s.push(step(i));
    s.push(epoch(1, { speedometerRmse: 2.1 }));
    expect(s.hasSpeedometer).toBe(true);
    expect(s.rmseData()).toEqual([[1, 2], [0.1, 1.1], [1, 1], [0.2, 0.2], [0.31, 0.31], [3.1, 3.1], [0.41, 0.41], [2.14, 2.1]]);
    // Replayed from a checkpoint before any epoch: gone with the epochs that carried it.
    s.push(step(0));
    expect(s.hasSpeedometer).toBe(false);
    expect(s.rmseData()).toHaveLength(7);
    // A validation figure: not drawn beside training RMSEs (no validation set); NaN is a gap.
    const t = new TrainingSeries();
    t.push(epoch(0, { valRmse: null, valLoss: null, baselineRmse: { train: heads(0.3, 3, 0.4), val: null }, speedometerRmse: 2 }));
    expect(t.rmseData()).toHaveLength(7);
    const n = new TrainingSeries();
    n.push(epoch(0, { speedometerRmse: Number.NaN }));
    n.push(epoch(1, { speedometerRmse: 2 }));
    expect(n.rmseData()[7]).toEqual([null, 2]);
  });

  it('forgets epochs past a checkpoint the run went back to', () => {
    const s = new TrainingSeries();
    for (let i = 0; i < 20; i++) s.push(step(i));
    s.push(epoch(0));
    s.push(epoch(1));
    s.push(step(10)); // back to the start of epoch 1
    expect(s.rmseData()[0]).toEqual([1]);
    expect(s.lossData()[0]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('ignores events that draw nothing, and reset empties everything', () => {
    const s = new TrainingSeries();
    expect(s.push({ kind: 'paused' })).toBe(false);
    expect(s.push({ kind: 'backend', backend: 'wasm', reason: 'x' })).toBe(false);
    expect(s.push(step(0))).toBe(true);
    const v = s.version;
    s.reset();
    expect(s.version).toBeGreaterThan(v);
    expect(s.lossData().every((a) => a.length === 0)).toBe(true);
    expect(s.layers).toEqual([]);
    expect(s.rmseData()[0]).toEqual([]);
  });

  it('keeps a long run under maxPoints', () => {
    const s = new TrainingSeries({ maxPoints: 100 });
    for (let i = 0; i < 10_000; i++) s.push(step(i));
    const [x, loss] = s.lossData();
    expect(x.length).toBeLessThan(100);
    expect(x.length).toBeGreaterThan(40);
    expect(x[x.length - 1]).toBeGreaterThan(9_800);
    expect(loss.every((v) => v !== null && v > 0)).toBe(true);
    for (let i = 1; i < x.length; i++) expect(x[i]).toBeGreaterThan(x[i - 1]);
  });
});

describe('createThrottle', () => {
  function fakeClock() {
    let t = 0;
    const timers: { at: number; fn: () => void; id: number }[] = [];
    let next = 1;
    return {
      now: () => t,
      setTimer: (fn: () => void, ms: number) => {
        const id = next++;
        timers.push({ at: t + ms, fn, id });
        return id;
      },
      clearTimer: (id: unknown) => {
        const i = timers.findIndex((x) => x.id === id);
        if (i >= 0) timers.splice(i, 1);
      },
      advance(ms: number) {
        const end = t + ms;
        for (;;) {
          timers.sort((a, b) => a.at - b.at);
          const due = timers[0];
          if (!due || due.at > end) break;
          timers.shift();
          t = due.at;
          due.fn();
        }
        t = end;
      },
      pending: () => timers.length,
    };
  }

  it('runs at most once per interval however many requests come', () => {
    const clock = fakeClock();
    const runs: number[] = [];
    const th = createThrottle({ intervalMs: 250, run: () => runs.push(clock.now()), ...clock });
    th.request();
    expect(runs).toEqual([]); // never synchronous
    clock.advance(0);
    expect(runs).toEqual([0]);
    for (let i = 0; i < 100; i++) {
      th.request();
      clock.advance(10);
    }
    expect(runs).toEqual([0, 250, 500, 750, 1000]);
    clock.advance(1000);
    expect(runs).toHaveLength(5); // no request, no run
  });

  it('flush runs a pending request now; cancel drops it', () => {
    const clock = fakeClock();
    let runs = 0;
    const th = createThrottle({ intervalMs: 250, run: () => runs++, ...clock });
    th.request();
    clock.advance(0);
    th.request();
    th.flush();
    expect(runs).toBe(2);
    expect(clock.pending()).toBe(0);
    th.flush();
    expect(runs).toBe(2);
    th.request();
    th.cancel();
    clock.advance(1000);
    expect(runs).toBe(2);
  });
});
