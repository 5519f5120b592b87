import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { ClipSource, ClipStore } from './clipStore.ts';
import { openClipStore, steerBin } from './clipStore.ts';
import type { CameraId, ClipMeta } from './clipTypes.ts';
import { CENTER_CAMERA } from './clipTypes.ts';
import { createSequenceDataset, splitClips } from './sequenceDataset.ts';
import type { SequenceBatch } from './sequenceDataset.ts';
import { SIDE_CAMERAS, recordSyntheticClip, syntheticFrame, syntheticLabels, syntheticStep } from './testKit.ts';

const W = 8;
const H = 4;
const FB = W * H * 3;

async function fixture(): Promise<{ store: ClipStore; a: ClipMeta; b: ClipMeta }> {
  const store = await openClipStore({ factory: new IDBFactory(), storage: null });
  const a = await recordSyntheticClip(store, { steps: 33, chunkSteps: 10, cameras: SIDE_CAMERAS, seed: 1, frameWidth: W, frameHeight: H });
  const b = await recordSyntheticClip(store, { steps: 12, chunkSteps: 5, seed: 2, frameWidth: W, frameHeight: H });
  return { store, a, b };
}

const camIndex = (meta: ClipMeta, id: CameraId): number => meta.cameras.findIndex((c) => c.id === id);

async function collect(it: AsyncGenerator<SequenceBatch>): Promise<SequenceBatch[]> {
  const out: SequenceBatch[] = [];
  for await (const b of it) out.push(b);
  return out;
}

