// Clip schema versions: schema 2 adds the speedTarget label column. Schema-1 clips already in a
// library (rows of 13 numeric labels) keep reading, recovering, exporting and importing; the
// new column round-trips through the store, the archive and the CSV; the import door refuses
// a speedTarget that is neither a speed in range nor "not recorded".

import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { MetersPerSecond } from '../core/units.ts';
import { exportClipsZip, importClipsZip } from './clipArchive.ts';
import type { ClipStore } from './clipStore.ts';
import { openClipStore, storeInternals } from './clipStore.ts';
import type { CameraSpec, ClipMeta } from './clipTypes.ts';
import {
  CLIP_SCHEMA_VERSION,
  DRIVERS,
  NUMERIC_LABEL_FIELDS,
  byteSizeOf,
  frameBytes,
  labelFieldsOf,
  labelRowWidth,
  labelValueProblem,
  stepBytes,
} from './clipTypes.ts';
import { DataError } from './dataErrors.ts';
import { parseLabelsCsv } from './labelsCsv.ts';
import { SIDE_CAMERAS, framesDigest, syntheticFrame, syntheticLabels, syntheticStep } from './testKit.ts';

async function freshStore(): Promise<ClipStore> {
  let n = 0;
  return openClipStore({ factory: new IDBFactory(), storage: null, clock: () => Date.UTC(2026, 0, 1), newId: () => `fresh-${++n}` });
}

/** The 13 numeric columns of schema 1, as a build before schema 2 stored them. */
const SCHEMA_1 = NUMERIC_LABEL_FIELDS.slice(0, 13);

interface OldClip {
  readonly id: string;
  readonly steps: number;
  readonly chunkSteps: number;
  readonly cameras: readonly CameraSpec[];
  /** Records written; the meta still says frameCount 0, as a tab closed mid-recording leaves it. */
  readonly incomplete?: boolean;
}

/**
 * Writes a clip exactly as a schema-1 build did: meta.schemaVersion 1 and label rows of
 * 13 numeric labels + driver code + one steer per camera (center = steer).
 */
async function writeSchema1Clip(store: ClipStore, o: OldClip): Promise<ClipMeta> {
  const shape = { frameWidth: 4, frameHeight: 2, cameras: o.cameras, seed: 3 };
  const width = SCHEMA_1.length + 1 + o.cameras.length;
  const frameCount = o.incomplete ? 0 : o.steps;
  const meta: ClipMeta = {
    id: o.id, name: `old ${o.id}`, createdAt: 11, trackId: 'oval', theme: 'day', rateHz: 20,
    frameWidth: shape.frameWidth, frameHeight: shape.frameHeight, cameras: o.cameras, frameCount,
    byteSize: frameCount * (stepBytes(shape) + width * 8), complete: !o.incomplete, tag: 'train', thumbnail: null,
    simVersion: 'old', schemaVersion: 1, chunkSteps: o.chunkSteps,
  };
  const { db } = storeInternals(store);
  const tx = db.transaction(['clips', 'chunks', 'labels'], 'readwrite');
  const puts: Promise<unknown>[] = [tx.objectStore('clips').put(meta)];
  for (let index = 0; index * o.chunkSteps < o.steps; index++) {
    const first = index * o.chunkSteps;
    const count = Math.min(o.chunkSteps, o.steps - first);
    const frames = new Uint8Array(count * stepBytes(shape));
    const rows = new Float64Array(count * width);
    for (let s = 0; s < count; s++) {
      o.cameras.forEach((_, c) => frames.set(syntheticFrame(first + s, c, shape), (s * o.cameras.length + c) * frameBytes(shape)));
      const l = syntheticLabels(first + s, shape);
      const row = [...SCHEMA_1.map((f) => l[f] as number), DRIVERS.indexOf(l.driver), ...o.cameras.map((c) => (c.id === 'center' ? l.steer : l.cameraSteer![c.id]!))];
      rows.set(row, s * width);
    }
    puts.push(tx.objectStore('chunks').put({ clipId: o.id, index, count, frames }), tx.objectStore('labels').put({ clipId: o.id, index, count, rows }));
  }
  await Promise.all([...puts, tx.done]);
  return meta;
}

