import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { Migration } from './clipDb.ts';
import { CLIP_DB_NAME, CLIP_DB_VERSION, MIGRATIONS, openClipDb } from './clipDb.ts';
import { openClipStore } from './clipStore.ts';
import { CENTER_CAMERA, CLIP_SCHEMA_VERSION, NUMERIC_LABEL_FIELDS, labelRowAt } from './clipTypes.ts';
import { openLapStore } from './lapStore.ts';
import { openModelStore } from './modelStore.ts';
import { openSettingsStore } from './settingsStore.ts';
import { framesDigest, labelsDigest, recordSyntheticClip, syntheticStep } from './testKit.ts';

const V2_STORES = ['checkpoints', 'chunks', 'clips', 'labels', 'laps', 'modelArtifacts', 'models', 'replays', 'settings'];

function rawOpen(factory: IDBFactory, version: number, upgrade?: (db: IDBDatabase) => void): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = factory.open(CLIP_DB_NAME, version);
    req.onupgradeneeded = () => upgrade?.(req.result);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function rawWrite(db: IDBDatabase, puts: [string, unknown][]): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction([...new Set(puts.map(([s]) => s))], 'readwrite');
    for (const [store, value] of puts) tx.objectStore(store).put(value);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
}

/** Version 2 as a future build might add it: an index by track and a backfilled meta field. */
const addTrackIndexAndNotes: Migration = async ({ tx }) => {
  const clips = tx.objectStore('clips');
  (clips as unknown as { createIndex(name: string, keyPath: string): unknown }).createIndex('byTrack', 'trackId');
  for (let cursor = await clips.openCursor(); cursor; cursor = await cursor.continue()) {
    await cursor.update({ ...cursor.value, notes: '' } as never);
  }
};

