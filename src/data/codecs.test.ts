import { Unzip, UnzipInflate, strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { createRng } from '../core/rng.ts';
import { ChunkBuilder } from './chunkBuilder.ts';
import { CLIP_SCHEMA_VERSION, allocLabels, labelRowAt, unpackLabelRows } from './clipTypes.ts';
import { crc32 } from './crc32.ts';
import { csvField, formatNumber, parseCsv, parseDecimal } from './csv.ts';
import { ppmCodec } from './imageCodecPpm.ts';
import { labelsToCsv, parseLabelsCsv } from './labelsCsv.ts';
import { SIDE_CAMERAS, syntheticStep } from './testKit.ts';
import { makeThumbnail } from './thumbnail.ts';
import { ZipReader } from './zipReader.ts';
import { ZipWriter } from './zipWriter.ts';

describe('label codec', () => {
  it('packs, unpacks, writes and parses CSV without changing a bit', () => {
    const shape = { frameWidth: 2, frameHeight: 1, cameras: SIDE_CAMERAS, chunkSteps: 64 };
    const builder = new ChunkBuilder(shape);
    const rng = createRng('labels');
    const steps = Array.from({ length: 64 }, (_, i) => {
      const s = syntheticStep(i, shape);
      // Awkward doubles: random mantissas, tiny and huge magnitudes, -0.
      const v = i === 5 ? -0 : (rng.next() - 0.5) * 10 ** rng.int(-300, 300);
      return { ...s, labels: { ...s.labels, x: v, headingError: rng.normal(), steer: rng.range(-1, 1) } } as typeof s;
    });
    for (const s of steps) builder.pushRecorded(s.frames, s.labels);
    const labels = allocLabels(64, SIDE_CAMERAS);
    unpackLabelRows(builder.rows, 64, { cameras: SIDE_CAMERAS, schemaVersion: CLIP_SCHEMA_VERSION }, labels, 0);
    for (const i of [0, 5, 63]) {
      const want = steps[i].labels;
      expect(labelRowAt(labels, i)).toEqual({ ...want, cameraSteer: { left: want.cameraSteer!.left, right: want.cameraSteer!.right } });
    }
    expect(Object.is(labels.x[5], -0)).toBe(true);

    const csv = labelsToCsv(labels, { cameras: SIDE_CAMERAS, schemaVersion: CLIP_SCHEMA_VERSION });
    const parsed = parseLabelsCsv(csv, { cameras: SIDE_CAMERAS, schemaVersion: CLIP_SCHEMA_VERSION }, 'labels.csv');
    expect(parsed.count).toBe(64);
    const a = new Uint8Array(parsed.rows.buffer);
    const b = new Uint8Array(builder.rows.buffer, 0, parsed.rows.byteLength);
    expect(crc32(a)).toBe(crc32(b));
    expect(a).toEqual(b);
  });

  it('reads CSV fields the way spreadsheets and the Udacity simulator write them', () => {
    const rows = parseCsv('a, b ,"c, with comma","say ""hi"""\r\n\r\n1,2,3,"line\nbreak"\n');
    expect(rows).toEqual([
      { fields: ['a', 'b', 'c, with comma', 'say "hi"'], line: 1 },
      { fields: ['1', '2', '3', 'line\nbreak'], line: 3 },
    ]);
    expect(csvField('C:\\a, b\\IMG\\x.jpg')).toBe('"C:\\a, b\\IMG\\x.jpg"');
    expect(parseCsv(`${csvField('x"y')},z`)[0].fields).toEqual(['x"y', 'z']);
    expect([parseDecimal('1e-3'), parseDecimal('-.5'), parseDecimal('0x10'), parseDecimal(''), parseDecimal('Infinity'), parseDecimal('1,5')]).toEqual([
      0.001, -0.5, null, null, null, null,
    ]);
    expect([formatNumber(-0), formatNumber(0.1 + 0.2), formatNumber(5e-324)]).toEqual(['-0', '0.30000000000000004', '5e-324']);
  });
});

describe('image codec stand-in (PPM)', () => {
  it('round-trips RGB exactly and refuses what is not a PPM', async () => {
    const rgb = Uint8Array.from({ length: 5 * 3 * 3 }, (_, k) => (k * 37) & 255);
    const bytes = await ppmCodec.encode({ width: 5, height: 3, rgb });
    expect(new TextDecoder().decode(bytes.subarray(0, 9))).toBe('P6\n5 3\n25');
    expect(await ppmCodec.decode(bytes)).toEqual({ width: 5, height: 3, rgb });
    const commented = new Uint8Array([...strToU8('P6 # made by hand\n5 3 255\n'), ...rgb]);
    expect((await ppmCodec.decode(commented)).rgb).toEqual(rgb);
    await expect(ppmCodec.decode(strToU8('GIF89a'))).rejects.toThrow(/not an 8-bit binary PPM/);
    await expect(ppmCodec.decode(bytes.subarray(0, 20))).rejects.toThrow(/cut short/);
  });
});

describe('zip reader and writer', () => {
  it('reads archives from fflate (stored and deflated) and writes ones fflate reads', async () => {
    const big = Uint8Array.from({ length: 100_000 }, (_, k) => (k % 251) ^ (k >> 9));
    const foreign = zipSync({ 'a/b.txt': strToU8('hello'), 'big.bin': [big, { level: 9 }], 'empty/': new Uint8Array(0) });
    const reader = await ZipReader.open(foreign);
    expect(reader.entries.map((e) => [e.name, e.method])).toEqual([['a/b.txt', 8], ['big.bin', 8]]);
    expect(await reader.read(reader.get('big.bin')!)).toEqual(big);

    const writer = new ZipWriter(1, Date.UTC(2026, 0, 1));
    writer.add('x.raw', big);
    writer.add('y.raw', big, 0);
    const blob = writer.finish();
    const ours = await ZipReader.open(blob);
    expect(ours.entries.map((e) => [e.name, e.method, e.size])).toEqual([['x.raw', 8, 100_000], ['y.raw', 0, 100_000]]);
    expect(await ours.read(ours.get('x.raw')!)).toEqual(big);
    expect(ours.get('x.raw')!.compressedSize).toBeLessThan(big.length);
  });

  // Bytes holding the three signatures fflate's streaming Unzip scans for (local header, data
  // descriptor, directory entry), as raw RGB frames or compressed data may by chance.
  const signatureLaden = (): Uint8Array => {
    const b = Uint8Array.from({ length: 3000 }, (_, k) => (k * 7) & 255);
    b.set([0x50, 0x4b, 3, 4], 500);
    b.set([0x50, 0x4b, 7, 8], 1500);
    b.set([0x50, 0x4b, 1, 2], 2500);
    return b;
  };
  const signatureArchive = (): Blob => {
    const writer = new ZipWriter(0, Date.UTC(2026, 0, 1));
    writer.add('stored.rgb', signatureLaden());
    writer.add('deflated.rgb', signatureLaden(), 6);
    writer.add('after.txt', strToU8('still here'));
    return writer.finish();
  };

  it('reads files whose bytes contain zip signatures, written with data descriptors as our exporter writes them', async () => {
    const reader = await ZipReader.open(signatureArchive());
    expect(reader.entries.map((e) => [e.name, e.size])).toEqual([['stored.rgb', 3000], ['deflated.rgb', 3000], ['after.txt', 10]]);
    expect(await reader.read(reader.get('stored.rgb')!)).toEqual(signatureLaden());
    expect(await reader.read(reader.get('deflated.rgb')!)).toEqual(signatureLaden());
    expect(new TextDecoder().decode(await reader.read(reader.get('after.txt')!))).toBe('still here');
  });

  it("is still needed: fflate's streaming Unzip cuts such a stored file short, without an error (fflate #243)", async () => {
    const bytes = new Uint8Array(await signatureArchive().arrayBuffer());
    const sizes = new Map<string, number>();
    const errors: unknown[] = [];
    const unzip = new Unzip((file) => {
      sizes.set(file.name, 0);
      file.ondata = (err, data) => {
        if (err) errors.push(err);
        else sizes.set(file.name, sizes.get(file.name)! + data.length);
      };
      file.start();
    });
    unzip.register(UnzipInflate);
    unzip.push(bytes, true);
    // If this fails, fflate reads data-descriptor entries whole now: see the header of zipReader.ts.
    expect(errors).toEqual([]);
    expect(sizes.get('stored.rgb'), 'fflate now reads the stored file whole').toBeLessThan(3000);
  });

  it('computes CRC-32 as zip does', () => {
    expect(crc32(strToU8('123456789'))).toBe(0xcbf43926);
    expect(crc32(strToU8('6789'), crc32(strToU8('12345')))).toBe(0xcbf43926);
  });
});

describe('thumbnail', () => {
  it('fits the first frame in 64 px keeping the aspect, averaging pixels', () => {
    const w = 200;
    const h = 66;
    const rgb = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) rgb.set(x < 100 ? [255, 0, 0] : [0, 0, 255], (y * w + x) * 3);
    const t = makeThumbnail(rgb, w, h);
    expect([t.width, t.height]).toEqual([64, 21]);
    expect(Array.from(t.rgb.subarray(0, 3))).toEqual([255, 0, 0]);
    expect(Array.from(t.rgb.subarray(63 * 3, 64 * 3))).toEqual([0, 0, 255]);
    const small = makeThumbnail(new Uint8Array(4 * 2 * 3).fill(7), 4, 2);
    expect([small.width, small.height, small.rgb[5]]).toEqual([4, 2, 7]);
  });
});
