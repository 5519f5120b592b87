import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { exportClipsZip, importClipsZip } from './clipArchive.ts';
import type { ClipStore } from './clipStore.ts';
import { openClipStore } from './clipStore.ts';
import type { ClipMeta } from './clipTypes.ts';
import { DataError } from './dataErrors.ts';
import type { TransferProgress } from './transfer.ts';
import { SIDE_CAMERAS, framesDigest, labelsDigest, quotaLimitedFactory, recordSyntheticClip, syntheticStep } from './testKit.ts';

async function freshStore(factory: IDBFactory = new IDBFactory()): Promise<ClipStore> {
  let n = 0;
  return openClipStore({ factory, storage: null, clock: () => Date.UTC(2026, 0, 1), newId: () => `fresh-${++n}` });
}

async function digests(store: ClipStore, id: string): Promise<{ frames: string; labels: string }> {
  return { frames: await framesDigest(store, id), labels: labelsDigest(await store.labels(id)) };
}

/** Everything observable about the library, to check that a refused import changed nothing. */
async function snapshot(store: ClipStore): Promise<string> {
  const parts: string[] = [];
  for (const m of await store.list()) parts.push(JSON.stringify({ ...m, thumbnail: null }), JSON.stringify(await digests(store, m.id)));
  parts.push(`orphans:${await store.sweepOrphans()}`);
  return parts.join('\n');
}

async function blobBytes(b: Blob): Promise<Uint8Array> {
  return new Uint8Array(await b.arrayBuffer());
}

async function twoClipStore(): Promise<{ store: ClipStore; a: ClipMeta; b: ClipMeta }> {
  const store = await freshStore();
  const a = await recordSyntheticClip(store, { steps: 47, chunkSteps: 10, cameras: SIDE_CAMERAS, seed: 1, name: 'three cams' });
  const b = await recordSyntheticClip(store, { steps: 20, chunkSteps: 10, seed: 2, frameWidth: 20, frameHeight: 6, name: 'plain' });
  await store.setTag(b.id, 'val');
  return { store, a, b };
}

