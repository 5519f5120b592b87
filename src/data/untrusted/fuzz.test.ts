// Property-based fuzzing of the data layer's imports (clip zip, Udacity zip with CSV and images,
// settings) and the nasty corpus: each case ends within 2 s with a named DataError, nothing
// uncaught, and the stores unchanged (fake-indexeddb). Run counts keep the file at seconds.

import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import fc from 'fast-check';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { Inflate } from 'fflate';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { boundedInflate, InflateCapError } from '../../core/boundedInflate.ts';
import { exportClipsZip, importClipsZip } from '../clipArchive.ts';
import { type ClipStore, openClipStore } from '../clipStore.ts';
import { DataError } from '../dataErrors.ts';
import { ppmCodec } from '../imageCodecPpm.ts';
import { openSettingsStore } from '../settingsStore.ts';
import { framesDigest, recordSyntheticClip } from '../testKit.ts';
import { importUdacityZip } from '../udacityFormat.ts';
import { bombZip, deflateBomb, deflateBombSize, pngHeader, zipWithDeclaredSize } from './nastyKit.ts';

const stats: Record<string, { cases: number; slowestMs: number }> = {};

async function refusedInTime(parser: string, run: () => Promise<unknown>): Promise<void> {
  const t0 = performance.now();
  const err = await run().then(() => null, (e: unknown) => e);
  const ms = performance.now() - t0;
  const s = (stats[parser] ??= { cases: 0, slowestMs: 0 });
  s.cases++;
  s.slowestMs = Math.max(s.slowestMs, ms);
  expect(ms).toBeLessThan(2000);
  // Random input may happen to be valid only in theory; every refusal is a named DataError.
  expect(err).toBeInstanceOf(DataError);
  expect((err as DataError).message.length).toBeGreaterThan(10);
}

async function snapshot(store: ClipStore): Promise<string> {
  const metas = await store.list();
  return JSON.stringify(await Promise.all(metas.map(async (m) => [m.id, m.frameCount, await framesDigest(store, m.id)])));
}

