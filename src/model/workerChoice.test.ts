// One or two training workers by measurement (workerChoice.ts), with made-up step times: the
// trial's schedule, its verdict (two only when faster by the margin), the cache per device and
// shape, and when it measures again.
import { describe, expect, it } from 'vitest';
import { createConfig } from './config.ts';
import {
  describeChoice, modelShapeKey, planWorkers, readVerdicts, TWO_WORKER_MARGIN, VERDICT_MAX_AGE_MS, verdictOf, WORKER_CHOICE_VERSION,
  type WorkerCount, WorkerTrial, type WorkerVerdict, withVerdict,
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
