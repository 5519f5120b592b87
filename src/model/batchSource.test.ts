// Batch sources: runs cut so every window appears once with its last frame's targets, batches
// of whole runs, seeded shuffles; and the adapter over the data layer's sequenceDataset, fed
// from a real (fake-indexeddb) clip store, training end to end.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeAll, describe, expect, it } from 'vitest';
import { openClipStore } from '../data/clipStore.ts';
import { SIDE_CAMERAS, recordSyntheticClip, syntheticLabels } from '../data/testKit.ts';
import { CENTER_CAMERA } from '../data/clipTypes.ts';
import { createArrayBatchSource, createDatasetBatchSource, type BatchSource, type TrainingBatch } from './batchSource.ts';
import { createSteeringNet } from './factory.ts';
import { initBackend } from './tfSetup.ts';
import { syntheticSequence, syntheticTargets, tinyConfig } from './testKit.ts';
import { trainModel } from './train.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

async function collect(source: BatchSource, epoch = 0): Promise<TrainingBatch[]> {
  const out: TrainingBatch[] = [];
  for await (const b of source.batches(epoch)) out.push(b);
  return out;
}

const rows = (t: Float32Array): string[] => Array.from({ length: t.length / 3 }, (_, i) => Array.from(t.subarray(i * 3, i * 3 + 3)).map((v) => v.toFixed(5)).join(','));

describe('array batch source', () => {
  const seq = syntheticSequence({ count: 20, width: 4, height: 2 });
  const fb = 4 * 2 * 3;

  it('cuts runs overlapping by T-1 so each window appears once, with its last frame targets', async () => {
    const src = createArrayBatchSource({ sequences: [seq], frameWidth: 4, frameHeight: 2, window: 3, runLength: 6, batchSize: 8, shuffleSeed: null });
    expect(src.exampleCount).toBe(18);
    const batches = await collect(src);
    expect(batches.map((b) => b.lengths)).toEqual([[6, 6], [6, 6], [4]]);
    expect(batches.slice(0, -1).every((b) => b.targets.length / 3 >= 8)).toBe(true);
    const starts = [0, 4, 8, 12, 16];
    let g = 0;
    for (const b of batches) {
      let e = 0;
      let f = 0;
      for (const n of b.lengths) {
        const start = starts[g++];
        expect(b.frames.subarray(f * fb, (f + n) * fb)).toEqual(seq.frames.subarray(start * fb, (start + n) * fb));
        for (let s = 0; s + 3 <= n; s++, e++) {
          expect(Array.from(b.targets.subarray(e * 3, e * 3 + 3))).toEqual(syntheticTargets(start + s + 2).map(Math.fround));
        }
        f += n;
      }
    }
    expect(rows(await src.targets())).toEqual(rows(new Float32Array(batches.flatMap((b) => Array.from(b.targets)))));
  });

  it('makes single-frame groups for the cnn and shuffles reproducibly per epoch', async () => {
    const src = createArrayBatchSource({ sequences: [seq], frameWidth: 4, frameHeight: 2, window: 1, runLength: 16, batchSize: 8, shuffleSeed: 4 });
    const e0 = await collect(src, 0);
    expect(e0.map((b) => b.lengths.length)).toEqual([8, 8, 4]);
    expect(e0.every((b) => b.lengths.every((n) => n === 1))).toBe(true);
    const order = (bs: TrainingBatch[]) => bs.flatMap((b) => rows(b.targets));
    expect(order(await collect(src, 0))).toEqual(order(e0));
    expect(order(await collect(src, 1))).not.toEqual(order(e0));
    expect([...order(e0)].sort()).toEqual([...rows(seq.targets)].sort());
  });
});

