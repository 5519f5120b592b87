// One or two training workers in the worker API (trainingWorkers.ts), in Node with a peer worker
// API over a real MessageChannel: 'auto' times both over the first steps and caches the verdict
// in the settings store, the next run of the same shape uses it without a trial, a new shape or
// a forgotten verdict (the setting changed) times again, and 'two' never times.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { SettingsStore } from '../src/data/index.ts';
import { tinyConfig } from '../src/model/testKit.ts';
import { readPending, readVerdicts, WORKER_VERDICTS_KEY } from '../src/model/workerChoice.ts';
import { z } from 'zod';
import { apiOver, openTestStores, recordSyntheticClips } from './steeringApi.fixtures.ts';
import type { TrainEvent, TrainRequest } from './steeringApi.ts';

async function setup(frames: number[] = [60, 60]) {
  const stores = await openTestStores('workers');
  const { settings } = stores;
  const ids = await recordSyntheticClips(stores.clips, frames);
  const api = apiOver(stores, () => Date.UTC(2026, 11, 5));
  await api.init({ backend: 'wasm' });
  const peerApi = apiOver(stores, () => 0);
  /** One run with a fresh peer; its 'workers' events. */
  const run = async (req: Partial<TrainRequest>): Promise<Extract<TrainEvent, { kind: 'workers' }>[]> => {
    const { port1, port2 } = new MessageChannel();
    const served = peerApi.servePeer(port2);
    const events: TrainEvent[] = [];
    const out = await api.train({ name: 'm', config: tinyConfig({ training: { epochs: 2 } }), trainClipIds: ids, valClipIds: [], runId: `r${Math.random()}`, peerPort: port1, ...req }, (e) => events.push(e));
    expect(out.status).toBe('completed');
    await served;
    port2.close();
    expect(events.some((e) => e.kind === 'backend' && /failed/.test(e.reason))).toBe(false);
    return events.filter((e) => e.kind === 'workers');
  };
  return { run, settings };
}

const stored = async (settings: SettingsStore) => readVerdicts(await settings.get(WORKER_VERDICTS_KEY, z.unknown(), null));
const pending = async (settings: SettingsStore) => readPending(await settings.get(WORKER_VERDICTS_KEY, z.unknown(), null));

describe("Training workers 'auto' in the worker API", () => {
  it('times one against two in the first run, caches the verdict, and the next run of the shape uses it without a trial', async () => {
    const { run, settings } = await setup();
    const first = await run({ peerMode: 'auto' });
    expect(first[0]).toMatchObject({ workers: null, ratio: null });
    expect(first[0].reason).toMatch(/timing two workers against one/);
    expect(first).toHaveLength(2);
    const verdict = first[1];
    expect(verdict.workers === 1 || verdict.workers === 2).toBe(true);
    expect(verdict.ratio).toBeGreaterThan(0);
    expect(verdict.reason).toMatch(verdict.workers === 2 ? /^two workers, \d+\.\d\dx one/ : /^one worker: two measured \d+\.\d\dx/);
    // The cache write settles after the event.
    await expect.poll(async () => (await stored(settings)).length).toBe(1);
    const [cached] = await stored(settings);
    expect(cached).toMatchObject({ workers: verdict.workers, ratio: verdict.ratio });
    expect(cached.shapeKey).toMatch(/^wasm /);

    const second = await run({ peerMode: 'auto' });
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({ workers: verdict.workers, ratio: verdict.ratio });
    expect(second[0].reason).toMatch(/measured 2026-12-05; change Settings > Training workers to measure again/);

    // Another shape: a trial of its own, and both verdicts kept.
    const other = await run({ peerMode: 'auto', config: tinyConfig({ training: { epochs: 2, batchSize: 4 } }) });
    expect(other[0].workers).toBeNull();
    await expect.poll(async () => (await stored(settings)).length).toBe(2);

    // The app forgets the verdicts when the setting changes: the next run times again.
    await settings.remove(WORKER_VERDICTS_KEY);
    expect((await run({ peerMode: 'auto' }))[0].workers).toBeNull();
  }, 120_000);

  it("'two' (and a request without a mode) keeps the peer for every step, with no trial and nothing cached", async () => {
    const { run, settings } = await setup();
    for (const peerMode of ['two', undefined] as const) {
      const events = await run(peerMode ? { peerMode } : {});
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ workers: 2, ratio: null });
    }
    expect(await stored(settings)).toEqual([]);
  }, 60_000);

  it('a run shorter than the trial says it did not decide and leaves its timed steps to the next, which goes on from them until one decides', async () => {
    // One clip of 34 frames: 32 windows, 4 batches an epoch: two warm-up steps and one timed pair per run.
    const { run, settings } = await setup([34]);
    const short = { peerMode: 'auto' as const, config: tinyConfig({ training: { epochs: 1 } }) };
    const first = await run(short);
    expect(first.map((e) => e.workers)).toEqual([null, null]);
    expect(first[1].reason).toBe('not decided: the run ended after 1 of the 3 timed steps per side a verdict needs (one worker 1, two 1); the next run goes on from its 1 timed step per side');
    expect(await stored(settings)).toEqual([]);
    expect((await pending(settings)).map((p) => p.msPerExample.one.length)).toEqual([1]);

    const second = await run(short);
    expect(second[0].reason).toMatch(/going on from the last run's 1 timed step per side$/);
    expect(second[1].reason).toMatch(/^not decided: the run ended after 2 of the 3 .* goes on from its 2 timed steps per side$/);

    const third = await run(short); // 2 carried pairs + its own: a verdict from the steps it had
    expect(third[0].reason).toMatch(/going on from the last run's 2 timed steps per side$/);
    expect(third[1].workers === 1 || third[1].workers === 2).toBe(true);
    await expect.poll(async () => (await stored(settings)).length).toBe(1);
    expect((await stored(settings))[0].steps).toEqual({ one: 3, two: 3 });
    expect(await pending(settings)).toEqual([]);
  }, 180_000);
});
