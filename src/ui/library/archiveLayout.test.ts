import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { Ticks } from '../../core/units.ts';
import type { ClipStore, LabelRow } from '../../data/index.ts';
import { exportClipsZip, exportUdacityZip, openClipStore, ppmCodec } from '../../data/index.ts';
import { detectArchiveLayout, layoutOfNames, zipEntryNames } from './archiveLayout.ts';

async function storeWithClip(): Promise<{ store: ClipStore; id: string }> {
  const store = await openClipStore({ factory: new IDBFactory(), name: 'layout-test', storage: null, clock: () => 0 });
  const writer = await store.startRecording({ name: 'c', createdAt: 0, trackId: 'oval', theme: 'day', simVersion: '1', frameWidth: 8, frameHeight: 4 });
  for (let i = 0; i < 30; i++) {
    const labels: LabelRow = {
      tick: (i * 3) as Ticks, steer: 0.1, steerRad: 0.04, speed: 10, torque: 0.5, brake: 0, x: 0, y: 0, heading: 0,
      lateralOffset: 0, headingError: 0, curvatureAhead: 0, lapProgress: 0, driver: 'expert',
    } as LabelRow;
    writer.append({ frames: [new Uint8Array(8 * 4 * 3).fill(i)], labels });
  }
  await writer.finish();
  return { store, id: writer.clipId };
}

const zipOf = (files: Record<string, string>): Blob => {
  const enc = new TextEncoder();
  return new Blob([zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, enc.encode(v)])))]);
};

describe('layoutOfNames', () => {
  it('knows a DeepSteer archive by its root manifest', () => {
    expect(layoutOfNames(['manifest.json', 'clips/000/labels.csv'])).toBe('deepsteer');
  });
  it('knows a Udacity log at the top or in one folder, any case', () => {
    expect(layoutOfNames(['driving_log.csv', 'IMG/a.jpg'])).toBe('udacity');
    expect(layoutOfNames(['run1/Driving_Log.CSV', 'run1/IMG/a.jpg'])).toBe('udacity');
  });
  it('prefers the manifest and is not fooled by look-alike names', () => {
    expect(layoutOfNames(['manifest.json', 'driving_log.csv'])).toBe('deepsteer');
    expect(layoutOfNames(['sub/manifest.json', 'my_driving_log.csv'])).toBe('unknown');
  });
});

describe('detectArchiveLayout', () => {
  it('reads the names the exporters write (streamed zips with data descriptors)', async () => {
    const { store, id } = await storeWithClip();
    const ours = await exportClipsZip(store, [id]);
    const names = await zipEntryNames(ours);
    expect(names).toContain('manifest.json');
    expect(names).toContain('clips/000/labels.csv');
    expect(await detectArchiveLayout(ours)).toBe('deepsteer');
    const udacity = await exportUdacityZip(store, [id], { codec: ppmCodec });
    expect((await zipEntryNames(udacity))?.filter((n) => n.startsWith('IMG/'))).toHaveLength(30);
    expect(await detectArchiveLayout(udacity)).toBe('udacity');
    store.close();
  });
  it('reads a zip with an archive comment', async () => {
    const plain = zipSync({ 'driving_log.csv': new Uint8Array([1]) });
    // Append a comment holding a fake end-record signature, and set the comment length.
    const comment = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new TextEncoder().encode(' made by hand')]);
    const bytes = new Uint8Array(plain.length + comment.length);
    bytes.set(plain);
    bytes.set(comment, plain.length);
    new DataView(bytes.buffer).setUint16(plain.length - 2, comment.length, true);
    expect(await zipEntryNames(new Blob([bytes]))).toEqual(['driving_log.csv']);
    expect(await detectArchiveLayout(zipOf({ 'notes.txt': 'x' }))).toBe('unknown');
  });
  it('calls anything that is not a readable zip unknown', async () => {
    expect(await zipEntryNames(new Blob([]))).toBeNull();
    expect(await zipEntryNames(new Blob([new Uint8Array(5000).fill(7)]))).toBeNull();
    const good = new Uint8Array(await zipOf({ 'manifest.json': '{}' }).arrayBuffer());
    // Cut off the end record: no directory to read.
    expect(await detectArchiveLayout(new Blob([good.subarray(0, good.length - 10)]))).toBe('unknown');
    // A directory offset pointing past the end record.
    const broken = good.slice();
    new DataView(broken.buffer).setUint32(broken.length - 6, broken.length, true);
    expect(await zipEntryNames(new Blob([broken]))).toBeNull();
  });
});