describe('clip database schema', () => {
  it('is version 2, and upgrades a database written by hand in the documented version-1 layout', async () => {
    expect(CLIP_DB_VERSION).toBe(2);
    const factory = new IDBFactory();
    const db = await rawOpen(factory, 1, (d) => {
      d.createObjectStore('clips', { keyPath: 'id' }).createIndex('byCreatedAt', 'createdAt');
      d.createObjectStore('chunks', { keyPath: ['clipId', 'index'] });
      d.createObjectStore('labels', { keyPath: ['clipId', 'index'] });
    });
    const cameras = [{ id: 'center', lateralM: 0, yawRad: 0 }, { id: 'left', lateralM: 0.5, yawRad: 0.1 }];
    // 3 steps, chunkSteps 2, 2x1 frames: step s camera c pixel bytes = 10*s + c.
    const frames = (steps: number[]): Uint8Array => new Uint8Array(steps.flatMap((s) => [0, 1].flatMap((c) => Array(6).fill(10 * s + c))));
    // Schema-1 label row: 13 numeric fields, driver code, steer per camera (center = steer).
    const row = (s: number): number[] => [s * 3, 0.1 * s, 0.05 * s, 12, 0.5, 0, s, -s, 0.2, 0.3, 0.01, 0.02, s / 10, 1, 0.1 * s, 0.1 * s - 0.2];
    await rawWrite(db, [
      ['clips', {
        id: 'old-1', name: 'by hand', createdAt: 7, trackId: '12345', theme: 'night', rateHz: 20, frameWidth: 2, frameHeight: 1,
        cameras, frameCount: 3, byteSize: 3 * (12 + 16 * 8), complete: true, tag: 'train', thumbnail: null, simVersion: '1',
        schemaVersion: 1, chunkSteps: 2,
      }],
      ['chunks', { clipId: 'old-1', index: 0, count: 2, frames: frames([0, 1]) }],
      ['chunks', { clipId: 'old-1', index: 1, count: 1, frames: frames([2]) }],
      ['labels', { clipId: 'old-1', index: 0, count: 2, rows: new Float64Array([...row(0), ...row(1)]) }],
      ['labels', { clipId: 'old-1', index: 1, count: 1, rows: new Float64Array(row(2)) }],
    ]);
    db.close();

    const store = await openClipStore({ factory, storage: null });
    expect((await store.list()).map((m) => m.name)).toEqual(['by hand']);
    const left = await store.readFrames('old-1', { start: 0, end: 3, camera: 'left' });
    expect(Array.from(left)).toEqual([1, 1, 1, 1, 1, 1, 11, 11, 11, 11, 11, 11, 21, 21, 21, 21, 21, 21]);
    const labels = await store.labels('old-1');
    expect(labelRowAt(labels, 2)).toMatchObject({ tick: 6, steer: 0.2, driver: 'expert', lapProgress: 0.2, cameraSteer: { left: 0.2 - 0.2 } });
    // Schema 1 rows read column for column; speedTarget, which they lack, is NaN (not recorded).
    for (let s = 0; s < 3; s++) {
      const want = row(s);
      NUMERIC_LABEL_FIELDS.slice(0, 13).forEach((f, k) => expect(labels[f][s], `${f} of step ${s}`).toBe(want[k]));
      expect(labels.driver[s]).toBe(1);
      expect(labels.cameraSteer.left![s]).toBe(want[15]);
    }
    expect(Array.from(labels.speedTarget)).toEqual([NaN, NaN, NaN]);
    expect(CLIP_SCHEMA_VERSION).toBe(2);
    store.close();
    const upgraded = await rawOpen(factory, 2);
    expect([...upgraded.objectStoreNames].sort()).toEqual(V2_STORES);
    upgraded.close();
  });

  it('upgrades a version-1 library to version 2 keeping every clip, and the new stores work beside them', async () => {
    const factory = new IDBFactory();
    const v1 = await openClipStore({ factory, storage: null, migrations: MIGRATIONS.slice(0, 1) });
    const a = await recordSyntheticClip(v1, { steps: 25, chunkSteps: 10, trackId: 'oval', seed: 1 });
    const b = await recordSyntheticClip(v1, { steps: 7, trackId: '42', seed: 2 });
    const writer = await v1.startRecording({ name: 'left open', createdAt: 5, trackId: 'oval', theme: 'day', simVersion: '1', frameWidth: 16, frameHeight: 8 });
    writer.append(syntheticStep(0, { frameWidth: 16, frameHeight: 8, cameras: [CENTER_CAMERA] }));
    await writer.flush(); // a tab closed mid-recording: the clip stays incomplete
    const before = { list: await v1.list(), a: [await framesDigest(v1, a.id), labelsDigest(await v1.labels(a.id))] };
    v1.close();
    const stillV1 = await rawOpen(factory, 1);
    expect([...stillV1.objectStoreNames].sort()).toEqual(['chunks', 'clips', 'labels']);
    stillV1.close();

    const v2 = await openClipStore({ factory, storage: null });
    expect(await v2.list()).toEqual(before.list);
    expect([await framesDigest(v2, a.id), labelsDigest(await v2.labels(a.id))]).toEqual(before.a);
    expect((await v2.labels(b.id)).count).toBe(7);
    expect(await v2.recover(writer.clipId)).toMatchObject({ frameCount: 1, complete: true });

    const settings = await openSettingsStore({ factory });
    await settings.put('theme', 'night');
    const models = await openModelStore({ factory });
    const modelId = await models.save({
      meta: { name: 'm', kind: 'cnn', config: {}, normalization: {}, clipIds: [a.id, b.id], metrics: {}, createdAt: 1, backend: 'cpu', inputShape: [66, 200, 3] },
      artifacts: { topology: {}, weightSpecs: [{ name: 'w', shape: [2] }], weightData: new Float32Array([1, 2]).buffer },
    });
    const laps = await openLapStore({ factory });
    await laps.add(
      { id: 'lap-1', trackId: 'oval', theme: 'day', driverClass: 'human', driverName: 'Ada', lapTicks: 3600, scoreS: 60, penaltyS: 0, autonomyPct: 0, createdAt: 2, verified: true },
      { controls: '' },
    );
    expect((await models.list()).map((m) => m.id)).toEqual([modelId]);
    expect((await laps.list({ trackId: 'oval' })).map((e) => e.id)).toEqual(['lap-1']);
    expect((await v2.list()).map((m) => m.id)).toEqual(before.list.map((m) => m.id));
    for (const s of [v2, settings, models, laps]) s.close();
    const raw = await rawOpen(factory, 2);
    expect([...raw.objectStoreNames].sort()).toEqual(V2_STORES);
    raw.close();
  });

  it('migrates an older database to a newer version, keeping every clip', async () => {
    const factory = new IDBFactory();
    const v1 = await openClipStore({ factory, storage: null });
    const a = await recordSyntheticClip(v1, { steps: 25, chunkSteps: 10, trackId: 'oval', seed: 1 });
    const b = await recordSyntheticClip(v1, { steps: 5, trackId: '42', seed: 2 });
    const before = [await framesDigest(v1, a.id), labelsDigest(await v1.labels(a.id))];
    v1.close();

    const v2 = await openClipStore({ factory, storage: null, migrations: [...MIGRATIONS, addTrackIndexAndNotes] });
    expect([await framesDigest(v2, a.id), labelsDigest(await v2.labels(a.id))]).toEqual(before);
    expect((await v2.list()).map((m) => (m as unknown as { notes: string }).notes)).toEqual(['', '']);
    v2.close();
    const raw = await rawOpen(factory, CLIP_DB_VERSION + 1);
    expect(raw.version).toBe(CLIP_DB_VERSION + 1);
    const byTrack = await new Promise<unknown[]>((resolve) => {
      const req = raw.transaction('clips').objectStore('clips').index('byTrack').getAll('42');
      req.onsuccess = () => resolve(req.result);
    });
    expect(byTrack.map((m) => (m as { id: string }).id)).toEqual([b.id]);
    raw.close();

    // A fresh database runs every migration from 0.
    const fresh = await openClipDb({ factory: new IDBFactory(), migrations: [...MIGRATIONS, addTrackIndexAndNotes] });
    expect([...fresh.objectStoreNames].sort()).toEqual(V2_STORES);
    expect(fresh.version).toBe(CLIP_DB_VERSION + 1);
    fresh.close();
  });

  it('leaves the database at its old version, data intact, when a migration fails', async () => {
    const factory = new IDBFactory();
    const v1 = await openClipStore({ factory, storage: null });
    const a = await recordSyntheticClip(v1, { steps: 12 });
    v1.close();
    const broken: Migration = async ({ tx }) => {
      const clips = tx.objectStore('clips');
      const cursor = await clips.openCursor();
      await cursor!.delete(); // the damage a half-run migration would do...
      throw new Error('field "notes" cannot be derived'); // ...undone by the abort
    };
    await expect(openClipStore({ factory, storage: null, migrations: [...MIGRATIONS, broken] })).rejects.toThrow(
      `upgrading the clip library from version ${CLIP_DB_VERSION} to ${CLIP_DB_VERSION + 1} failed: field "notes" cannot be derived`,
    );
    const again = await openClipStore({ factory, storage: null });
    expect((await again.list()).map((m) => m.id)).toEqual([a.id]);
    expect((await again.labels(a.id)).count).toBe(12);
  });

  it('refuses a database written by a newer version with a message to reload', async () => {
    const factory = new IDBFactory();
    (await rawOpen(factory, 5)).close();
    await expect(openClipStore({ factory, storage: null })).rejects.toMatchObject({
      code: 'unsupported-version',
      message: expect.stringMatching(/written by a newer DeepSteer \(database version above 2\); reload the page/),
    });
  });

  it('closes itself when another tab upgrades, so the upgrade is not blocked', async () => {
    const factory = new IDBFactory();
    let closed = 0;
    const store = await openClipStore({ factory, storage: null, onClosed: () => closed++ });
    await recordSyntheticClip(store, { steps: 3 });
    const newer = await openClipStore({ factory, storage: null, migrations: [...MIGRATIONS, addTrackIndexAndNotes] });
    expect(closed).toBe(1);
    expect(await newer.list()).toHaveLength(1);
    await expect(store.rename((await newer.list())[0].id, 'x')).rejects.toMatchObject({ code: 'closed' });
    await expect(store.list()).rejects.toMatchObject({ code: 'closed', message: expect.stringMatching(/listing clips: the clip library is closed/) });
  });
});
