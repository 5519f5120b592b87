import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { Ticks } from '../core/units.ts';
import { openClipStore } from './clipStore.ts';
import type { ClipStore } from './clipStore.ts';
import { CENTER_CAMERA, DRIVERS, byteSizeOf, frameBytes, labelRowAt } from './clipTypes.ts';
import { DataError, StorageFullError } from './dataErrors.ts';
import {
  SIDE_CAMERAS,
  framesDigest,
  labelsDigest,
  quotaLimitedFactory,
  recordSyntheticClip,
  syntheticFrame,
  syntheticLabels,
  syntheticStep,
} from './testKit.ts';

const shape = { frameWidth: 16, frameHeight: 8, cameras: [CENTER_CAMERA] };

async function freshStore(factory: IDBFactory = new IDBFactory(), clock = () => 0): Promise<ClipStore> {
  return openClipStore({ factory, storage: null, clock });
}

async function waitIdle(w: { pendingWrites: number }): Promise<void> {
  for (let i = 0; i < 1000 && w.pendingWrites > 0; i++) await new Promise((r) => setTimeout(r, 1));
}

describe('recording a clip', () => {
  it('stores frames and labels chunk by chunk and reads them back by range and camera', async () => {
    const store = await freshStore();
    const meta = await recordSyntheticClip(store, { steps: 53, chunkSteps: 10, cameras: SIDE_CAMERAS, seed: 4 });
    expect(meta.complete).toBe(true);
    expect(meta.frameCount).toBe(53);
    expect(meta.byteSize).toBe(byteSizeOf(meta));
    expect(meta.thumbnail?.width).toBe(16);

    const s = { ...shape, cameras: SIDE_CAMERAS, seed: 4 };
    // A range that straddles chunk boundaries (8..9 | 10..19 | 20..22), for each camera.
    for (const [c, cam] of SIDE_CAMERAS.entries()) {
      const frames = await store.readFrames(meta.id, { start: 8, end: 23, camera: cam.id });
      const fb = frameBytes(meta);
      expect(frames.length).toBe(15 * fb);
      for (let i = 8; i < 23; i++) expect(frames.subarray((i - 8) * fb, (i - 7) * fb)).toEqual(syntheticFrame(i, c, s));
    }

    const labels = await store.labels(meta.id);
    expect(labels.count).toBe(53);
    for (const i of [0, 9, 10, 52]) {
      const want = syntheticLabels(i, s);
      const got = labelRowAt(labels, i);
      expect(got).toEqual({ ...want, cameraSteer: { left: want.cameraSteer!.left, right: want.cameraSteer!.right } });
    }
    expect(labels.cameraSteer.center).toBe(labels.steer);
    await expect(store.readFrames(meta.id, { start: 50, end: 54 })).rejects.toThrow(/outside 0..53/);
  });

  it('holds one chunk however long the recording, and writes each chunk once it fills', async () => {
    const store = await freshStore();
    const writer = await store.startRecording({
      name: 'long', createdAt: 1, trackId: '42', theme: 'dusk', simVersion: 's', chunkSteps: 25, ...shape,
    });
    const oneChunk = 25 * frameBytes(shape) + 25 * (15 + 1) * 8; // label row: 14 numeric (schema 2), driver, 1 camera
    let maxPending = 0;
    for (let i = 0; i < 1000; i++) {
      writer.append(syntheticStep(i, shape));
      expect(writer.heldBytes).toBe(oneChunk);
      maxPending = Math.max(maxPending, writer.pendingWrites);
      if (i % 100 === 99) await waitIdle(writer);
    }
    await waitIdle(writer);
    expect(writer.savedSteps).toBe(1000);
    const meta = await writer.finish();
    expect(meta.frameCount).toBe(1000);
    expect(maxPending).toBeGreaterThan(0);
    const frames = await store.readFrames(meta.id, { start: 0, end: 1000 });
    for (const i of [0, 24, 25, 999]) expect(frames.subarray(i * 384, (i + 1) * 384)).toEqual(syntheticFrame(i, 0, shape));
  });

  it('flushes a partial chunk once maxUnflushedMs has passed on the injected clock', async () => {
    let now = 0;
    const store = await freshStore(new IDBFactory(), () => now);
    const writer = await store.startRecording({
      name: 'slow', createdAt: 1, trackId: '1', theme: 't', simVersion: 's', chunkSteps: 100, maxUnflushedMs: 1000, ...shape,
    });
    for (let i = 0; i < 5; i++) {
      now += 300;
      writer.append(syntheticStep(i, shape));
    }
    await waitIdle(writer);
    // Steps 0..3 reached 1200 ms: written; step 4 arrived 300 ms later and waits.
    expect((await store.getMeta(writer.clipId)).frameCount).toBe(4);
    await writer.flush();
    expect((await store.getMeta(writer.clipId)).frameCount).toBe(5);
    for (let i = 5; i < 100; i++) writer.append(syntheticStep(i, shape));
    const meta = await writer.finish();
    expect(meta.frameCount).toBe(100);
    const labels = await store.labels(meta.id);
    expect(Array.from(labels.tick)).toEqual(Array.from({ length: 100 }, (_, i) => i * 3));
  });

  it('refuses malformed steps without recording them', async () => {
    const store = await freshStore();
    const writer = await store.startRecording({
      name: 'x', createdAt: 1, trackId: '1', theme: 't', simVersion: 's', frameWidth: 4, frameHeight: 2, cameras: SIDE_CAMERAS,
    });
    const s = { frameWidth: 4, frameHeight: 2, cameras: SIDE_CAMERAS };
    const ok = syntheticStep(0, s);
    expect(() => writer.append({ ...ok, frames: [ok.frames[0], ok.frames[1]] })).toThrow(/expected 3 frame/);
    expect(() => writer.append({ ...ok, frames: [ok.frames[0], new Uint8Array(5), ok.frames[2]] })).toThrow(
      /'left' frame has 5 bytes; a 4x2 RGB frame has 24/,
    );
    expect(() => writer.append({ ...ok, labels: { ...ok.labels, steer: 1.5 } })).toThrow(/'steer': 1.5 is outside -1..1/);
    expect(() => writer.append({ ...ok, labels: { ...ok.labels, tick: 1.5 as Ticks } })).toThrow(/'tick'/);
    expect(() => writer.append({ ...ok, labels: { ...ok.labels, cameraSteer: { left: 0.1 } } })).toThrow(/cameraSteer.right' is missing/);
    expect(() => writer.append({ ...ok, labels: { ...ok.labels, driver: 'ghost' as never } })).toThrow(/unknown driver 'ghost'/);
    writer.append(ok);
    expect((await writer.finish()).frameCount).toBe(1);
  });

  it('refuses bad clip shapes', async () => {
    const store = await freshStore();
    const base = { name: 'x', createdAt: 1, trackId: '1', theme: 't', simVersion: 's' };
    await expect(store.startRecording({ ...base, rateHz: 5 })).rejects.toThrow(/rateHz must be 10..30, got 5/);
    await expect(store.startRecording({ ...base, frameWidth: 0 })).rejects.toThrow(/frameWidth/);
    await expect(store.startRecording({ ...base, cameras: [SIDE_CAMERAS[1]] })).rejects.toThrow(/start with 'center'/);
    expect(await store.list()).toEqual([]);
  });
  it('discards a recording, and stops one whose clip was deleted under it', async () => {
    const store = await freshStore();
    const start = () => store.startRecording({ name: 'x', createdAt: 1, trackId: '1', theme: 't', simVersion: 's', chunkSteps: 5, ...shape });
    const w1 = await start();
    for (let i = 0; i < 12; i++) w1.append(syntheticStep(i, shape));
    await w1.discard();
    expect(await store.list()).toEqual([]);
    expect(await store.sweepOrphans()).toBe(0);
    expect(() => w1.append(syntheticStep(0, shape))).toThrow(/finished/);

    const stopped: DataError[] = [];
    const w2 = await store.startRecording({
      name: 'y', createdAt: 1, trackId: '1', theme: 't', simVersion: 's', chunkSteps: 5, ...shape, onStopped: (e) => stopped.push(e),
    });
    for (let i = 0; i < 5; i++) w2.append(syntheticStep(i, shape));
    await w2.flush();
    await store.remove(w2.clipId);
    for (let i = 5; i < 10; i++) w2.append(syntheticStep(i, shape));
    await expect(w2.finish()).rejects.toMatchObject({ code: 'not-found', message: 'the clip was deleted while it was being recorded' });
    expect(stopped).toHaveLength(1);
    expect(store.isRecording(w2.clipId)).toBe(false);
    expect(await store.list()).toEqual([]);
    expect(await store.sweepOrphans()).toBe(0);
  });
});

describe('a tab closed while recording', () => {
  it('leaves an incomplete clip with every flushed step, usable and recoverable', async () => {
    const factory = new IDBFactory();
    const first = await freshStore(factory);
    const writer = await first.startRecording({
      name: 'crash', createdAt: 5, trackId: 'oval', theme: 't', simVersion: 's', chunkSteps: 10, ...shape,
    });
    for (let i = 0; i < 37; i++) writer.append(syntheticStep(i, shape));
    await waitIdle(writer);
    first.close(); // the tab goes away: no flush, no finish

    const second = await freshStore(factory);
    const [meta] = await second.list();
    expect(meta.complete).toBe(false);
    expect(meta.frameCount).toBe(30);
    expect(meta.byteSize).toBe(byteSizeOf(meta));
    const labels = await second.labels(meta.id);
    expect(labels.count).toBe(30);
    const frames = await second.readFrames(meta.id, { start: 29, end: 30 });
    expect(frames).toEqual(syntheticFrame(29, 0, shape));

    const recovered = await second.recover(meta.id);
    expect(recovered).toMatchObject({ complete: true, frameCount: 30, byteSize: byteSizeOf(meta) });
    expect((await second.getMeta(meta.id)).complete).toBe(true);
  });

  it('recover keeps the longest consistent run of chunks when records are missing', async () => {
    const factory = new IDBFactory();
    const store = await freshStore(factory);
    const meta = await recordSyntheticClip(store, { steps: 40, chunkSteps: 10 });
    store.close();
    // Damage the database as a crashed older build might: drop the labels of chunk 2 and set
    // a wrong frame count and the incomplete flag.
    const raw = await new Promise<IDBDatabase>((resolve) => {
      const r = factory.open('deepsteer-clips');
      r.onsuccess = () => resolve(r.result);
    });
    await new Promise<void>((resolve) => {
      const tx = raw.transaction(['labels', 'clips'], 'readwrite');
      tx.objectStore('labels').delete([meta.id, 2]);
      tx.objectStore('clips').put({ ...meta, frameCount: 40, complete: false });
      tx.oncomplete = () => resolve();
    });
    raw.close();
    const again = await freshStore(factory);
    await expect(again.labels(meta.id)).rejects.toThrow(/labels for 20 of its 40 steps; recover it/);
    const fixed = await again.recover(meta.id);
    expect(fixed.frameCount).toBe(20);
    expect((await again.labels(meta.id)).count).toBe(20);
    expect(await again.readChunk(meta.id, 1)).toMatchObject({ index: 1, count: 10 });
    await expect(again.readChunk(meta.id, 3)).rejects.toThrow(/no frame chunk 3/);
  });
});

describe('quota reached while recording', () => {
  for (const mode of ['throw', 'abort'] as const) {
    it(`stops cleanly and keeps a consistent clip (QuotaExceededError ${mode === 'throw' ? 'from put' : 'at commit'})`, async () => {
      const inner = new IDBFactory();
      const quota = quotaLimitedFactory(inner, Infinity, mode);
      const store = await freshStore(quota.factory);
      const stopped: DataError[] = [];
      const writer = await store.startRecording({
        name: 'full', createdAt: 1, trackId: '1', theme: 't', simVersion: 's', chunkSteps: 10, ...shape,
        onStopped: (e) => stopped.push(e),
      });
      for (let i = 0; i < 30; i++) writer.append(syntheticStep(i, shape));
      await waitIdle(writer);
      quota.budgetBytes = quota.usedBytes + 1000; // room for small meta writes, not for a chunk
      let thrown: unknown;
      try {
        for (let i = 30; i < 100; i++) {
          writer.append(syntheticStep(i, shape));
          await new Promise((r) => setTimeout(r, 0));
        }
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(StorageFullError);
      await expect(writer.finish()).rejects.toThrow(/Storage is full: recording stopped. The first 30 frames \(1.5 s\) are saved/);
      expect(writer.state).toBe('stopped');
      expect(stopped).toHaveLength(1);
      expect(stopped[0]).toBeInstanceOf(StorageFullError);
      expect((stopped[0] as StorageFullError).savedSteps).toBe(30);
      expect(() => writer.append(syntheticStep(0, shape))).toThrow(StorageFullError);

      const meta = await store.getMeta(writer.clipId);
      expect(meta).toMatchObject({ frameCount: 30, complete: true, byteSize: byteSizeOf({ ...meta, frameCount: 30 }) });
      expect(store.isRecording(meta.id)).toBe(false);
      const labels = await store.labels(meta.id);
      expect(labels.count).toBe(30);
      const frames = await store.readFrames(meta.id, { start: 0, end: 30 });
      expect(frames.subarray(29 * 384)).toEqual(syntheticFrame(29, 0, shape));
      await expect(store.readChunk(meta.id, 3)).rejects.toThrow(/no frame chunk 3/);
    });

    it(`never stores a chunk after one that failed, even if later writes could succeed (${mode})`, async () => {
      const quota = quotaLimitedFactory(new IDBFactory(), Infinity, mode);
      const store = await freshStore(quota.factory);
      const writer = await store.startRecording({
        name: 'gap', createdAt: 1, trackId: '1', theme: 't', simVersion: 's', chunkSteps: 10, ...shape,
      });
      for (let i = 0; i < 20; i++) writer.append(syntheticStep(i, shape));
      await waitIdle(writer);
      quota.budgetBytes = quota.usedBytes + 1000;
      quota.failOnce = true;
      // Three chunk writes in flight at once; the first fails, the next two would fit.
      for (let i = 20; i < 50; i++) writer.append(syntheticStep(i, shape));
      await expect(writer.flush()).rejects.toThrow(StorageFullError);
      const meta = await store.getMeta(writer.clipId);
      expect(meta.frameCount).toBe(20);
      expect((await store.labels(meta.id)).count).toBe(20);
      await expect(store.readChunk(meta.id, 3)).rejects.toThrow(/no frame chunk 3/);
    });
  }
});

describe('library operations', () => {
  it('lists meta oldest first, renames, tags, deletes every record of a clip', async () => {
    const store = await freshStore();
    const b = await recordSyntheticClip(store, { steps: 12, chunkSteps: 5, seed: 2, createdAt: 200, name: 'b' });
    const a = await recordSyntheticClip(store, { steps: 7, chunkSteps: 5, seed: 1, createdAt: 100, name: 'a' });
    expect((await store.list()).map((m) => m.name)).toEqual(['a', 'b']);

    expect((await store.rename(a.id, '  first lap ')).name).toBe('first lap');
    await expect(store.rename(a.id, '   ')).rejects.toThrow(/1 to 200 characters/);
    expect((await store.setTag(a.id, 'val')).tag).toBe('val');
    expect((await store.setTag(a.id, null)).tag).toBe(null);
    await expect(store.setTag(a.id, 'test' as never)).rejects.toThrow(/'train', 'val' or none/);
    await expect(store.rename('nope', 'x')).rejects.toThrow(DataError);

    const before = await framesDigest(store, b.id);
    await store.remove(a.id);
    expect((await store.list()).map((m) => m.id)).toEqual([b.id]);
    await expect(store.labels(a.id)).rejects.toThrow(/no clip with id/);
    await expect(store.readChunk(a.id, 0)).rejects.toThrow(/no frame chunk/);
    expect(await store.sweepOrphans()).toBe(0);
    expect(await framesDigest(store, b.id)).toBe(before);
  });

  it('computes a steering histogram from labels only', async () => {
    const store = await freshStore();
    const a = await recordSyntheticClip(store, { steps: 40, seed: 0, cameras: SIDE_CAMERAS });
    const b = await recordSyntheticClip(store, { steps: 20, seed: 1 });
    const h = await store.steeringHistogram([a.id, b.id], { bins: 4 });
    expect(Array.from(h.edges)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(h.total).toBe(60);
    const want = new Uint32Array(4);
    for (const [n, seed] of [[40, 0], [20, 1]]) {
      for (let i = 0; i < n; i++) want[Math.min(3, Math.floor((syntheticLabels(i, { ...shape, seed }).steer + 1) * 2))]++;
    }
    expect(h.counts).toEqual(want);
    const all = await store.steeringHistogram([a.id], { bins: 4, cameras: 'all' });
    expect(all.total).toBe(120);
  });

  it('reports storage use and asks for persistence through the injected StorageManager', async () => {
    const calls: string[] = [];
    const store = await openClipStore({
      factory: new IDBFactory(),
      storage: {
        estimate: async () => ({ usage: 300, quota: 1000 }),
        persist: async () => (calls.push('persist'), true),
        persisted: async () => false,
      },
    });
    expect(await store.storageEstimate()).toEqual({ usageBytes: 300, quotaBytes: 1000, availableBytes: 700, persisted: false });
    expect(await store.requestPersistence()).toBe(true);
    expect(calls).toEqual(['persist']);
    const none = await freshStore();
    expect(await none.storageEstimate()).toBe(null);
    expect(await none.requestPersistence()).toBe(false);
  });

  it('keeps a digest of labels that changes with any label', async () => {
    const store = await freshStore();
    const m = await recordSyntheticClip(store, { steps: 10 });
    const l = await store.labels(m.id);
    const d = labelsDigest(l);
    l.driver[3] = DRIVERS.indexOf('expert') === l.driver[3] ? 0 : 1;
    expect(labelsDigest(l)).not.toBe(d);
  });
});
