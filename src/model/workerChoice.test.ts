// One or two training workers by measurement (workerChoice.ts), with made-up step times: the
// trial's schedule, its verdict (two only when faster by the margin), the cache per device and
// shape, and when it measures again.
import { describe, expect, it } from 'vitest';
import { createConfig } from './config.ts';
import {
  describeChoice, modelShapeKey, trainerWasmThreads, planWorkers, readVerdicts, TWO_WORKER_MARGIN, VERDICT_MAX_AGE_MS, verdictOf, WORKER_CHOICE_VERSION,
  readPending, trainerBackendKey, type WorkerCount, WorkerTrial, type WorkerVerdict, withPending, withVerdict,
} from './workerChoice.ts';

/** Runs a trial to its end with steps of `msOf(side)` ms over `examples` examples each; the sides in order and the result. */
function runTrial(trial: WorkerTrial, msOf: (side: WorkerCount, i: number) => number, examples = 32, maxSteps = 100) {
  const sides: WorkerCount[] = [];
  for (let i = 0; i < maxSteps && !trial.done; i++) {
    const side = trial.next();
    sides.push(side);
    trial.record(side, msOf(side, i), examples);
  }
  return { sides, result: trial.result };
}

const verdict = (o: Partial<WorkerVerdict> = {}): WorkerVerdict => ({
  deviceKey: 'dev', shapeKey: 'wasm small', workers: 2, ratio: 1.4, oneExamplesPerS: 40, twoExamplesPerS: 56, steps: { one: 3, two: 3 }, at: 1_000, ...o,
});

describe('WorkerTrial', () => {
  it('warms each side once, then alternates in pairs (2,1), (1,2), ... so a drift in load hits both alike', () => {
    const { sides } = runTrial(new WorkerTrial({ minSteps: 4, maxSteps: 4 }), () => 100);
    expect(sides).toEqual([2, 1, 2, 1, 1, 2, 2, 1, 1, 2]);
  });

  it('keeps two workers when they are faster by the margin, with the ratio of the medians', () => {
    const { result } = runTrial(new WorkerTrial(), (side) => (side === 2 ? 500 : 700));
    expect(result).not.toBeNull();
    expect(result!.workers).toBe(2);
    expect(result!.ratio).toBeCloseTo(700 / 500, 6);
    expect(result!.oneExamplesPerS).toBeCloseTo((32 * 1000) / 700, 6);
    expect(result!.twoExamplesPerS).toBeCloseTo((32 * 1000) / 500, 6);
    expect(result!.steps.one).toBe(result!.steps.two);
  });

  it('keeps one worker when two are slower (the loaded 2-core machine: 0.8x)', () => {
    const { result } = runTrial(new WorkerTrial(), (side) => (side === 2 ? 1000 : 800));
    expect(result!.workers).toBe(1);
    expect(result!.ratio).toBeCloseTo(0.8, 6);
  });

  it('keeps one worker when two are faster by less than the margin', () => {
    const { result } = runTrial(new WorkerTrial(), (side) => (side === 2 ? 1000 / (TWO_WORKER_MARGIN - 0.02) : 1000));
    expect(result!.ratio).toBeGreaterThan(1);
    expect(result!.workers).toBe(1);
  });

  it('ignores the warm-up steps and one slow outlier (medians)', () => {
    // The first two-worker step (peer warm-up) takes 20 s, and one timed one-worker step 5 s.
    const { result } = runTrial(new WorkerTrial(), (side, i) => (i === 0 ? 20_000 : side === 1 && i === 3 ? 5_000 : side === 2 ? 500 : 800));
    expect(result!.workers).toBe(2);
    expect(result!.ratio).toBeCloseTo(800 / 500, 6);
  });

  it('compares examples per second, not steps (a short last batch)', () => {
    const trial = new WorkerTrial({ minSteps: 1, maxSteps: 1 });
    trial.record(trial.next(), 100, 32); // warm-ups
    trial.record(trial.next(), 100, 32);
    expect(trial.next()).toBe(2);
    expect(trial.record(2, 300, 16)).toBeNull(); // two: 18.75 ms per example
    const r = trial.record(1, 400, 32); // one: 12.5 ms per example
    expect(r!.workers).toBe(1);
    expect(r!.ratio).toBeCloseTo(12.5 / 18.75, 6);
  });

  it('stays short: stops at minSteps once its budget is spent, goes on to maxSteps when steps are quick', () => {
    const slow = runTrial(new WorkerTrial({ minSteps: 3, maxSteps: 6, budgetMs: 6000 }), () => 800);
    expect(slow.result!.steps).toEqual({ one: 3, two: 3 });
    expect(slow.sides).toHaveLength(8);
    const quick = runTrial(new WorkerTrial({ minSteps: 3, maxSteps: 6, budgetMs: 6000 }), () => 50);
    expect(quick.result!.steps).toEqual({ one: 6, two: 6 });
  });

  it('does not count a step that could not be timed', () => {
    const trial = new WorkerTrial({ minSteps: 1, maxSteps: 1 });
    expect(trial.record(2, 0, 32)).toBeNull();
    expect(trial.next()).toBe(2); // still the two-worker warm-up
  });
});

