import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { openClipDb } from './clipDb.ts';
import { DataError } from './dataErrors.ts';
import type { ModelArtifacts, ModelMetaInput, ModelStore } from './modelStore.ts';
import { openModelStore } from './modelStore.ts';
import { quotaLimitedFactory, transactionLog } from './testKit.ts';

function meta(name: string, createdAt: number): ModelMetaInput {
  return {
    name,
    kind: 'cnn_lstm',
    config: { version: 1, seed: 7, encoder: { conv: [{ filters: 24, kernel: 5, stride: 2 }] }, sequence: { length: 10 } },
    normalization: { steering: { mean: -0.01, std: 0.31 }, speed: { mean: 14.2, std: 3.5 } },
    clipIds: ['clip-a', 'clip-b'],
    metrics: { valLoss: 0.042, rmse: { steering: 0.11 }, epochs: [{ loss: 0.2 }, { loss: 0.05 }] },
    createdAt,
    backend: 'wasm',
    inputShape: [10, 66, 200, 3],
  };
}

/** Weights whose every byte follows from the seed: conv kernel (float32), a step counter (int32), a mask (bool). */
function artifacts(seed: number): ModelArtifacts {
  const kernel = Float32Array.from({ length: 5 * 5 * 3 * 24 }, (_, i) => Math.sin(i * 0.37 + seed) * 0.1);
  const data = new Uint8Array(kernel.byteLength + 4 + 3);
  data.set(new Uint8Array(kernel.buffer), 0);
  new DataView(data.buffer).setInt32(kernel.byteLength, 1000 + seed, true);
  data.set([1, 0, 1], kernel.byteLength + 4);
  return {
    topology: { format: 'deepsteer-net', layers: [{ name: 'conv1', kind: 'conv2d' }, { name: 'lstm', units: 64 }] },
    weightSpecs: [
      { name: 'conv1/kernel', shape: [5, 5, 3, 24] },
      { name: 'step', shape: [], dtype: 'int32' },
      { name: 'mask', shape: [3], dtype: 'bool' },
    ],
    weightData: data.buffer,
  };
}

async function freshStore(factory: IDBFactory = new IDBFactory()): Promise<ModelStore> {
  let n = 0;
  return openModelStore({ factory, newId: () => `model-${++n}` });
}

