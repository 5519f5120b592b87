// Throughput figures of the data layer in Node with fake-indexeddb (an in-memory IndexedDB,
// so these measure our code plus structured cloning, not a disk). Skipped unless asked for:
//   DEEPSTEER_DATA_BENCH=1 npx vitest run src/data/dataBench.test.ts
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { Unzip, UnzipInflate } from 'fflate';
import { describe, expect, it } from 'vitest';
import { createRng } from '../core/rng.ts';
import type { Ticks } from '../core/units.ts';
import { exportClipsZip, importClipsZip } from './clipArchive.ts';
import { openClipStore } from './clipStore.ts';
import type { CameraSpec } from './clipTypes.ts';
import { CENTER_CAMERA, stepBytes } from './clipTypes.ts';
import { createSequenceDataset } from './sequenceDataset.ts';
import { SIDE_CAMERAS, framesDigest, labelsDigest, syntheticLabels } from './testKit.ts';
import { ZipReader } from './zipReader.ts';

/** A dash-camera-like frame: sky gradient, grey road with a lane line that sways, grass, sensor noise. */
function roadFrame(i: number, w: number, h: number, rng: ReturnType<typeof createRng>): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  const horizon = Math.floor(h * 0.4);
  const sway = Math.sin(i / 30) * w * 0.15;
  for (let y = 0; y < h; y++) {
    const depth = (y - horizon) / (h - horizon);
    const half = (0.05 + 0.45 * depth) * w;
    const cx = w / 2 + sway * (1 - depth);
    for (let x = 0; x < w; x++) {
      let r: number;
      let g: number;
      let b: number;
      if (y < horizon) [r, g, b] = [120 + y, 160 + y, 230];
      else if (Math.abs(x - cx) < half) {
        const line = Math.abs(x - cx) < 1 + depth * 2 && (y + i) % 8 < 4;
        [r, g, b] = line ? [240, 240, 240] : [90, 90, 95];
      } else [r, g, b] = [60, 140 - 30 * depth, 50];
      const n = rng.int(-3, 3);
      const o = (y * w + x) * 3;
      out[o] = r + n;
      out[o + 1] = g + n;
      out[o + 2] = b + n;
    }
  }
  return out;
}

const ms = (t0: number): number => performance.now() - t0;

/** Bytes of every file of the archive as the importer reads them (random access, CRC-checked). */
async function readByDirectory(zip: Blob): Promise<number> {
  const reader = await ZipReader.open(zip);
  let bytes = 0;
  for (const e of reader.entries) bytes += (await reader.read(e)).length;
  return bytes;
}

/**
 * The alternative zipReader.ts explains away, for comparison: fflate's streaming Unzip over
 * blob.stream() in two passes (index files, then frames), every entry started (un-started ones
 * stay buffered), no CRC check. Returns the bytes of the files each pass wanted.
 */
async function readByStreaming(zip: Blob): Promise<number> {
  let bytes = 0;
  for (const wanted of [(n: string) => !n.endsWith('.rgb'), (n: string) => n.endsWith('.rgb')]) {
    const unzip = new Unzip((file) => {
      const keep = wanted(file.name);
      file.ondata = (err, data) => {
        if (err) throw err;
        if (keep) bytes += data.length;
      };
      file.start();
    });
    unzip.register(UnzipInflate);
    const reader = zip.stream().getReader();
    for (let r = await reader.read(); ; r = await reader.read()) {
      unzip.push(r.value ?? new Uint8Array(0), r.done);
      if (r.done) break;
    }
  }
  return bytes;
}