describe('the cache', () => {
  const config = createConfig({});
  const key = modelShapeKey('wasm', config);

  it('keys a model by backend and size: another backend, width, window or batch is another key; the learning rate is not', () => {
    expect(modelShapeKey('webgl', config)).not.toBe(key);
    expect(modelShapeKey('wasm', createConfig({ encoder: { widthMultiplier: 1 } }))).not.toBe(key);
    expect(modelShapeKey('wasm', createConfig({ sequence: { window: 8 } }))).not.toBe(key);
    expect(modelShapeKey('wasm', createConfig({ training: { batchSize: 64 } }))).not.toBe(key);
    expect(modelShapeKey('wasm', createConfig({ training: { learningRate: 1e-4 } }))).toBe(key);
  });

  it('a trial when nothing is cached; the cached verdict for the same device and shape after', () => {
    expect(planWorkers({ mode: 'auto', stored: null, deviceKey: 'dev', shapeKey: key, now: 2_000 })).toEqual({ kind: 'trial' });
    const stored = withVerdict(null, verdict({ shapeKey: key, workers: 1, ratio: 0.8 }));
    expect(planWorkers({ mode: 'auto', stored, deviceKey: 'dev', shapeKey: key, now: 2_000 })).toEqual({ kind: 'cached', verdict: stored.entries[0] });
  });

  it('measures again for a new shape, another device, an old verdict, an older version, or when asked (the setting changed)', () => {
    const stored = withVerdict(null, verdict({ shapeKey: key }));
    const plan = (o: { shapeKey?: string; deviceKey?: string; now?: number; retime?: boolean; stored?: unknown }) =>
      planWorkers({ mode: 'auto', stored, deviceKey: 'dev', shapeKey: key, now: 2_000, ...o }).kind;
    expect(plan({})).toBe('cached');
    expect(plan({ shapeKey: modelShapeKey('wasm', createConfig({ sequence: { window: 8 } })) })).toBe('trial');
    expect(plan({ deviceKey: 'another browser' })).toBe('trial');
    expect(plan({ now: 1_000 + VERDICT_MAX_AGE_MS + 1 })).toBe('trial');
    expect(plan({ now: 500 })).toBe('trial'); // the clock went back
    expect(plan({ retime: true })).toBe('trial');
    expect(plan({ stored: { ...stored, version: WORKER_CHOICE_VERSION + 1 } })).toBe('trial');
    expect(plan({ stored: { version: WORKER_CHOICE_VERSION, entries: [{ deviceKey: 'dev' }] } })).toBe('trial');
  });

  it("'two' skips the trial and the cache", () => {
    expect(planWorkers({ mode: 'two', stored: null, deviceKey: 'dev', shapeKey: key, now: 0 })).toEqual({ kind: 'two', why: 'setting' });
  });

  it('keeps one verdict per device and shape: a new trial replaces the old, others stay', () => {
    let stored: unknown = null;
    stored = withVerdict(stored, verdict({ shapeKey: 'a', workers: 2 }));
    stored = withVerdict(stored, verdict({ shapeKey: 'b', workers: 1 }));
    stored = withVerdict(stored, verdict({ shapeKey: 'a', workers: 1, ratio: 0.9 }));
    expect(readVerdicts(stored).map((v) => [v.shapeKey, v.workers])).toEqual([['b', 1], ['a', 1]]);
    expect(readVerdicts('garbage')).toEqual([]);
  });

  it('a trial result becomes a verdict', () => {
    const trial = new WorkerTrial();
    const { result } = runTrial(trial, (side) => (side === 2 ? 1000 : 800));
    const v = verdictOf(result!, { deviceKey: 'dev', shapeKey: key, at: 5 });
    expect(v).toMatchObject({ deviceKey: 'dev', shapeKey: key, at: 5, workers: 1 });
    expect(planWorkers({ mode: 'auto', stored: withVerdict(null, v), deviceKey: 'dev', shapeKey: key, now: 6 })).toEqual({ kind: 'cached', verdict: v });
  });
});