describe('model store', () => {
  it('saves, lists, loads bit-exact, renames and deletes models', async () => {
    const factory = new IDBFactory();
    const store = await freshStore(factory);
    const a = await store.save({ meta: meta('  first  ', 2000), artifacts: artifacts(1) });
    const b = await store.save({ meta: meta('second', 1000), artifacts: artifacts(2) });
    expect([a, b]).toEqual(['model-1', 'model-2']);
    store.close();

    const again = await openModelStore({ factory });
    const list = await again.list();
    expect(list.map((m) => [m.id, m.name, m.createdAt])).toEqual([['model-2', 'second', 1000], ['model-1', 'first', 2000]]);
    expect(list[1]).toEqual({ ...meta('first', 2000), id: 'model-1', weightBytes: 5 * 5 * 3 * 24 * 4 + 4 + 3 });

    const loaded = await again.load(a);
    const want = artifacts(1);
    expect(loaded.meta).toEqual(list[1]);
    expect(loaded.artifacts.topology).toEqual(want.topology);
    expect(loaded.artifacts.weightSpecs).toEqual(want.weightSpecs);
    expect(loaded.artifacts.weightData).toBeInstanceOf(ArrayBuffer);
    expect(new Uint8Array(loaded.artifacts.weightData)).toEqual(new Uint8Array(want.weightData));
    expect(new DataView(loaded.artifacts.weightData).getInt32(5 * 5 * 3 * 24 * 4, true)).toBe(1001);

    expect(await again.rename(a, ' best so far ')).toMatchObject({ id: a, name: 'best so far' });
    expect((await again.getMeta(a)).name).toBe('best so far');
    await expect(again.rename(a, '   ')).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(again.rename('nope', 'x')).rejects.toMatchObject({ code: 'not-found' });

    await again.remove(a);
    expect((await again.list()).map((m) => m.id)).toEqual([b]);
    await expect(again.load(a)).rejects.toMatchObject({ code: 'not-found', message: "no saved model with id 'model-1'" });
    await expect(again.remove(a)).rejects.toMatchObject({ code: 'not-found' });
    const raw = await openClipDb({ factory });
    expect(await raw.getAllKeys('modelArtifacts')).toEqual([b]);
    raw.close();
  });

  it('lists models without reading topology or weights', async () => {
    const { factory, log } = transactionLog(new IDBFactory());
    const store = await freshStore(factory);
    await store.save({ meta: meta('m', 1), artifacts: artifacts(1) });
    log.length = 0;
    await store.list();
    await store.getMeta('model-1');
    expect(log).toEqual([['models'], ['models']]);
    await store.load('model-1');
    expect(log.at(-1)).toEqual(['models', 'modelArtifacts']);
  });

  it('keeps meta fields it does not know, and refuses malformed metas and artifacts naming the field', async () => {
    const store = await freshStore();
    const id = await store.save({ meta: { ...meta('extra', 5), notes: 'trained on the oval', epochsPlanned: 20 } as ModelMetaInput, artifacts: artifacts(3) });
    expect(await store.getMeta(id)).toMatchObject({ notes: 'trained on the oval', epochsPlanned: 20 });

    const good = artifacts(4);
    const cases: [Partial<ModelMetaInput>, Partial<ModelArtifacts>, RegExp][] = [
      [{ name: '' }, {}, /the model's meta: name: Too small/],
      [{ createdAt: Number.NaN }, {}, /the model's meta: createdAt:/],
      [{ inputShape: [66, 0, 3] }, {}, /the model's meta: inputShape\[1\]: Too small/],
      [{ metrics: { valLoss: Number.NaN } }, {}, /the model's meta: metrics:/],
      [{}, { weightData: new Float32Array(4) as unknown as ArrayBuffer }, /the model's artifacts: weightData: must be an ArrayBuffer/],
      [{}, { weightData: good.weightData.slice(1) }, /weight specs describe 7207 bytes but weightData has 7206/],
      [{}, { weightSpecs: [...good.weightSpecs, { name: 'step', shape: [0] }] }, /weight 'step' is listed twice/],
      [{}, { weightSpecs: [{ name: 'q', shape: [2], dtype: 'float16' as never }] }, /weightSpecs\[0\]\.dtype/],
      [{}, { weightSpecs: [{ name: 'q', shape: [2], quantization: { dtype: 'uint8' } } as never] }, /weightSpecs\[0\]: Unrecognized key: "quantization"/],
      [{}, { topology: { layers: [undefined] } }, /the model's artifacts: topology/],
    ];
    for (const [m, a, message] of cases) {
      const err = await store.save({ meta: { ...meta('bad', 6), ...m }, artifacts: { ...good, ...a } }).then(() => null, (e: unknown) => e);
      expect(err, String(message)).toBeInstanceOf(DataError);
      expect(err).toMatchObject({ code: 'invalid-input', message: expect.stringMatching(message) });
    }
    expect((await store.list()).map((m) => m.id)).toEqual([id]);
  });

  it('reports a full quota and changes nothing', async () => {
    for (const mode of ['throw', 'abort'] as const) {
      const quota = quotaLimitedFactory(new IDBFactory(), Infinity, mode);
      const store = await freshStore(quota.factory);
      const kept = await store.save({ meta: meta('kept', 1), artifacts: artifacts(1) });
      await store.saveCheckpoint('run-1', { epochsDone: 3, weights: new Float32Array([1, 2]).buffer }, { savedAt: 10 });
      quota.budgetBytes = quota.usedBytes + 1000; // room for the meta, not for the weights
      const err = await store.save({ meta: meta('big', 2), artifacts: artifacts(2) }).then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ name: 'StorageFullError', code: 'storage-full', message: "saving model 'big': the browser's storage for this site is full" });
      expect((await store.list()).map((m) => m.id)).toEqual([kept]);
      const raw = await openClipDb({ factory: quota.factory });
      expect(await raw.getAllKeys('modelArtifacts')).toEqual([kept]);
      raw.close();

      quota.budgetBytes = quota.usedBytes;
      await expect(store.saveCheckpoint('run-1', { epochsDone: 4 }, { savedAt: 20 })).rejects.toMatchObject({ code: 'storage-full' });
      expect(await store.loadCheckpoint('run-1')).toMatchObject({ savedAt: 10, checkpoint: { epochsDone: 3 } });
      await expect(store.rename(kept, 'renamed')).rejects.toMatchObject({ code: 'storage-full' });
      expect((await store.getMeta(kept)).name).toBe('kept');
    }
  });
});

describe('training checkpoint slots', () => {
  it('keeps one checkpoint per run, with its ArrayBuffers, until cleared; lists runs newest first without reading them', async () => {
    const factory = new IDBFactory();
    const store = await freshStore(factory);
    expect(await store.loadCheckpoint('run-1')).toBeNull();
    const checkpoint = (epochsDone: number) => ({
      format: 'deepsteer-checkpoint',
      version: 1,
      epochsDone,
      weights: { entries: [{ name: 'w', shape: [3] }], data: new Float32Array([epochsDone, 0.5, -2]).buffer },
      bestWeights: null,
      history: Array.from({ length: epochsDone }, (_, e) => ({ epoch: e, loss: 1 / (e + 1) })),
    });
    await store.saveCheckpoint('run-1', checkpoint(1), { savedAt: 100 });
    await store.saveCheckpoint('run-2', checkpoint(5), { savedAt: 300 });
    await store.saveCheckpoint('run-1', checkpoint(2), { savedAt: 200 });
    store.close();

    // A reloaded tab: a new connection finds the newest run and resumes from it.
    const { factory: logged, log } = transactionLog(factory);
    const again = await openModelStore({ factory: logged });
    expect(await again.listCheckpoints()).toEqual([{ runId: 'run-2', savedAt: 300 }, { runId: 'run-1', savedAt: 200 }]);
    const slot = await again.loadCheckpoint('run-1');
    expect(slot).toMatchObject({ runId: 'run-1', savedAt: 200, checkpoint: { epochsDone: 2, bestWeights: null } });
    const c = slot!.checkpoint as ReturnType<typeof checkpoint>;
    expect(c.weights.data).toBeInstanceOf(ArrayBuffer);
    expect(Array.from(new Float32Array(c.weights.data))).toEqual([2, 0.5, -2]);
    expect(c.history).toHaveLength(2);

    await again.clearCheckpoint('run-1');
    await again.clearCheckpoint('run-1');
    expect(await again.loadCheckpoint('run-1')).toBeNull();
    expect(await again.listCheckpoints()).toEqual([{ runId: 'run-2', savedAt: 300 }]);
    expect(log.every((stores) => stores.length === 1 && stores[0] === 'checkpoints')).toBe(true);
  });

  it('refuses what cannot be stored', async () => {
    const store = await freshStore();
    await expect(store.saveCheckpoint('run', { step: () => 1 }, { savedAt: 1 })).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringMatching(/^saving the training checkpoint: the value cannot be stored \(DataCloneError/),
    });
    await expect(store.saveCheckpoint('', { a: 1 }, { savedAt: 1 })).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(store.saveCheckpoint('run', { a: 1 }, { savedAt: Number.NaN })).rejects.toMatchObject({ code: 'invalid-input' });
    await expect(store.saveCheckpoint('run', undefined, { savedAt: 1 })).rejects.toMatchObject({ code: 'invalid-input' });
    expect(await store.listCheckpoints()).toEqual([]);
  });
});
