import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import type { ClipStore } from './clipStore.ts';
import { openClipStore } from './clipStore.ts';
import { CENTER_CAMERA } from './clipTypes.ts';
import { DataError } from './dataErrors.ts';
import { ppmCodec } from './imageCodecPpm.ts';
import { SIDE_CAMERAS, framesDigest, recordSyntheticClip } from './testKit.ts';
import type { TransferProgress } from './transfer.ts';
import { MPH, UDACITY_MAX_STEER_RAD, exportUdacityZip, importUdacityZip } from './udacityFormat.ts';

async function freshStore(): Promise<ClipStore> {
  return openClipStore({ factory: new IDBFactory(), storage: null, clock: () => 1234 });
}

async function ppm(width: number, height: number, fill: (k: number) => number): Promise<Uint8Array> {
  const rgb = new Uint8Array(width * height * 3);
  for (let k = 0; k < rgb.length; k++) rgb[k] = fill(k) & 255;
  return ppmCodec.encode({ width, height, rgb });
}

describe('Udacity simulator layout', () => {
  it('round-trips frames of every camera and the steering, throttle, brake and speed it carries', async () => {
    const store = await freshStore();
    const src = await recordSyntheticClip(store, { steps: 23, chunkSteps: 10, cameras: SIDE_CAMERAS, seed: 3 });
    const before = await store.labels(src.id);
    const progress: TransferProgress[] = [];
    const zip = await exportUdacityZip(store, [src.id], { codec: ppmCodec, onProgress: (p) => progress.push(p) });
    expect(progress.at(-1)?.fraction).toBe(1);

    const files = unzipSync(new Uint8Array(await zip.arrayBuffer()));
    const log = strFromU8(files['driving_log.csv']).trim().split('\n');
    expect(log).toHaveLength(23);
    const first = log[0].split(',');
    expect(first.slice(0, 3)).toEqual(['IMG/center_000_000000.jpg', 'IMG/left_000_000000.jpg', 'IMG/right_000_000000.jpg']);
    expect(Number(first[3])).toBe(-before.steer[0]);
    expect(Number(first[6])).toBeCloseTo(before.speed[0] / MPH, 12);
    expect(Object.keys(files).filter((f) => f.startsWith('IMG/'))).toHaveLength(69);

    const imported = await importUdacityZip(store, zip, { codec: ppmCodec, name: 'back', rateHz: 20 });
    expect(imported).toMatchObject({ name: 'back', frameCount: 23, frameWidth: 16, frameHeight: 8, complete: true, createdAt: 1234 });
    expect(imported.cameras.map((c) => c.id)).toEqual(['center', 'left', 'right']);
    expect(await framesDigest(store, imported.id)).toBe(await framesDigest(store, src.id));

    const after = await store.labels(imported.id);
    for (let i = 0; i < 23; i++) {
      expect(after.steer[i]).toBe(before.steer[i]);
      expect(after.speed[i]).toBeCloseTo(before.speed[i], 12);
      expect(after.brake[i]).toBe(before.brake[i]);
      expect(after.torque[i]).toBe(Math.max(0, before.torque[i]) - before.brake[i]);
      expect(after.steerRad[i]).toBe(before.steer[i] * UDACITY_MAX_STEER_RAD);
      expect(after.tick[i]).toBe(i * 3);
      expect(after.cameraSteer.left![i]).toBe(Math.max(-1, before.steer[i] - 0.2));
      expect(after.cameraSteer.right![i]).toBe(Math.min(1, before.steer[i] + 0.2));
    }
  });

  it('imports what the simulator writes: absolute Windows and Unix paths, ", " separators, header or not', async () => {
    const store = await freshStore();
    const images: Record<string, Uint8Array> = {};
    const rows: string[] = [];
    for (let i = 0; i < 3; i++) {
      for (const cam of ['center', 'left', 'right']) {
        images[`data/IMG/${cam}_2016_12_01_13_30_48_${i}.jpg`] = await ppm(8, 4, (k) => k * 3 + i * 40 + cam.length);
      }
      const dir = i === 1 ? '/home/me/sim/IMG/' : 'C:\\Users\\me\\Desktop\\IMG\\';
      rows.push(
        [`${dir}center_2016_12_01_13_30_48_${i}.jpg`, `${dir}left_2016_12_01_13_30_48_${i}.jpg`, `${dir}right_2016_12_01_13_30_48_${i}.jpg`, `${0.1 * i}`, '0.5', '0', '22.5']
          .join(', '),
      );
    }
    for (const header of [false, true]) {
      const log = (header ? 'center,left,right,steering,throttle,brake,speed\r\n' : '') + rows.join('\r\n') + '\r\n';
      const zip = zipSync({ ...images, 'data/driving_log.csv': strToU8(log) });
      const meta = await importUdacityZip(store, zip, { codec: ppmCodec });
      expect(meta).toMatchObject({ frameCount: 3, frameWidth: 8, frameHeight: 4, trackId: 'udacity' });
      const right = await store.readFrames(meta.id, { start: 2, end: 3, camera: 'right' });
      expect(right).toEqual((await ppmCodec.decode(images['data/IMG/right_2016_12_01_13_30_48_2.jpg'])).rgb);
      const l = await store.labels(meta.id);
      expect(Array.from(l.steer)).toEqual([-0, -0.1, -0.2]);
      expect(l.speed[0]).toBeCloseTo(22.5 * MPH, 12);
      expect(Array.from(l.torque)).toEqual([0.5, 0.5, 0.5]);
    }
  });

  it('keeps center only when the side columns are empty', async () => {
    const store = await freshStore();
    const zip = zipSync({
      'IMG/a.jpg': await ppm(4, 2, (k) => k),
      'IMG/b.jpg': await ppm(4, 2, (k) => k + 1),
      'driving_log.csv': strToU8('IMG/a.jpg,,,0,0,0.25,1\nIMG/b.jpg,,,0,0,0,2\n'),
    });
    const meta = await importUdacityZip(store, zip, { codec: ppmCodec });
    expect(meta.cameras).toEqual([CENTER_CAMERA]);
    expect(Array.from((await store.labels(meta.id)).torque)).toEqual([-0.25, 0]);
  });

  describe('refuses bad input and changes nothing', async () => {
    const img = await ppm(4, 2, (k) => k);
    const big = await ppm(6, 2, (k) => k);
    const cases: [string, Record<string, Uint8Array | string>, string, RegExp][] = [
      ['an archive without a log', { 'IMG/a.jpg': img }, 'bad-manifest', /has no driving_log.csv/],
      ['a missing image', { 'IMG/a.jpg': img, 'driving_log.csv': 'IMG/a.jpg,,,0,0,0,1\nIMG/gone.jpg,,,0,0,0,1\n' }, 'bad-archive', /driving_log.csv line 2, column 'center': the archive has no image 'gone.jpg'/],
      ['a word for a number', { 'IMG/a.jpg': img, 'driving_log.csv': 'IMG/a.jpg,,,0,0,0,1\nIMG/a.jpg,,,0,full,0,1\n' }, 'bad-csv', /driving_log.csv line 2, column 'throttle': 'full' is not a number/],
      ['steering out of range', { 'IMG/a.jpg': img, 'driving_log.csv': 'IMG/a.jpg,,,1.5,0,0,1\n' }, 'bad-csv', /line 1, column 'steering': 1.5 is outside -1..1/],
      ['a short row', { 'IMG/a.jpg': img, 'driving_log.csv': 'IMG/a.jpg,,,0,0,0\n' }, 'bad-csv', /line 1 has 6 fields; expected 7/],
      ['a header missing columns', { 'IMG/a.jpg': img, 'driving_log.csv': 'center,left,right,steering,speed\nIMG/a.jpg,,,0,1\n' }, 'bad-csv', /missing columns 'throttle', 'brake'/],
      ['images of two sizes', { 'IMG/a.jpg': img, 'IMG/b.jpg': big, 'driving_log.csv': 'IMG/a.jpg,,,0,0,0,1\nIMG/b.jpg,,,0,0,0,1\n' }, 'frame-size', /image 'IMG\/b.jpg' is 6x2; the first image is 4x2/],
      ['an image that does not decode', { 'IMG/a.jpg': img, 'IMG/b.jpg': 'JFIF?', 'driving_log.csv': 'IMG/a.jpg,,,0,0,0,1\nIMG/b.jpg,,,0,0,0,1\n' }, 'bad-archive', /image 'IMG\/b.jpg' cannot be decoded/],
      ['an empty archive', {}, 'empty-archive', /the archive is empty/],
    ];
    for (const [what, files, code, message] of cases) {
      it(what, async () => {
        const store = await freshStore();
        const keep = await recordSyntheticClip(store, { steps: 3 });
        const zip = zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? strToU8(v) : v])));
        const err = await importUdacityZip(store, zip, { codec: ppmCodec }).then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(DataError);
        expect((err as DataError).message).toMatch(message);
        expect((err as DataError).code).toBe(code);
        expect((await store.list()).map((m) => m.id)).toEqual([keep.id]);
        expect(await store.sweepOrphans()).toBe(0);
      });
    }
  });

  it('rolls back chunks already written when a late image is bad, and can be cancelled', async () => {
    const store = await freshStore();
    const files: Record<string, Uint8Array> = {};
    const lines: string[] = [];
    for (let i = 0; i < 50; i++) {
      files[`IMG/c${i}.jpg`] = await ppm(4, 2, (k) => k + i);
      lines.push(`IMG/c${i}.jpg,,,0,0,0,1`);
    }
    files['IMG/c49.jpg'] = await ppm(2, 2, (k) => k);
    const zip = zipSync({ ...files, 'driving_log.csv': strToU8(lines.join('\n')) });
    await expect(importUdacityZip(store, zip, { codec: ppmCodec })).rejects.toThrow(/c49.jpg' is 2x2/);
    expect(await store.list()).toEqual([]);
    expect(await store.sweepOrphans()).toBe(0);

    const controller = new AbortController();
    const run = importUdacityZip(store, zip, {
      codec: ppmCodec,
      signal: controller.signal,
      onProgress: (p) => p.phase === 'decoding' && p.fraction > 0.6 && controller.abort(),
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(await store.list()).toEqual([]);
    expect(await store.sweepOrphans()).toBe(0);
  });

  it('refuses to export clips of different frame sizes into one log', async () => {
    const store = await freshStore();
    const a = await recordSyntheticClip(store, { steps: 2, frameWidth: 4, frameHeight: 2 });
    const b = await recordSyntheticClip(store, { steps: 2, frameWidth: 6, frameHeight: 2, seed: 1 });
    await expect(exportUdacityZip(store, [a.id, b.id], { codec: ppmCodec })).rejects.toThrow(/one image size: 'clip 1' is 6x2/);
    const one = await exportUdacityZip(store, [a.id, a.id], { codec: ppmCodec, header: true });
    const log = strFromU8(unzipSync(new Uint8Array(await one.arrayBuffer()))['driving_log.csv']).trim().split('\n');
    expect(log[0]).toBe('center,left,right,steering,throttle,brake,speed');
    expect(log.map((l) => l.split(',')[0])).toEqual([
      'center', 'IMG/center_000_000000.jpg', 'IMG/center_000_000001.jpg', 'IMG/center_001_000000.jpg', 'IMG/center_001_000001.jpg',
    ]);
    expect(log[1].split(',').slice(1, 3)).toEqual(['', '']);
  });
});