/** Every column but speedTarget equals the synthetic labels; speedTarget is NaN throughout. */
async function expectSchema1Labels(store: ClipStore, id: string, steps: number, cameras: readonly CameraSpec[]): Promise<void> {
  const labels = await store.labels(id);
  expect(labels.count).toBe(steps);
  const shape = { frameWidth: 4, frameHeight: 2, cameras, seed: 3 };
  for (let i = 0; i < steps; i++) {
    const want = syntheticLabels(i, shape);
    for (const f of SCHEMA_1) expect(labels[f][i], `${f} of step ${i}`).toBe(want[f]);
    expect(DRIVERS[labels.driver[i]]).toBe(want.driver);
    for (const c of cameras) if (c.id !== 'center') expect(labels.cameraSteer[c.id]![i]).toBe(want.cameraSteer![c.id]);
    expect(labels.speedTarget[i], `speedTarget of step ${i}`).toBeNaN();
  }
}

describe('clip schema versions', () => {
  it('the label row layout of each version: schema 2 appends speedTarget after the 13 columns of schema 1', () => {
    expect(CLIP_SCHEMA_VERSION).toBe(2);
    expect(labelFieldsOf(1)).toEqual(SCHEMA_1);
    expect(labelFieldsOf(2)).toEqual([...SCHEMA_1, 'speedTarget']);
    expect(labelRowWidth(3, 1)).toBe(13 + 1 + 3);
    expect(labelRowWidth(3)).toBe(14 + 1 + 3);
    const clip = { frameWidth: 4, frameHeight: 2, cameras: SIDE_CAMERAS, frameCount: 10 };
    expect(byteSizeOf({ ...clip, schemaVersion: 1 })).toBe(10 * (3 * 24 + 17 * 8));
    expect(byteSizeOf({ ...clip, schemaVersion: 2 })).toBe(10 * (3 * 24 + 18 * 8));
    expect(() => labelFieldsOf(3)).toThrow(/clip schema version 3 cannot be read here/);
  });

  it('reads a schema-1 clip as an older build wrote it: every column intact, speedTarget NaN', async () => {
    const store = await freshStore();
    await writeSchema1Clip(store, { id: 'old', steps: 23, chunkSteps: 10, cameras: SIDE_CAMERAS });
    await expectSchema1Labels(store, 'old', 23, SIDE_CAMERAS);
    const frames = await store.readFrames('old', { start: 21, end: 22, camera: 'right' });
    expect(Array.from(frames)).toEqual(Array.from(syntheticFrame(21, 2, { frameWidth: 4, frameHeight: 2, cameras: SIDE_CAMERAS, seed: 3 })));
    store.close();
  });

  it('recovers an incomplete schema-1 clip, sizing it with the schema-1 row width', async () => {
    const store = await freshStore();
    const cameras = SIDE_CAMERAS.slice(0, 2);
    await writeSchema1Clip(store, { id: 'cut', steps: 25, chunkSteps: 10, cameras, incomplete: true });
    const meta = await store.recover('cut');
    expect(meta).toMatchObject({ frameCount: 25, complete: true, schemaVersion: 1 });
    expect(meta.byteSize).toBe(25 * (2 * 24 + (13 + 1 + 2) * 8));
    await expectSchema1Labels(store, 'cut', 25, cameras);
    store.close();
  });

  it('exports a schema-1 clip as schema 1 (no speedTarget column); it imports as schema 2 with speedTarget NaN', async () => {
    const store = await freshStore();
    await writeSchema1Clip(store, { id: 'old', steps: 23, chunkSteps: 10, cameras: SIDE_CAMERAS });
    const zip = await exportClipsZip(store, ['old']);
    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    expect(JSON.parse(strFromU8(files['manifest.json'])).clips[0].schemaVersion).toBe(1);
    expect(strFromU8(files['clips/000/labels.csv']).split('\n')[0]).toBe(
      'tick,steer,steerRad,speed,torque,brake,x,y,heading,lateralOffset,headingError,curvatureAhead,lapProgress,driver,steer_left,steer_right',
    );
    const target = await freshStore();
    const [m] = await importClipsZip(target, zip);
    expect(m).toMatchObject({ id: 'old', schemaVersion: 2, frameCount: 23 });
    expect(m.byteSize).toBe(byteSizeOf({ ...m, schemaVersion: 2 }));
    await expectSchema1Labels(target, 'old', 23, SIDE_CAMERAS);
    expect(await framesDigest(target, 'old')).toBe(await framesDigest(store, 'old'));
    store.close();
    target.close();
  });

  it('round-trips speedTarget of a schema-2 recording through the store, the archive and its CSV, NaN (not recorded) included', async () => {
    const store = await freshStore();
    const shape = { frameWidth: 4, frameHeight: 2, cameras: SIDE_CAMERAS };
    const writer = await store.startRecording({ name: 'new', createdAt: 5, trackId: 'oval', theme: 'day', simVersion: 's', chunkSteps: 8, ...shape });
    const targets = Array.from({ length: 30 }, (_, i) => (i % 7 === 3 ? NaN : i === 0 ? 0 : i === 1 ? 100 : 0.1 * i + 1 / 3));
    for (let i = 0; i < targets.length; i++) {
      const step = syntheticStep(i, shape);
      const { speedTarget: _omit, ...rest } = step.labels;
      // A row without speedTarget is "not recorded": stored as NaN.
      const labels = Number.isNaN(targets[i]) ? rest : { ...rest, speedTarget: targets[i] as MetersPerSecond };
      writer.append({ frames: step.frames, labels });
    }
    const meta = await writer.finish();
    expect(meta.schemaVersion).toBe(2);
    expect(meta.byteSize).toBe(30 * (stepBytes(shape) + (14 + 1 + 3) * 8));
    const stored = await store.labels(meta.id);
    expect(Array.from(stored.speedTarget)).toEqual(targets);

    const zip = await exportClipsZip(store, [meta.id]);
    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    const csv = strFromU8(files['clips/000/labels.csv']).split('\n');
    const col = csv[0].split(',').indexOf('speedTarget');
    expect(col).toBe(13);
    expect(csv[1 + 3].split(',')[col]).toBe(''); // not recorded: an empty cell
    expect(csv[1 + 1].split(',')[col]).toBe('100');
    const target = await freshStore();
    const [back] = await importClipsZip(target, zip);
    const labels = await target.labels(back.id);
    expect(Array.from(labels.speedTarget)).toEqual(targets);
    for (const f of NUMERIC_LABEL_FIELDS) expect(Array.from(labels[f]), f).toEqual(Array.from(stored[f]));
    // The CSV alone, as the archive reads it, gives the same rows bit for bit.
    const parsed = parseLabelsCsv(strFromU8(files['clips/000/labels.csv']), meta, 'labels.csv');
    const width = labelRowWidth(3);
    expect(Array.from({ length: 30 }, (_, i) => parsed.rows[i * width + 13])).toEqual(targets);
    store.close();
    target.close();
  });

  it('refuses to record a speedTarget that is negative, infinite or past 100 m/s, naming the field', async () => {
    const store = await freshStore();
    const shape = { frameWidth: 4, frameHeight: 2, cameras: SIDE_CAMERAS.slice(0, 1) };
    const writer = await store.startRecording({ name: 'bad', createdAt: 5, trackId: 'oval', theme: 'day', simVersion: 's', ...shape });
    for (const bad of [-1, Infinity, -Infinity, 100.5]) {
      const step = syntheticStep(0, shape);
      expect(() => writer.append({ ...step, labels: { ...step.labels, speedTarget: bad as MetersPerSecond } })).toThrow(/label 'speedTarget': .* is not a speed 0..100 m\/s/);
    }
    expect(writer.appendedSteps).toBe(0);
    await writer.discard();
    store.close();
  });

  it('checks speedTarget values: a speed 0..100 m/s or NaN, nothing else; other labels still refuse NaN', () => {
    for (const ok of [0, 12.5, 100, NaN]) expect(labelValueProblem('speedTarget', ok), String(ok)).toBeNull();
    for (const bad of [-1, -1e-9, 100.001, Infinity, -Infinity]) expect(labelValueProblem('speedTarget', bad), String(bad)).toMatch(/is not a speed 0..100 m\/s/);
    expect(labelValueProblem('speed', NaN)).toMatch(/not a finite number/);
  });

  it('a clip written by a newer schema is refused by name, not misread', async () => {
    const store = await freshStore();
    const meta = await writeSchema1Clip(store, { id: 'future', steps: 3, chunkSteps: 10, cameras: SIDE_CAMERAS.slice(0, 1) });
    await storeInternals(store).db.put('clips', { ...meta, schemaVersion: 3 });
    const err = await store.labels('future').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).message).toMatch(/clip schema version 3 cannot be read here/);
    store.close();
  });
});