describe.runIf(process.env.DEEPSTEER_DATA_BENCH === '1')('data layer throughput (fake-indexeddb, Node)', () => {
  for (const cameras of [[CENTER_CAMERA], SIDE_CAMERAS] as CameraSpec[][]) {
    it(`records, exports, imports and streams a 200x66 clip with ${cameras.length} camera(s)`, async () => {
      const store = await openClipStore({ factory: new IDBFactory(), storage: null });
      const steps = 1200; // one minute at 20 Hz
      const rng = createRng('bench');
      const pool = Array.from({ length: 60 }, (_, i) => cameras.map(() => roadFrame(i, 200, 66, rng)));
      const shape = { frameWidth: 200, frameHeight: 66, cameras };
      const writer = await store.startRecording({ name: 'bench', createdAt: 0, trackId: 'oval', theme: 'day', simVersion: '1', ...shape });
      let appendMs = 0;
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) {
        const a = performance.now();
        writer.append({ frames: pool[i % 60], labels: { ...syntheticLabels(i, shape), tick: (i * 3) as Ticks } });
        appendMs += ms(a);
        if (i % 20 === 19) await writer.flush(); // as the recorder's once-a-second write would
      }
      const meta = await writer.finish();
      const writeMs = ms(t0);
      const mb = (steps * stepBytes(meta)) / 1e6;

      let t = performance.now();
      const labels = await store.labels(meta.id);
      const labelsMs = ms(t);
      t = performance.now();
      await store.list();
      const listMs = ms(t);

      const digest = [await framesDigest(store, meta.id), labelsDigest(labels)];
      const rows: string[] = [];
      for (const level of [0, 1, 6]) {
        t = performance.now();
        const zip = await exportClipsZip(store, [meta.id], { level });
        const exportMs = ms(t);
        t = performance.now();
        const directoryBytes = await readByDirectory(zip);
        const directoryMs = ms(t);
        t = performance.now();
        const streamBytes = await readByStreaming(zip);
        const streamMs = ms(t);
        t = performance.now();
        const [copy] = await importClipsZip(store, zip);
        const importMs = ms(t);
        expect([await framesDigest(store, copy.id), labelsDigest(await store.labels(copy.id))]).toEqual(digest);
        await store.remove(copy.id);
        rows.push(
          `  zip level ${level}: ${(zip.size / 1e6).toFixed(1)} MB (${((100 * zip.size) / (mb * 1e6)).toFixed(0)}%), ` +
            `export ${(mb / (exportMs / 1000)).toFixed(0)} MB/s, import ${(mb / (importMs / 1000)).toFixed(0)} MB/s\n` +
            `    zip read alone: by directory ${(directoryBytes / 1e3 / directoryMs).toFixed(0)} MB/s; ` +
            `fflate streaming Unzip, two passes ${(streamBytes / 1e3 / streamMs).toFixed(0)} MB/s` +
            (streamBytes === directoryBytes ? '' : ` (lost ${directoryBytes - streamBytes} bytes)`),
        );
      }

      const ds = await createSequenceDataset(store, { clipIds: [meta.id], windowLength: 10, stride: 1, batchSize: 32, shuffle: { seed: 1 } });
      t = performance.now();
      let windows = 0;
      for await (const b of ds.batches()) windows += b.size;
      const dsMs = ms(t);

      console.log(
        [
          `${cameras.length} camera(s), ${steps} steps, ${mb.toFixed(1)} MB of frames (chunkSteps ${meta.chunkSteps})`,
          `  record: ${(writeMs / steps).toFixed(3)} ms/step end to end (${((writeMs / steps) / cameras.length).toFixed(3)} ms/frame), append alone ${(appendMs / steps).toFixed(3)} ms/step; ${(mb / (writeMs / 1000)).toFixed(0)} MB/s`,
          `  labels of the clip: ${labelsMs.toFixed(1)} ms; list(): ${listMs.toFixed(1)} ms`,
          ...rows,
          `  sequenceDataset T=10 B=32: ${windows} windows in ${dsMs.toFixed(0)} ms (${((windows / dsMs) * 1000).toFixed(0)} windows/s), ${ds.stats().chunkReads} chunk reads`,
        ].join('\n'),
      );
      expect(windows).toBe((steps - 9) * cameras.length);
    });
  }
});