describe('clip archive round trip', () => {
  it('export, delete, import gives bit-identical frames, labels and meta', async () => {
    const { store, a, b } = await twoClipStore();
    const before = { a: await digests(store, a.id), b: await digests(store, b.id) };
    const metaBefore = [await store.getMeta(a.id), await store.getMeta(b.id)];
    const progress: TransferProgress[] = [];
    const zip = await exportClipsZip(store, [a.id, b.id], { onProgress: (p) => progress.push(p) });
    expect(progress.at(-1)).toEqual({ phase: 'writing', fraction: 1 });

    // The archive is an ordinary zip with the documented layout.
    const files = unzipSync(await blobBytes(zip));
    expect(Object.keys(files).sort()).toEqual([
      'clips/000/frames/000000.rgb', 'clips/000/frames/000001.rgb', 'clips/000/frames/000002.rgb',
      'clips/000/frames/000003.rgb', 'clips/000/frames/000004.rgb', 'clips/000/labels.csv',
      'clips/001/frames/000000.rgb', 'clips/001/frames/000001.rgb', 'clips/001/labels.csv', 'manifest.json',
    ]);
    expect(files['clips/000/frames/000004.rgb'].length).toBe(7 * 3 * 16 * 8 * 3);
    expect(strFromU8(files['clips/000/labels.csv']).split('\n')[0]).toBe(
      'tick,steer,steerRad,speed,torque,brake,x,y,heading,lateralOffset,headingError,curvatureAhead,lapProgress,speedTarget,driver,steer_left,steer_right',
    );

    await store.remove(a.id);
    await store.remove(b.id);
    expect(await store.list()).toEqual([]);
    const importProgress: TransferProgress[] = [];
    const imported = await importClipsZip(store, zip, { onProgress: (p) => importProgress.push(p) });
    expect(imported.map((m) => m.id)).toEqual([a.id, b.id]);
    expect(await digests(store, a.id)).toEqual(before.a);
    expect(await digests(store, b.id)).toEqual(before.b);
    expect([await store.getMeta(a.id), await store.getMeta(b.id)]).toEqual(metaBefore);
    const fractions = importProgress.map((p) => p.fraction);
    expect(fractions).toEqual([...fractions].sort((x, y) => x - y));
    expect(importProgress.at(-1)).toEqual({ phase: 'writing', fraction: 1 });
  });

  it('keeps -0 and every double exact through the CSV, stored (level 0) or deflated (level 9)', async () => {
    const store = await freshStore();
    const w = await store.startRecording({ name: 'z', createdAt: 3, trackId: '7', theme: 't', simVersion: 's', frameWidth: 2, frameHeight: 2 });
    const frame = new Uint8Array(12).fill(9);
    const odd = [-0, 5e-324, 0.1 + 0.2, -1, 1 / 3, 1e21];
    for (const [i, v] of odd.entries()) {
      w.append({
        frames: [frame],
        labels: {
          tick: i, steer: Math.max(-1, Math.min(1, v)), steerRad: v, speed: v, torque: -0, brake: 0, x: v, y: -v, heading: v,
          lateralOffset: v, headingError: v, curvatureAhead: v, lapProgress: 0, driver: 'takeover',
        } as never,
      });
    }
    const meta = await w.finish();
    const before = await store.labels(meta.id);
    for (const level of [0, 9]) {
      const zip = await exportClipsZip(store, [meta.id], { level });
      const [copy] = await importClipsZip(store, zip);
      expect(copy.id).not.toBe(meta.id);
      const after = await store.labels(copy.id);
      for (const f of ['x', 'y', 'steerRad', 'torque'] as const) {
        expect(Array.from(after[f]).map((v) => Object.is(v, -0) ? '-0' : v)).toEqual(Array.from(before[f]).map((v) => Object.is(v, -0) ? '-0' : v));
      }
    }
  });

  it('exports a clip while it is still being recorded as the steps its meta counted', async () => {
    const store = await freshStore();
    const shape = { frameWidth: 4, frameHeight: 2, cameras: SIDE_CAMERAS };
    const writer = await store.startRecording({ name: 'live', createdAt: 1, trackId: '1', theme: 't', simVersion: 's', chunkSteps: 10, ...shape });
    for (let i = 0; i < 25; i++) writer.append(syntheticStep(i, shape));
    await writer.flush();
    const exporting = exportClipsZip(store, [writer.clipId]); // reads the meta first...
    for (let i = 25; i < 45; i++) writer.append(syntheticStep(i, shape)); // ...then the clip grows
    const zip = await exporting;
    await writer.finish();
    const [copy] = await importClipsZip(store, zip);
    expect(copy).toMatchObject({ frameCount: 25, complete: false });
    const full = await store.labels(writer.clipId);
    const part = await store.labels(copy.id);
    expect(Array.from(part.steer)).toEqual(Array.from(full.steer.subarray(0, 25)));
    expect(await store.readFrames(copy.id, { start: 0, end: 25, camera: 'right' })).toEqual(
      await store.readFrames(writer.clipId, { start: 0, end: 25, camera: 'right' }),
    );
  });

  it('gives fresh ids when the ids exist, and keeps the originals', async () => {
    const { store, a } = await twoClipStore();
    const zip = await exportClipsZip(store, [a.id, a.id]);
    const imported = await importClipsZip(store, zip);
    // The store's id source gave fresh-1 and fresh-2 to the two recordings.
    expect(imported.map((m) => m.id)).toEqual(['fresh-3', 'fresh-4']);
    expect((await store.list()).length).toBe(4);
    const want = await digests(store, a.id);
    expect(await digests(store, 'fresh-3')).toEqual(want);
    expect(await digests(store, 'fresh-4')).toEqual(want);
  });

  it('can be cancelled at any point and then leaves the library unchanged', async () => {
    const { store, a, b } = await twoClipStore();
    const zip = await exportClipsZip(store, [a.id, b.id]);
    await store.remove(b.id);
    const before = await snapshot(store);
    const controller = new AbortController();
    const seen: TransferProgress[] = [];
    const run = importClipsZip(store, zip, {
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.phase === 'writing' && p.fraction > 0.5) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled', message: 'the import was cancelled' });
    expect(seen.some((p) => p.phase === 'writing' && p.fraction > 0.5)).toBe(true);
    expect(await snapshot(store)).toBe(before);

    const exportController = new AbortController();
    exportController.abort();
    await expect(exportClipsZip(store, [a.id], { signal: exportController.signal })).rejects.toThrow(/export was cancelled/);
  });

  it('rolls back every clip of the import when the quota runs out half way', async () => {
    const { store: source, a, b } = await twoClipStore();
    const zip = await exportClipsZip(source, [a.id, b.id]);
    const quota = quotaLimitedFactory(new IDBFactory(), Infinity, 'abort');
    const store = await freshStore(quota.factory);
    await recordSyntheticClip(store, { steps: 5, seed: 9 });
    const before = await snapshot(store);
    quota.budgetBytes = quota.usedBytes + 30_000; // clip a needs ~100 kB
    await expect(importClipsZip(store, zip)).rejects.toMatchObject({ code: 'storage-full' });
    quota.budgetBytes = Infinity;
    expect(await snapshot(store)).toBe(before);
  });
});

/** Rebuilds an exported archive with some files changed (undefined deletes). */
function rezip(files: Record<string, Uint8Array>, change: Record<string, Uint8Array | string | undefined>): Uint8Array {
  const out: Record<string, Uint8Array> = { ...files };
  for (const [name, v] of Object.entries(change)) {
    if (v === undefined) delete out[name];
    else out[name] = typeof v === 'string' ? strToU8(v) : v;
  }
  return zipSync(out, { level: 0 });
}

describe('refusing bad archives', async () => {
  const { store, a, b } = await twoClipStore();
  const good = await blobBytes(await exportClipsZip(store, [a.id, b.id], { level: 0 }));
  const files = unzipSync(good);
  const manifest = JSON.parse(strFromU8(files['manifest.json']));
  const withManifest = (edit: (m: typeof manifest) => void): string => {
    const m = structuredClone(manifest);
    edit(m);
    return JSON.stringify(m);
  };
  const csvA = strFromU8(files['clips/000/labels.csv']).split('\n');
  const before = await snapshot(store);

  // Flip one byte inside the second clip's last frame file: found only while writing, after
  // the first clip is in, so this also checks the roll-back of a half-done import.
  const flipped = good.slice();
  const needle = files['clips/001/frames/000001.rgb'];
  const at = findBytes(flipped, needle.subarray(0, 64)) + 100;
  flipped[at] ^= 0xff;

  const cases: [string, Uint8Array, string, RegExp][] = [
    ['a truncated zip', good.slice(0, good.length - 200), 'bad-archive', /\(corrupt or truncated\): no end-of-archive record/],
    ['bytes that are not a zip', strToU8('hello, this is not a zip at all, not even close.'), 'bad-archive', /not a readable zip/],
    ['a corrupt frame file', flipped, 'bad-archive', /'clips\/001\/frames\/000001.rgb' fails its checksum/],
    ['an empty archive', zipSync({}), 'empty-archive', /the archive is empty/],
    ['a missing manifest', rezip(files, { 'manifest.json': undefined }), 'bad-manifest', /no manifest.json/],
    ['a manifest that is not JSON', rezip(files, { 'manifest.json': '{"format": ' }), 'bad-manifest', /manifest.json is not valid JSON/],
    ['an invalid manifest field', rezip(files, { 'manifest.json': withManifest((m) => (m.clips[1].rateHz = 100)) }), 'bad-manifest', /manifest.json is invalid: clips\[1\].rateHz: Too big/],
    ['a manifest missing a field', rezip(files, { 'manifest.json': withManifest((m) => delete m.clips[0].cameras) }), 'bad-manifest', /clips\[0\].cameras/],
    ['a camera list without center', rezip(files, { 'manifest.json': withManifest((m) => m.clips[0].cameras.reverse()) }), 'bad-manifest', /clips\[0\] \('three cams'\): cameras must start with 'center'/],
    ['another format', rezip(files, { 'manifest.json': withManifest((m) => (m.format = 'tracks')) }), 'bad-manifest', /format: expected 'deepsteer-clips', got "tracks"/],
    ['a future format version', rezip(files, { 'manifest.json': withManifest((m) => (m.formatVersion = 2)) }), 'unsupported-version', /newer DeepSteer \(format version 2; this build reads version 1\)/],
    ['a wrong format version', rezip(files, { 'manifest.json': withManifest((m) => (m.formatVersion = '1')) }), 'unsupported-version', /unknown formatVersion "1"/],
    ['a future clip schema', rezip(files, { 'manifest.json': withManifest((m) => (m.clips[0].schemaVersion = 7)) }), 'unsupported-version', /clip schema version 7/],
    ['a frame count the labels disagree with', rezip(files, { 'clips/000/labels.csv': csvA.slice(0, -2).join('\n') }), 'frame-count', /'clips\/000\/labels.csv' has 46 label rows but the clip has 47 frames/],
    ['a frame count the files disagree with', rezip(files, { 'manifest.json': withManifest((m) => { m.clips[0].frameCount = 48; m.clips[0].labels.rows = 48; }) }), 'frame-count', /the frame files hold 47 frames but the clip has 48/],
    ['a frame file of the wrong size', rezip(files, { 'clips/001/frames/000000.rgb': files['clips/001/frames/000000.rgb'].subarray(1) }), 'frame-size', /'clips\/001\/frames\/000000.rgb' has 3599 bytes; 10 steps x 1 camera\(s\) x 20x6x3 = 3600 expected/],
    ['a missing frame file', rezip(files, { 'clips/000/frames/000002.rgb': undefined }), 'bad-manifest', /lists frame file 'clips\/000\/frames\/000002.rgb' but the archive has no such file/],
    ['a CSV missing a column', rezip(files, { 'clips/000/labels.csv': csvA.map((l) => l.split(',').slice(0, -1).join(',')).join('\n') }), 'bad-csv', /clips\/000\/labels.csv is missing column 'steer_right'/],
    ['a CSV with a word for a number', rezip(files, { 'clips/000/labels.csv': csvA.map((l, i) => (i === 3 ? l.replace(/^(\d+),([^,]+),([^,]+),([^,]+)/, '$1,$2,$3,fast') : l)).join('\n') }), 'bad-csv', /clips\/000\/labels.csv row 3 \(line 4\), column 'speed': 'fast' is not a number/],
    ['a CSV with an empty cell', rezip(files, { 'clips/000/labels.csv': csvA.map((l, i) => (i === 5 ? l.replace(/^(\d+),/, ',') : l)).join('\n') }), 'bad-csv', /row 5 \(line 6\), column 'tick': '' is not a number/],
    ['a CSV with an unknown driver', rezip(files, { 'clips/000/labels.csv': csvA.map((l, i) => (i === 2 ? l.replace(/,human,|,expert,|,autopilot,|,takeover,/, ',robot,') : l)).join('\n') }), 'bad-csv', /row 2 \(line 3\), column 'driver': 'robot' is not one of human, expert, autopilot, takeover/],
    ['a CSV with steer out of range', rezip(files, { 'clips/000/labels.csv': csvA.map((l, i) => (i === 1 ? l.replace(/^(\d+),([^,]+),/, '$1,7,') : l)).join('\n') }), 'bad-csv', /row 1 \(line 2\), column 'steer': 7 is outside -1..1/],
  ];
  for (const [what, bytes, code, message] of cases) {
    it(`refuses ${what} and changes nothing`, async () => {
      const err = await importClipsZip(store, bytes).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect((err as DataError).message).toMatch(message);
      expect((err as DataError).code).toBe(code);
      expect(await snapshot(store)).toBe(before);
    });
  }

  it('reads a Blob by slices, as a File from an <input> would come', async () => {
    const target = await freshStore();
    const [m] = await importClipsZip(target, new Blob([rezip(files, {}) as Uint8Array<ArrayBuffer>]));
    expect(await digests(target, m.id)).toEqual(await digests(store, a.id));
  });
});

function findBytes(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error('needle not found');
}