describe('sequenceDataset', () => {
  it('yields windows of T consecutive frames per camera with the last step labels, across chunk boundaries', async () => {
    const { store, a, b } = await fixture();
    const ds = await createSequenceDataset(store, { clipIds: [a.id, b.id], windowLength: 4, stride: 3, batchSize: 5 });
    // a: ends 3, 6, ..., 30 (10 per camera, 3 cameras); b: ends 3, 6, 9 (3).
    expect(ds.windowCount).toBe(33);
    const batches = await collect(ds.batches());
    expect(batches.map((x) => x.size)).toEqual([5, 5, 5, 5, 5, 5, 3]);
    const seen: string[] = [];
    for (const batch of batches) {
      expect(batch.frames.length).toBe(batch.size * 4 * FB);
      for (const [j, w] of batch.windows.entries()) {
        const meta = w.clipId === a.id ? a : b;
        const shape = { frameWidth: W, frameHeight: H, cameras: meta.cameras, seed: meta === a ? 1 : 2 };
        const c = camIndex(meta, w.camera);
        for (let t = 0; t < 4; t++) {
          const got = batch.frames.subarray((j * 4 + t) * FB, (j * 4 + t + 1) * FB);
          expect(got).toEqual(syntheticFrame(w.end - 3 + t, c, shape));
        }
        const l = syntheticLabels(w.end, shape);
        const steer = w.camera === 'center' ? l.steer : l.cameraSteer![w.camera]!;
        expect(Array.from(batch.labels.subarray(j * 3, j * 3 + 3))).toEqual([Math.fround(steer), Math.fround(l.speed), Math.fround(l.torque)]);
        seen.push(`${meta === a ? 'a' : 'b'}:${w.camera}:${w.end}`);
      }
    }
    expect(seen.slice(0, 11)).toEqual([...[3, 6, 9, 12, 15, 18, 21, 24, 27, 30].map((e) => `a:center:${e}`), 'a:left:3']);
    expect(seen.slice(-3)).toEqual(['b:center:3', 'b:center:6', 'b:center:9']);
  });

  it('shuffles reproducibly from the seed, differently per epoch, visiting every window once', async () => {
    const { store, a, b } = await fixture();
    const make = (seed: number | string) =>
      createSequenceDataset(store, { clipIds: [a.id, b.id], windowLength: 3, batchSize: 7, shuffle: { seed }, cameras: ['center', 'right'] });
    const order = async (seed: number | string, epoch: number): Promise<string[]> =>
      (await collect((await make(seed)).batches(epoch))).flatMap((x) => x.windows.map((w) => `${w.clipId}:${w.camera}:${w.end}`));
    const first = await order('run-1', 0);
    expect(await order('run-1', 0)).toEqual(first);
    expect(await order('run-1', 1)).not.toEqual(first);
    expect(await order('run-2', 0)).not.toEqual(first);
    const all = (await collect((await createSequenceDataset(store, { clipIds: [a.id, b.id], windowLength: 3, batchSize: 7, cameras: ['center', 'right'] })).batches()))
      .flatMap((x) => x.windows.map((w) => `${w.clipId}:${w.camera}:${w.end}`));
    expect(all).toHaveLength(31 * 2 + 10);
    expect([...first].sort()).toEqual([...all].sort());
    expect(first).not.toEqual(all);
  });

  it('keeps at most cacheChunks chunks and reads each chunk about once per shuffled epoch', async () => {
    const store = await openClipStore({ factory: new IDBFactory(), storage: null });
    const m = await recordSyntheticClip(store, { steps: 400, chunkSteps: 10, frameWidth: W, frameHeight: H });
    let reads = 0;
    const counting: ClipSource = {
      getMeta: (id) => store.getMeta(id),
      labels: (id) => store.labels(id),
      readChunk: (id, i) => (reads++, store.readChunk(id, i)),
    };
    const blocky = await createSequenceDataset(counting, { clipIds: [m.id], windowLength: 5, batchSize: 16, shuffle: { seed: 1 }, cacheChunks: 4 });
    for await (const batch of blocky.batches()) expect(batch.frames.length).toBe(batch.size * 5 * FB);
    const s = blocky.stats();
    expect(s.maxCachedChunks).toBeLessThanOrEqual(4);
    expect(s.maxCachedBytes).toBeLessThanOrEqual(4 * 10 * FB);
    expect(s.chunkReads).toBe(reads);
    expect(reads).toBeLessThanOrEqual(2 * 40);

    reads = 0;
    const scattered = await createSequenceDataset(counting, {
      clipIds: [m.id], windowLength: 5, batchSize: 16, shuffle: { seed: 1, span: Infinity }, cacheChunks: 4,
    });
    for await (const batch of scattered.batches()) void batch;
    expect(scattered.stats().maxCachedChunks).toBeLessThanOrEqual(4);
    expect(reads).toBeGreaterThan(4 * 40); // a full shuffle defeats the small cache: why blocks are the default
  });

  it('reads each chunk about once per shuffled epoch of runs too (every camera of a step is in one chunk)', async () => {
    const store = await openClipStore({ factory: new IDBFactory(), storage: null });
    const clips = [
      await recordSyntheticClip(store, { steps: 200, chunkSteps: 10, frameWidth: W, frameHeight: H, cameras: SIDE_CAMERAS }),
      await recordSyntheticClip(store, { steps: 150, chunkSteps: 10, frameWidth: W, frameHeight: H, cameras: SIDE_CAMERAS, seed: 2 }),
    ];
    let reads = 0;
    const counting: ClipSource = {
      getMeta: (id) => store.getMeta(id),
      labels: (id) => store.labels(id),
      readChunk: (id, i) => (reads++, store.readChunk(id, i)),
    };
    const epoch = async (span?: number): Promise<{ order: string[]; windows: number }> => {
      reads = 0;
      const ds = await createSequenceDataset(counting, { clipIds: clips.map((c) => c.id), windowLength: 4, batchSize: 1, shuffle: { seed: 5, ...(span ? { span } : {}) }, cacheChunks: 4 });
      const order: string[] = [];
      let windows = 0;
      for await (const run of ds.runs({ runLength: 8 })) {
        order.push(`${run.clipId}:${run.camera}:${run.start}`);
        windows += run.count - 3;
      }
      expect(ds.stats().maxCachedChunks).toBeLessThanOrEqual(4);
      return { order, windows };
    };
    const blocky = await epoch();
    expect(blocky.windows).toBe((197 + 147) * 3); // every window of every camera, once
    expect(reads).toBeLessThanOrEqual(2 * 35); // 35 chunks
    const scattered = await epoch(Infinity);
    expect([...scattered.order].sort()).toEqual([...blocky.order].sort());
    expect(reads).toBeGreaterThan(3 * 35); // runs of one camera, chunks of all three: the full shuffle reads each chunk ~5 times
  });

  it('balances steering bins and oversamples curves from the labels, keeping the window count', async () => {
    const store = await openClipStore({ factory: new IDBFactory(), storage: null });
    // Mostly straight driving, as players record: 70% near 0, few hard turns.
    const shape = { frameWidth: 2, frameHeight: 2, cameras: [CENTER_CAMERA] };
    const writer = await store.startRecording({ name: 'skewed', createdAt: 1, trackId: '1', theme: 't', simVersion: 's', chunkSteps: 20, ...shape });
    const steerOf = (i: number): number => (i % 100 < 70 ? 0.1 : i % 100 < 90 ? -0.3 : i % 100 < 97 ? 0.7 : -0.8);
    for (let i = 0; i < 400; i++) {
      const step = syntheticStep(i, shape);
      writer.append({ ...step, labels: { ...step.labels, steer: steerOf(i) } });
    }
    const m = await writer.finish();
    const labels = await store.labels(m.id);
    const binCounts = async (weighting: Parameters<typeof createSequenceDataset>[1]['weighting']): Promise<number[]> => {
      const ds = await createSequenceDataset(store, { clipIds: [m.id], windowLength: 1, batchSize: 64, weighting, shuffle: { seed: 3 } });
      const counts = [0, 0, 0, 0];
      let n = 0;
      for await (const batch of ds.batches()) {
        for (const w of batch.windows) {
          counts[steerBin(labels.steer[w.end], 4)]++;
          n++;
        }
      }
      expect(n).toBe(400);
      return counts;
    };
    const plain = await binCounts({ kind: 'none' });
    const balanced = await binCounts({ kind: 'steer-bins', bins: 4 });
    const spread = (c: number[]): number => Math.max(...c) / Math.min(...c);
    expect(plain).toEqual([12, 80, 280, 28]);
    expect(spread(balanced)).toBeLessThan(1.05);

    const curveShare = async (factor: number): Promise<number> => {
      const ds = await createSequenceDataset(store, {
        clipIds: [m.id], windowLength: 1, batchSize: 64, weighting: { kind: 'curves', minAbsCurvature: 0.01, factor }, shuffle: { seed: 3 },
      });
      let curves = 0;
      for await (const batch of ds.batches()) for (const w of batch.windows) if (Math.abs(labels.curvatureAhead[w.end]) >= 0.01) curves++;
      return curves / 400;
    };
    expect(await curveShare(1)).toBe(0.75); // synthetic labels: 3 steps in 4 are in curves
    expect(await curveShare(3)).toBeCloseTo(0.9, 2); // weights 3 x 300 vs 100
  });

  it('gives contiguous runs that hold every window exactly once', async () => {
    const { store, a, b } = await fixture();
    const ds = await createSequenceDataset(store, { clipIds: [a.id, b.id], windowLength: 4, batchSize: 1, labelFields: ['steer', 'tick'], shuffle: { seed: 9 } });
    const windows = new Set<string>();
    for await (const run of ds.runs({ runLength: 10 })) {
      const meta = run.clipId === a.id ? a : b;
      expect(run.frames).toEqual(await store.readFrames(meta.id, { start: run.start, end: run.start + run.count, camera: run.camera }));
      for (let i = 0; i < run.count; i++) expect(run.labels[i * 2 + 1]).toBe((run.start + i) * 3);
      for (let end = run.start + 3; end < run.start + run.count; end++) {
        const key = `${run.clipId}:${run.camera}:${end}`;
        expect(windows.has(key)).toBe(false);
        windows.add(key);
      }
    }
    expect(windows.size).toBe(30 * 3 + 9);
    const one = await ds.readRun(a.id, 'left', 8, 4);
    expect(one.frames.subarray(0, FB)).toEqual(syntheticFrame(8, 1, { frameWidth: W, frameHeight: H, cameras: SIDE_CAMERAS, seed: 1 }));
    await expect(ds.readRun(b.id, 'left', 0, 2)).rejects.toThrow(/no 'left' camera/);
    await expect(ds.runs({ runLength: 3 }).next()).rejects.toThrow(/runLength must be an integer >= windowLength \(4\)/);
  });

  it('refuses clips of different frame sizes and bad sizes', async () => {
    const { store, a } = await fixture();
    const other = await recordSyntheticClip(store, { steps: 5, frameWidth: 4, frameHeight: 4 });
    await expect(createSequenceDataset(store, { clipIds: [a.id, other.id], windowLength: 2, batchSize: 1 })).rejects.toThrow(/share a frame size/);
    await expect(createSequenceDataset(store, { clipIds: [a.id], windowLength: 0, batchSize: 1 })).rejects.toThrow(/windowLength must be a positive integer/);
  });

  it('splits by tag or by a seeded fraction, whole clips only', () => {
    const meta = (id: string, tag: ClipMeta['tag']): ClipMeta => ({ id, tag, cameras: [CENTER_CAMERA] }) as unknown as ClipMeta;
    const metas = [meta('t', 'train'), meta('v', 'val'), ...'abcdefgh'.split('').map((x) => meta(x, null))];
    expect(splitClips(metas, { by: 'tag' })).toEqual({ train: ['t', ...'abcdefgh'], val: ['v'] });
    expect(splitClips(metas, { by: 'tag', untagged: 'skip' })).toEqual({ train: ['t'], val: ['v'] });
    const s1 = splitClips(metas, { by: 'fraction', valFraction: 0.25, seed: 5 });
    expect(s1).toEqual(splitClips(metas, { by: 'fraction', valFraction: 0.25, seed: 5 }));
    expect(s1.val).toHaveLength(3);
    expect(s1.val).toContain('v');
    expect(s1.train).toContain('t');
    expect([...s1.train, ...s1.val].sort()).toEqual(metas.map((m) => m.id).sort());
  });
});