describe('sequenceDataset adapter', () => {
  it('streams runs from stored clips with every camera steer label, and trains on them', async () => {
    const store = await openClipStore({ factory: new IDBFactory(), storage: null });
    const shape = { frameWidth: 16, frameHeight: 8 };
    const a = await recordSyntheticClip(store, { steps: 23, chunkSteps: 5, cameras: SIDE_CAMERAS, seed: 1, ...shape });
    const b = await recordSyntheticClip(store, { steps: 9, chunkSteps: 4, seed: 2, ...shape });
    const config = tinyConfig({ sequence: { window: 3, runLength: 7 }, training: { batchSize: 6, epochs: 1 }, balance: { kind: 'curves', minAbsCurvature: 0.01, factor: 2 } });
    const src = await createDatasetBatchSource({ source: store, clipIds: [a.id, b.id], config, shuffle: true });
    expect(src.exampleCount).toBe(3 * 21 + 7);
    expect([src.frameWidth, src.frameHeight, src.window, src.hasCurvature]).toEqual([16, 8, 3, true]);
    const batches = await collect(src);
    for (const batch of batches) {
      expect(batch.lengths.every((n) => n >= 3 && n <= 7)).toBe(true);
      expect(batch.frames.length).toBe(batch.lengths.reduce((s, n) => s + n, 0) * 16 * 8 * 3);
      expect(batch.curvature!.length).toBe(batch.targets.length / 3);
    }
    // Every window once, and its targets are the labels of its last step for its camera.
    const expected: string[] = [];
    for (const [meta, seed] of [[a, 1], [b, 2]] as const) {
      const s = { ...shape, cameras: meta.cameras, seed };
      for (const cam of meta.cameras) {
        for (let end = 2; end < meta.frameCount; end++) {
          const l = syntheticLabels(end, s);
          const steer = cam.id === 'center' ? l.steer : l.cameraSteer![cam.id as 'left' | 'right']!;
          expected.push([steer, l.speed, l.torque].map((v) => Math.fround(v).toFixed(5)).join(','));
        }
      }
    }
    expect(rows(await src.targets())).toEqual(expected);
    expect(batches.flatMap((x) => rows(x.targets)).sort()).toEqual([...expected].sort());

    // With heads.speedAheadS the speed target is read that much later (5 steps at 20 Hz), at most the clip's last step.
    const ahead = tinyConfig({ ...config, heads: { speedAheadS: 0.25 } });
    const aheadSrc = await createDatasetBatchSource({ source: store, clipIds: [b.id], config: ahead, shuffle: false, cameras: [CENTER_CAMERA.id] });
    const s2 = { ...shape, cameras: b.cameras, seed: 2 };
    const aheadSpeeds = Array.from({ length: b.frameCount - 2 }, (_, i) => Math.fround(syntheticLabels(Math.min(i + 2 + 5, b.frameCount - 1), s2).speed));
    const got = await aheadSrc.targets();
    expect(Array.from({ length: got.length / 3 }, (_, i) => got[i * 3 + 1])).toEqual(aheadSpeeds);
    expect((await collect(aheadSrc)).flatMap((x) => Array.from({ length: x.targets.length / 3 }, (_, i) => x.targets[i * 3 + 1]))).toEqual(aheadSpeeds);

    // With heads.speedLabel 'target' the expert's steps read the expert's speedTarget, the others the speed ahead: in targets() as in the batches.
    const c = await recordSyntheticClip(store, { steps: 60, chunkSteps: 8, seed: 3, ...shape });
    const s3 = { ...shape, cameras: c.cameras, seed: 3 };
    const byTarget = tinyConfig({ ...config, heads: { speedAheadS: 0.25, speedLabel: 'target' } });
    const targetSrc = await createDatasetBatchSource({ source: store, clipIds: [c.id], config: byTarget, shuffle: false, cameras: [CENTER_CAMERA.id] });
    const targetSpeeds = Array.from({ length: c.frameCount - 2 }, (_, i) => {
      const row = syntheticLabels(i + 2, s3);
      return Math.fround(row.driver === 'expert' ? row.speedTarget! : syntheticLabels(Math.min(i + 2 + 5, c.frameCount - 1), s3).speed);
    });
    expect(targetSpeeds.filter((_, i) => syntheticLabels(i + 2, s3).driver === 'expert')).toHaveLength(25);
    const got2 = await targetSrc.targets();
    expect(Array.from({ length: got2.length / 3 }, (_, i) => got2[i * 3 + 1])).toEqual(targetSpeeds);
    expect((await collect(targetSrc)).flatMap((x) => Array.from({ length: x.targets.length / 3 }, (_, i) => x.targets[i * 3 + 1]))).toEqual(targetSpeeds);

    const net = createSteeringNet(config);
    try {
      const result = await trainModel({
        net, train: src, yieldToEventLoop: async () => {},
        validation: await createDatasetBatchSource({ source: store, clipIds: [b.id], config, shuffle: false, cameras: [CENTER_CAMERA.id] }),
      });
      expect(result.status).toBe('completed');
      expect(result.history[0].examples).toBe(70);
      expect(Number.isFinite(result.history[0].valLoss!)).toBe(true);
    } finally {
      net.dispose();
      store.close();
    }
  });

  it('with sequence.padStart, adds the windows ending at each clip\'s first T-1 steps, front-filled with its first frame and speed', async () => {
    const store = await openClipStore({ factory: new IDBFactory(), storage: null });
    const shape = { frameWidth: 16, frameHeight: 8 };
    const a = await recordSyntheticClip(store, { steps: 23, chunkSteps: 5, cameras: SIDE_CAMERAS, seed: 1, ...shape });
    const b = await recordSyntheticClip(store, { steps: 2, chunkSteps: 4, seed: 2, ...shape });
    const T = 4;
    const base = { input: { speed: true }, sequence: { window: T, runLength: 8 }, training: { batchSize: 5 } } as const;
    const plain = await createDatasetBatchSource({ source: store, clipIds: [a.id, b.id], config: tinyConfig(base), shuffle: false });
    const config = tinyConfig({ ...base, sequence: { ...base.sequence, padStart: true } });
    const src = await createDatasetBatchSource({ source: store, clipIds: [a.id, b.id], config, shuffle: false });
    // Clip a's three cameras gain T-1 windows each; clip b, shorter than a window, none.
    expect(plain.exampleCount).toBe(3 * 20);
    expect(src.exampleCount).toBe(3 * 23);
    const fb = 16 * 8 * 3;
    const batches = await collect(src);
    expect(batches.reduce((n, x) => n + x.targets.length / 3, 0)).toBe(src.exampleCount);
    // In order: the first run of the first camera is T-1 copies of step 0, then steps 0.., and its
    // windows' targets are the labels of steps 0, 1, 2, ...; its speeds start with T copies of step 0's.
    const first = batches[0];
    expect(first.lengths[0]).toBe(8 + T - 1);
    for (let i = 0; i < T; i++) expect(first.frames.subarray(i * fb, (i + 1) * fb)).toEqual(first.frames.subarray((T - 1) * fb, T * fb));
    expect(first.frames.subarray(T * fb, (T + 1) * fb)).not.toEqual(first.frames.subarray(0, fb));
    const s1 = { ...shape, cameras: a.cameras, seed: 1 };
    const label0 = syntheticLabels(0, s1);
    expect(Array.from(first.speeds!.subarray(0, T))).toEqual(new Array(T).fill(Math.fround(label0.speed)));
    const steerOf = (end: number) => Math.fround(syntheticLabels(end, s1).steer);
    expect(Array.from({ length: 8 }, (_, i) => first.targets[i * 3])).toEqual(Array.from({ length: 8 }, (_, i) => steerOf(i)));
    // targets() holds the same windows as the batches.
    expect(rows(await src.targets())).toEqual(batches.flatMap((x) => rows(x.targets)));
    // Every later run and the windows without padding are unchanged.
    const plainRows = (await collect(plain)).flatMap((x) => rows(x.targets));
    const paddedRows = batches.flatMap((x) => rows(x.targets));
    for (const r of plainRows) expect(paddedRows).toContain(r);
    store.close();
  });

  it('batches single frames for the cnn', async () => {
    const store = await openClipStore({ factory: new IDBFactory(), storage: null });
    const clip = await recordSyntheticClip(store, { steps: 13, chunkSteps: 4, frameWidth: 16, frameHeight: 8 });
    const config = tinyConfig({ sequence: { kind: 'cnn' }, training: { batchSize: 5 } });
    const src = await createDatasetBatchSource({ source: store, clipIds: [clip.id], config, shuffle: false });
    const batches = await collect(src);
    expect(batches.map((x) => x.lengths)).toEqual([[1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1]]);
    expect(batches[0].curvature).toBeUndefined();
    expect(rows(await src.targets())).toEqual(batches.flatMap((x) => rows(x.targets)));
    store.close();
  });
});