describe('the import door and speedTarget', async () => {
  const store = await freshStore();
  const shape = { frameWidth: 4, frameHeight: 2, cameras: SIDE_CAMERAS.slice(0, 1) };
  const writer = await store.startRecording({ name: 'src', createdAt: 5, trackId: 'oval', theme: 'day', simVersion: 's', ...shape });
  for (let i = 0; i < 6; i++) writer.append(syntheticStep(i, shape));
  const meta = await writer.finish();
  const files = unzipSync(new Uint8Array(await (await exportClipsZip(store, [meta.id])).arrayBuffer()));
  const csv = strFromU8(files['clips/000/labels.csv']).split('\n');
  const col = csv[0].split(',').indexOf('speedTarget');
  const withCell = (row: number, cell: string): Uint8Array => {
    const lines = csv.map((l, i) => (i === row ? l.split(',').map((c, k) => (k === col ? cell : c)).join(',') : l));
    return zipSync({ ...files, 'clips/000/labels.csv': strToU8(lines.join('\n')) }, { level: 0 });
  };
  const target = await freshStore();

  for (const [cell, why] of [['-1', /-1 is not a speed 0..100 m\/s/], ['Infinity', /'Infinity' is not a number/], ['1e999', /'1e999' is not a number/], ['100.5', /100.5 is not a speed/], ['NaN', /'NaN' is not a number/], ['fast', /'fast' is not a number/]] as const) {
    it(`refuses a speedTarget of '${cell}', naming the file, row and column, and adds nothing`, async () => {
      const err = await importClipsZip(target, withCell(4, cell)).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect((err as DataError).code).toBe('bad-csv');
      expect((err as DataError).message).toMatch(/clips\/000\/labels.csv row 4 \(line 5\), column 'speedTarget'/);
      expect((err as DataError).message).toMatch(why);
      expect(await target.list()).toEqual([]);
    });
  }

  it('refuses a schema-2 CSV without the speedTarget column; a schema-1 archive needs none', async () => {
    const dropped = csv.map((l) => l.split(',').filter((_, k) => k !== col).join(',')).join('\n');
    const err = await importClipsZip(target, zipSync({ ...files, 'clips/000/labels.csv': strToU8(dropped) })).then(() => null, (e: unknown) => e);
    expect((err as DataError).message).toMatch(/labels.csv is missing column 'speedTarget'/);
    const manifest = JSON.parse(strFromU8(files['manifest.json']));
    manifest.clips[0].schemaVersion = 1;
    const [m] = await importClipsZip(target, zipSync({ ...files, 'manifest.json': strToU8(JSON.stringify(manifest)), 'clips/000/labels.csv': strToU8(dropped) }));
    expect(m.schemaVersion).toBe(2);
    const labels = await target.labels(m.id);
    expect(Array.from(labels.speedTarget)).toEqual(Array(6).fill(NaN));
    expect(Array.from(labels.speed)).toEqual(Array.from((await store.labels(meta.id)).speed));
    await target.remove(m.id);
  });

  it('an empty speedTarget cell imports as NaN (not recorded)', async () => {
    const [m] = await importClipsZip(target, withCell(2, ''));
    const labels = await target.labels(m.id);
    const want = Array.from((await store.labels(meta.id)).speedTarget);
    want[1] = NaN;
    expect(Array.from(labels.speedTarget)).toEqual(want);
    await target.remove(m.id);
  });
});
