// Training failures sorted by cause (issue 11): a data error stops on the first backend with its
// own reason and the clips concerned; a full storage at the checkpoint keeps the trained weights
// in memory and saves them once there is room (fake-indexeddb behind a quota); a failing
// backend still moves on to the next one.

import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { DataError, StorageFullError } from '../src/data/index.ts';
import { quotaLimitedFactory } from '../src/data/testKit.ts';
import { ModelError } from '../src/model/index.ts';
import { syntheticSequence, tinyConfig } from '../src/model/testKit.ts';
import { apiOver, H, openTestStores, recordSyntheticClips, W } from './steeringApi.fixtures.ts';
import type { TrainEvent } from './steeringApi.ts';
import { classifyTrainingError, trainingDataError } from './trainingFailure.ts';

async function setup(opts: { frames: number[]; quota?: ReturnType<typeof quotaLimitedFactory> }) {
  const stores = await openTestStores('fail', opts.quota?.factory);
  const ids = await recordSyntheticClips(stores.clips, opts.frames);
  return { api: apiOver(stores, () => 1_000), ids, models: stores.models };
}

describe('classifyTrainingError', () => {
  it('sorts data, quota and backend failures', () => {
    expect(classifyTrainingError(new ModelError('invalid-input', 'the training set holds no complete window'))).toBe('data');
    expect(classifyTrainingError(new DataError('not-found', 'no clip with that id'))).toBe('data');
    expect(classifyTrainingError(new StorageFullError('full', 0))).toBe('quota');
    expect(classifyTrainingError(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))).toBe('quota');
    expect(classifyTrainingError(new DataError('storage', 'wrapped', { cause: new DOMException('q', 'QuotaExceededError') }))).toBe('quota');
    expect(classifyTrainingError(new Error('WebGL context lost'))).toBe('backend');
    expect(classifyTrainingError(new Error('Kernel Conv2D failed'))).toBe('backend');
  });

  it('names the clips too short for one window', () => {
    const err = trainingDataError(new Error('the training set holds no complete window'), [
      { id: 'a', name: 'short one', frameCount: 2 },
      { id: 'b', name: 'long one', frameCount: 60 },
    ], tinyConfig());
    expect(err.message).toMatch(/no complete window/);
    expect(err.message).toMatch(/"short one" \(2 frames\)/);
    expect(err.message).not.toMatch(/long one/);
    expect(err.clips.map((c) => c.id)).toEqual(['a']);
  });
});

describe('training failures in the worker API', () => {
  it('a data error ends with its own message on the first backend', async () => {
    const { api, ids } = await setup({ frames: [2] });
    await api.init({ backend: 'cpu' });
    const events: TrainEvent[] = [];
    const run = api.train({ name: 'short', config: tinyConfig({ training: { epochs: 1 } }), trainClipIds: ids, valClipIds: [], runId: 'd' }, (e) => events.push(e));
    await expect(run).rejects.toThrow(/holds no complete window.*"clip 0" \(2 frames\)/);
    await expect(run).rejects.not.toThrow(/every backend failed/);
    const backends = events.filter((e) => e.kind === 'backend');
    expect(backends).toHaveLength(1); // started on one backend, never moved to another
    expect(backends[0]).toMatchObject({ reason: expect.stringMatching(/^training on/) });
  });

  it('a full storage at the checkpoint keeps the trained weights and saves them once there is room', async () => {
    const quota = quotaLimitedFactory(indexedDB, Infinity, 'throw');
    const { api, ids, models } = await setup({ frames: [60, 60], quota });
    await api.init({ backend: 'cpu' });
    quota.budgetBytes = quota.usedBytes; // from here every write to the model store is refused
    const events: TrainEvent[] = [];
    const out = await api.train({ name: 'kept', config: tinyConfig({ training: { epochs: 2 } }), trainClipIds: [ids[0]], valClipIds: [ids[1]], runId: 'q' }, (e) => events.push(e));
    expect(out.status).toBe('completed');
    expect(out.epochsDone).toBe(2);
    expect(out.modelId).toBeNull();
    expect(out.held).toBe(true);
    expect(events.filter((e) => e.kind === 'backend')).toHaveLength(1);
    const storage = events.filter((e) => e.kind === 'storage');
    expect(storage.map((e) => (e as { reason: string }).reason)).toEqual([
      expect.stringMatching(/checkpoint was not saved/), // reported once, not every epoch
      expect.stringMatching(/kept in memory/),
    ]);
    expect(await models.list()).toEqual([]);
    await expect(api.saveHeldModel()).rejects.toThrow(); // still full
    expect(api.exportHeldModel()?.byteLength).toBeGreaterThan(100);

    quota.budgetBytes = Infinity; // space is back
    const id = await api.saveHeldModel();
    expect(id).toBeTruthy();
    expect((await models.list()).map((m) => m.name)).toEqual(['kept']);
    expect(await api.saveHeldModel()).toBeNull(); // nothing held any more
    const loaded = await api.loadModel(id!, { width: W, height: H });
    expect(loaded).toMatchObject({ kind: 'cnn_lstm', window: 3 });
    const p = await api.predict(syntheticSequence({ count: 1, width: W, height: H }).frames.slice());
    expect(Number.isFinite(p.steering)).toBe(true);
  });
});