describe('fuzz: clip and Udacity imports', async () => {
  const store = await openClipStore({ factory: new IDBFactory(), storage: null, clock: () => 1234 });
  const keep = await recordSyntheticClip(store, { steps: 12, chunkSteps: 5, seed: 4 });
  const valid = new Uint8Array(await (await exportClipsZip(store, [keep.id])).arrayBuffer());
  const before = await snapshot(store);
  const img = await ppmCodec.encode({ width: 8, height: 4, rgb: new Uint8Array(96) });
  const udacity = (files: Record<string, Uint8Array | string>): Uint8Array =>
    zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? strToU8(v) : v])));
  const clipImport = (bytes: Uint8Array) => refusedInTime('clip zip', () => importClipsZip(store, bytes));
  const udacityImport = (bytes: Uint8Array) => refusedInTime('udacity zip', () => importUdacityZip(store, bytes, { codec: ppmCodec }));

  it('random bytes and byte-mutated or truncated exports', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (b) => {
      await clipImport(b);
      await udacityImport(b);
    }), { numRuns: 60 });
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat({ max: valid.length - 1 }), async (flips, cut) => {
      const b = valid.slice();
      for (const [at, v] of flips) b[at] = b[at] === v ? v ^ 1 : v;
      // A flip in a byte nothing reads (a timestamp, an unused header field) still imports: then
      // the clip is whole (checksums pass) and is removed again so the store stays as it was.
      const t0 = performance.now();
      const r = await importClipsZip(store, b).then((m) => m, (e: unknown) => e);
      expect(performance.now() - t0).toBeLessThan(2000);
      if (r instanceof DataError) expect(r.message.length).toBeGreaterThan(10);
      else for (const m of r as { id: string }[]) await store.remove(m.id);
      (stats['clip zip'] ??= { cases: 0, slowestMs: 0 }).cases++;
      await clipImport(valid.subarray(0, cut));
    }), { numRuns: 60 });
  });

  it("label CSVs with any speedTarget cell: a speed 0..100 m/s, NaN from an empty cell, or refused naming the column", async () => {
    const files = unzipSync(valid);
    const lines = strFromU8(files['clips/000/labels.csv']).split('\n');
    const col = lines[0].split(',').indexOf('speedTarget');
    expect(col).toBeGreaterThan(0);
    const cell = fc.oneof(
      fc.constantFrom('', 'NaN', '-0', '0', '100', '100.0000001', '-1', '1e999', 'Infinity', '-Infinity', '+5', '.5', '1e2', '1e-400'),
      fc.double().map(String),
      fc.string({ maxLength: 8 }),
    );
    await fc.assert(fc.asyncProperty(fc.integer({ min: 1, max: 12 }), cell, async (row, v) => {
      const edited = lines.map((l, i) => (i === row ? l.split(',').map((c, k) => (k === col ? v : c)).join(',') : l)).join('\n');
      const t0 = performance.now();
      const r = await importClipsZip(store, zipSync({ ...files, 'clips/000/labels.csv': strToU8(edited) })).then((m) => m, (e: unknown) => e);
      expect(performance.now() - t0).toBeLessThan(2000);
      if (r instanceof DataError) {
        // A cell with CSV punctuation may break the row itself; any other refusal names the column.
        if (!/[",\r\n]/.test(v)) expect(r.message).toMatch(new RegExp(`row ${row} \\(line ${row + 1}\\), column 'speedTarget'`));
      } else {
        const [m] = r as { id: string }[];
        try {
          const got = (await store.labels(m.id)).speedTarget[row - 1];
          // The cell as the CSV reader gives it: an unquoted field is trimmed (' ' reads as an empty
          // cell); one with CSV punctuation may read as something else, so only its range is checked.
          const asRead = /[",\r\n]/.test(v) ? null : v.trim();
          if (Number.isNaN(got)) expect(asRead ?? '').toBe('');
          else expect(got >= 0 && got <= 100 && (asRead === null || (asRead !== '' && got === Number(asRead)))).toBe(true);
        } finally {
          await store.remove(m.id); // a failed check must not leave the clip for the next test to find
        }
      }
      (stats['clip zip'] ??= { cases: 0, slowestMs: 0 }).cases++;
    }), { numRuns: 80 });
  });

  it('manifests with wrong types, NaN/Infinity, deep nesting and huge declared counts', async () => {
    const nasty = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
      fc.constantFrom('1e999', '-1e999', '"NaN"', '4294967296', '9007199254740993', '-0'),
      fc.nat({ max: 100_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
    );
    const field = fc.constantFrom('format', 'version', 'clips', 'frameCount', 'frameWidth', 'frameHeight', 'rateHz', 'cameras', 'chunkSteps', 'labels', 'frames');
    await fc.assert(fc.asyncProperty(field, nasty, async (f, v) => {
      const manifest = f === 'format' || f === 'version' || f === 'clips'
        ? `{"format":"deepsteer-clips","version":1,"${f}":${v}}`
        : `{"format":"deepsteer-clips","version":1,"clips":[{"id":"a","name":"x","${f}":${v}}]}`;
      await clipImport(zipSync({ 'manifest.json': strToU8(manifest) }));
    }), { numRuns: 60 });
  });

  it('Udacity logs with random rows, NaN/Infinity and images that declare huge sizes', async () => {
    const cell = fc.oneof(fc.constantFrom('NaN', 'Infinity', '-1e999', '1e308', '', '"', 'IMG/a.ppm', 'IMG/nope.jpg'), fc.double().map(String), fc.string({ maxLength: 12 }));
    await fc.assert(fc.asyncProperty(fc.array(fc.array(cell, { minLength: 0, maxLength: 9 }), { minLength: 0, maxLength: 6 }), async (rows) => {
      const log = rows.map((r) => r.join(',')).join('\n');
      const t0 = performance.now();
      const err = await importUdacityZip(store, udacity({ 'IMG/a.ppm': img, 'driving_log.csv': log }), { codec: ppmCodec }).then((m) => m, (e: unknown) => e);
      expect(performance.now() - t0).toBeLessThan(2000);
      // A log that happens to be valid imports a clip: remove it so the store stays as it was.
      if (!(err instanceof DataError)) await store.remove((err as { id: string }).id);
      (stats['udacity zip'] ??= { cases: 0, slowestMs: 0 }).cases++;
    }), { numRuns: 50 });
    await fc.assert(fc.asyncProperty(fc.integer({ min: 2049, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (w, h) => {
      await udacityImport(udacity({ 'IMG/a.png': pngHeader(w, h), 'driving_log.csv': 'IMG/a.png,,,0,0,0,1\n' }));
    }), { numRuns: 20 });
  });

  it('the nasty corpus: bombs, lying sizes, huge declared entries', async () => {
    // A manifest that really inflates to ~160 MB and says so: refused by its declared size.
    await clipImport(bombZip('manifest.json', 1_000_000));
    // The same bomb declaring 1000 bytes: the inflate stops at 1000.
    await clipImport(bombZip('manifest.json', 1_000_000, 1000));
    await udacityImport(bombZip('driving_log.csv', 1_000_000, 5000));
    await clipImport(zipWithDeclaredSize({ 'manifest.json': strToU8('{}') }, 'manifest.json', 0xfffffff0));
    await udacityImport(udacity({ 'IMG/a.png': new Uint8Array(9 * 1024 * 1024), 'driving_log.csv': 'IMG/a.png,,,0,0,0,1\n' }));
  });

  it('refuses a 10 MB deflate bomb without holding more than its cap', () => {
    const bomb = deflateBomb(10 * 1024 * 1024);
    expect(deflateBombSize(bomb.length)).toBeGreaterThan(1.5e9);
    const cap = 1024 * 1024;
    let delivered = 0;
    const t0 = performance.now();
    expect(() => boundedInflate(bomb, cap, () => {
      const inf = new Inflate();
      const push = inf.push.bind(inf);
      inf.push = (chunk, final) => {
        const user = inf.ondata;
        inf.ondata = (d, f) => {
          delivered += d.length;
          user(d, f);
        };
        push(chunk, final);
        inf.ondata = user;
      };
      return inf;
    })).toThrow(InflateCapError);
    // It stopped within one input piece (1 KiB in, at most ~160 KiB out) past the cap.
    expect(delivered).toBeLessThan(cap + 200 * 1024);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('leaves the library as it was', async () => {
    expect(await snapshot(store)).toBe(before);
    for (const [k, s] of Object.entries(stats)) console.log(`fuzz ${k}: ${s.cases} cases, slowest ${s.slowestMs.toFixed(1)} ms`);
  });
});

describe('fuzz: settings', () => {
  it('any stored value gives the value or the fallback, never an error; bad puts are refused', async () => {
    const settings = await openSettingsStore({ factory: new IDBFactory() });
    const schema = z.object({ deadzone: z.number().min(0).max(0.5) });
    let slowest = 0;
    await fc.assert(fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.anything()), async (v) => {
      const t0 = performance.now();
      const put = await settings.put('k', v).then(() => null, (e: unknown) => e);
      if (put) expect(put).toBeInstanceOf(DataError);
      const got = await settings.get('k', schema, { deadzone: 0.1 });
      expect(schema.safeParse(got).success).toBe(true);
      slowest = Math.max(slowest, performance.now() - t0);
    }), { numRuns: 150 });
    const deep = JSON.parse('['.repeat(5000) + ']'.repeat(5000)) as unknown;
    expect(await settings.put('deep', deep).then(() => null, (e: unknown) => e)).toBeInstanceOf(DataError);
    expect(slowest).toBeLessThan(2000);
    console.log(`fuzz settings: 151 cases, slowest ${slowest.toFixed(1)} ms`);
  });
});