describe('describeChoice', () => {
  it('says the choice and the measured ratio', () => {
    expect(describeChoice({ workers: 2, ratio: 1.4 }, 'measured now')).toMatch(/^two workers, 1\.40x one/);
    expect(describeChoice({ workers: 1, ratio: 0.8 }, 'measured now')).toMatch(/^one worker: two measured 0\.80x/);
    expect(describeChoice({ workers: 1, ratio: 0.8 }, { cachedAt: '2026-12-05' })).toMatch(/measured 2026-12-05; change Settings > Training workers to measure again/);
  });
});

describe('a run shorter than the trial', () => {
  /** `n` steps of a trial (two at 500 ms, one at 700 ms), as a run that ends after n steps. */
  const steps = (trial: WorkerTrial, n: number): WorkerTrial => {
    for (let i = 0; i < n && !trial.done; i++) {
      const side = trial.next();
      trial.record(side, side === 2 ? 500 : 700, 32);
    }
    return trial;
  };

  it('gives the verdict of the steps it had once each side has minSteps, though the trial would have gone on', () => {
    // Quick steps: the trial goes on to maxSteps (6 pairs); a run of 2 warm-ups + 7 timed steps has 3 whole pairs.
    const t = steps(new WorkerTrial(), 9);
    expect(t.done).toBe(false);
    expect(t.progress).toEqual({ one: 4, two: 3, needed: 3 }); // timed 2, 1, 1, 2, 2, 1, 1
    const r = t.conclude();
    expect(r).toMatchObject({ workers: 2, steps: { one: 3, two: 3 } });
    expect(r!.ratio).toBeCloseTo(700 / 500, 6);
    expect(t.done).toBe(true);
    expect(t.carry()).toEqual({ one: [], two: [], spentMs: 0 });
  });

  it('too few steps to compare: no verdict, and only whole pairs carried to the next run', () => {
    const t = steps(new WorkerTrial(), 5); // warm 2, warm 1, then 2, 1, 1
    expect(t.conclude()).toBeNull();
    expect(t.done).toBe(false);
    expect(t.progress).toEqual({ one: 2, two: 1, needed: 3 });
    expect(t.carry()).toEqual({ one: [700 / 32], two: [500 / 32], spentMs: 1200 });
    expect(steps(new WorkerTrial(), 2).carry()).toEqual({ one: [], two: [], spentMs: 0 }); // warm-ups only
  });

  it("the next run's trial goes on from the carried pairs (after its own warm-up) and decides sooner", () => {
    const carried = { one: [700 / 32, 700 / 32], two: [500 / 32, 500 / 32], spentMs: 2400 };
    const fresh = runTrial(new WorkerTrial(), (side) => (side === 2 ? 500 : 700));
    const goingOn = runTrial(new WorkerTrial({}, carried), (side) => (side === 2 ? 500 : 700));
    expect(goingOn.sides.slice(0, 2)).toEqual([2, 1]); // its own warm-ups
    // The fresh trial spends its 6 s budget at 4 pairs; the carried pairs' time counts toward it.
    expect(fresh.result).toMatchObject({ workers: 2, steps: { one: 4, two: 4 } });
    expect(goingOn.result).toMatchObject({ workers: 2, steps: { one: 4, two: 4 } });
    expect(goingOn.sides.length).toBe(fresh.sides.length - 4);
    // A run of 2 warm-ups + 2 timed steps reaches minSteps with two carried pairs.
    const short = steps(new WorkerTrial({}, carried), 4);
    expect(short.conclude()).toMatchObject({ workers: 2, steps: { one: 3, two: 3 } });
    // Never decides from carried steps alone: at most minSteps - 1 pairs are taken.
    const many = new WorkerTrial({}, { one: [1, 1, 1, 1], two: [2, 2, 2, 2], spentMs: 100 });
    expect(many.progress).toEqual({ one: 2, two: 2, needed: 3 });
    expect(many.conclude()).toBeNull();
  });

  it('the cache keeps the trial under way per device and shape; a verdict ends it; an old one is dropped', () => {
    const p = { deviceKey: 'dev', shapeKey: 'wasm small', msPerExample: { one: [20], two: [15] }, spentMs: 1100, at: 1_000 };
    let stored: unknown = withPending(withVerdict(null, verdict({ shapeKey: 'other' })), p);
    expect(readPending(stored)).toEqual([p]);
    expect(readVerdicts(stored)).toHaveLength(1);
    const key = { deviceKey: 'dev', shapeKey: 'wasm small' };
    expect(planWorkers({ mode: 'auto', stored, ...key, now: 2_000 })).toEqual({ kind: 'trial', carried: p });
    expect(planWorkers({ mode: 'auto', stored, ...key, now: 2_000 + VERDICT_MAX_AGE_MS })).toEqual({ kind: 'trial' });
    expect(planWorkers({ mode: 'auto', stored, ...key, now: 2_000, retime: true })).toEqual({ kind: 'trial' });
    expect(planWorkers({ mode: 'auto', stored, deviceKey: 'dev', shapeKey: 'wasm big', now: 2_000 })).toEqual({ kind: 'trial' });
    // A later undecided run replaces it; one with no whole pair removes it; a verdict ends it and keeps the other shape's.
    const q = { ...p, msPerExample: { one: [20, 21], two: [15, 16] }, at: 3_000 };
    expect(readPending(withPending(stored, q))).toEqual([q]);
    expect(readPending(withPending(stored, { ...p, msPerExample: { one: [], two: [] } }))).toEqual([]);
    stored = withVerdict(stored, verdict());
    expect(readPending(stored)).toEqual([]);
    expect(readVerdicts(stored)).toHaveLength(2);
    // Malformed entries are ignored (unequal sides, a bad time).
    const bad = { version: WORKER_CHOICE_VERSION, entries: [], pending: [{ ...p, msPerExample: { one: [1, 2], two: [1] } }, { ...p, msPerExample: { one: [-1], two: [1] } }, null] };
    expect(readPending(bad)).toEqual([]);
  });
});

describe('trainerBackendKey', () => {
  it('keys a threaded wasm trainer apart from a one-thread one, and leaves other backends as named', () => {
    expect(trainerBackendKey('wasm', 2)).toBe('wasm x2');
    expect(trainerBackendKey('wasm', 1)).toBe('wasm');
    expect(trainerBackendKey('wasm', null)).toBe('wasm');
    expect(trainerBackendKey('webgl', 4)).toBe('webgl');
    expect(modelShapeKey(trainerBackendKey('wasm', 2), createConfig())).not.toBe(modelShapeKey('wasm', createConfig()));
  });
});

describe('trainerWasmThreads', () => {
  it('asks for 2 threads (our conv kernels and their helper) wherever there are 2, else one', () => {
    expect([0, 1, 2, 3, 4, 8, 16].map(trainerWasmThreads)).toEqual([1, 1, 2, 2, 2, 2, 2]);
  });
});
