// The Udacity self-driving-car simulator's recording layout: driving_log.csv (center, left,
// right, steering, throttle, brake, speed) beside an IMG/ folder of JPEGs, zipped. Export
// writes it from clips; import turns such a zip into one clip. Mapping: docs/formats.md,
// "Udacity simulator layout". Images go through an injected ImageCodec.

import type { ClipDb } from './clipDb.ts';
import { deleteClipRecords, runWrite } from './clipDb.ts';
import { ChunkBuilder } from './chunkBuilder.ts';
import type { ClipStore } from './clipStore.ts';
import { storeInternals } from './clipStore.ts';
import { clipLockName } from './tabLocks.ts';
import type { CameraId, CameraSpec, ClipMeta, LabelRow } from './clipTypes.ts';
import {
  CENTER_CAMERA,
  CLIP_SCHEMA_VERSION,
  DEFAULT_RATE_HZ,
  SIM_TICKS_PER_SECOND,
  byteSizeOf,
  checkClipShape,
  defaultChunkSteps,
  frameBytes,
  stepBytes,
} from './clipTypes.ts';
import { csvField, formatNumber, parseCsv, parseDecimal } from './csv.ts';
import { DataError, describeError, throwIfCancelled } from './dataErrors.ts';
import type { ImageCodec } from './imageCodec.ts';
import { makeThumbnail } from './thumbnail.ts';
import type { TransferOptions } from './transfer.ts';
import { progressReporter } from './transfer.ts';
import type { ArchiveInput, ZipEntry } from './zipReader.ts';
import { capText, imageDimensions } from './untrusted/guards.ts';
import { CSV_MAX_BYTES, CSV_MAX_ROWS, IMAGE_MAX_BYTES, IMAGE_MAX_SIDE } from './untrusted/limits.ts';
import { ZipReader } from './zipReader.ts';
import { ZipWriter } from './zipWriter.ts';
import type { Meters, MetersPerSecond, Radians, Ticks } from '../core/units.ts';

export const UDACITY_LOG = 'driving_log.csv';
export const UDACITY_COLUMNS = ['center', 'left', 'right', 'steering', 'throttle', 'brake', 'speed'] as const;
/** One mile per hour in m/s (exact by definition). */
export const MPH = 0.44704;
/** The Udacity car's steering limit: its steering column is the wheel angle over 25 degrees. */
export const UDACITY_MAX_STEER_RAD = (25 * Math.PI) / 180;

export interface UdacityExportOptions extends TransferOptions {
  readonly codec: ImageCodec;
  /** Write the header row of Udacity's sample data; the simulator itself writes none (default). */
  readonly header?: boolean;
}

/**
 * Exports clips as one Udacity-layout zip: every step of every clip becomes a row, images
 * IMG/<camera>_<clip>_<step>.jpg. Clips must share a frame size (the layout has no per-row size).
 */
export async function exportUdacityZip(store: ClipStore, clipIds: readonly string[], options: UdacityExportOptions): Promise<Blob> {
  const { clock } = storeInternals(store);
  const report = progressReporter(options.onProgress);
  if (clipIds.length === 0) throw new DataError('invalid-input', 'choose at least one clip to export');
  const metas: ClipMeta[] = [];
  for (const id of clipIds) metas.push(await store.getMeta(id));
  const [first] = metas;
  const odd = metas.find((m) => m.frameWidth !== first.frameWidth || m.frameHeight !== first.frameHeight);
  if (odd) {
    throw new DataError(
      'invalid-input',
      `the Udacity layout needs one image size: '${odd.name}' is ${odd.frameWidth}x${odd.frameHeight}, '${first.name}' is ${first.frameWidth}x${first.frameHeight}`,
    );
  }
  const zip = new ZipWriter(0, Math.max(clock(), Date.UTC(1980, 0, 2)));
  const lines: string[] = options.header ? [UDACITY_COLUMNS.join(',')] : [];
  const total = metas.reduce((s, m) => s + m.frameCount, 0) || 1;
  let done = 0;
  report('encoding', 0);
  for (const [k, m] of metas.entries()) {
    const labels = await store.labels(m.id);
    const fb = frameBytes(m);
    const sb = stepBytes(m);
    const slot = (id: CameraId): number => m.cameras.findIndex((c) => c.id === id);
    for (let chunkIndex = 0; chunkIndex * m.chunkSteps < m.frameCount; chunkIndex++) {
      throwIfCancelled(options.signal, 'the export');
      const chunk = await store.readChunk(m.id, chunkIndex);
      const steps = Math.min(chunk.count, m.frameCount - chunkIndex * m.chunkSteps);
      for (let s = 0; s < steps; s++) {
        const i = chunkIndex * m.chunkSteps + s;
        const paths: string[] = [];
        for (const id of ['center', 'left', 'right'] as const) {
          const c = slot(id);
          if (c < 0) {
            paths.push('');
            continue;
          }
          const path = `IMG/${id}_${String(k).padStart(3, '0')}_${String(i).padStart(6, '0')}.jpg`;
          const rgb = chunk.frames.subarray(s * sb + c * fb, s * sb + (c + 1) * fb);
          zip.add(path, await options.codec.encode({ width: m.frameWidth, height: m.frameHeight, rgb }));
          paths.push(path);
        }
        const row = [
          ...paths.map(csvField),
          formatNumber(-labels.steer[i]), // Udacity: + steers right; DeepSteer: + steers left
          formatNumber(Math.max(0, labels.torque[i])),
          formatNumber(labels.brake[i]),
          formatNumber(labels.speed[i] / MPH),
        ];
        lines.push(row.join(','));
        report('encoding', ++done / total);
      }
    }
  }
  zip.add(UDACITY_LOG, new TextEncoder().encode(lines.join('\n') + '\n'), 6);
  const blob = zip.finish();
  report('encoding', 1);
  return blob;
}

export interface UdacityImportOptions extends TransferOptions {
  readonly codec: ImageCodec;
  readonly name?: string;
  /** Milliseconds since the epoch; default the store's clock. */
  readonly createdAt?: number;
  /** The log carries no timing: the rate to assume, default 20 Hz (sets `tick`). */
  readonly rateHz?: number;
  /** Default 'udacity'. */
  readonly trackId?: string;
  readonly theme?: string;
  /**
   * Recovery steer added for the side cameras, which the log does not label: left camera
   * steer - correction, right camera steer + correction (clamped to -1..1). Default 0.2.
   */
  readonly sideSteerCorrection?: number;
  /** Sideways offset recorded for the side cameras (unknown in the layout), default 1 m. */
  readonly sideCameraLateralM?: number;
}

interface LogRow {
  readonly line: number;
  readonly paths: readonly string[];
  readonly steering: number;
  readonly throttle: number;
  readonly brake: number;
  readonly mph: number;
}

function basename(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1];
}

/** Imports a zip in the Udacity layout (with or without header row) as one new clip. */
export async function importUdacityZip(store: ClipStore, input: ArchiveInput, options: UdacityImportOptions): Promise<ClipMeta> {
  const { db, clock, newId, locks } = storeInternals(store);
  const report = progressReporter(options.onProgress);
  report('reading', 0);
  const zip = await ZipReader.open(input);
  if (zip.entries.length === 0) throw new DataError('empty-archive', 'the archive is empty: it holds no files');
  const logEntry = zip.entries
    .filter((e) => basename(e.name).toLowerCase() === UDACITY_LOG)
    .sort((a, b) => a.name.length - b.name.length)[0];
  if (!logEntry) throw new DataError('bad-manifest', `the archive has no ${UDACITY_LOG}, so it is not a Udacity simulator recording`);
  const rows = parseLog(capText(await zip.read(logEntry, CSV_MAX_BYTES), CSV_MAX_BYTES, UDACITY_LOG, 'bad-csv'));
  if (rows.length > CSV_MAX_ROWS) throw new DataError('bad-csv', `${UDACITY_LOG} has ${rows.length} rows; at most ${CSV_MAX_ROWS} are imported`);

  // Images by file name: the simulator writes absolute paths of the machine that recorded.
  const images = new Map<string, ZipEntry>();
  for (const e of zip.entries) {
    const key = basename(e.name);
    if (!images.has(key) || /(^|\/)IMG\//.test(e.name)) images.set(key, e);
  }
  const cameraSlots: { id: CameraId; column: number }[] = [{ id: 'center', column: 0 }];
  if (rows.every((r) => r.paths[1] !== '')) cameraSlots.push({ id: 'left', column: 1 });
  if (rows.every((r) => r.paths[2] !== '')) cameraSlots.push({ id: 'right', column: 2 });
  const imageOf = (r: LogRow, column: number): ZipEntry => {
    const e = images.get(basename(r.paths[column]));
    if (!e) {
      throw new DataError(
        'bad-archive',
        `${UDACITY_LOG} line ${r.line}, column '${UDACITY_COLUMNS[column]}': the archive has no image '${basename(r.paths[column])}'`,
      );
    }
    return e;
  };
  for (const r of rows) for (const s of cameraSlots) imageOf(r, s.column);

  const decode = async (r: LogRow, column: number): Promise<{ name: string; width: number; height: number; rgb: Uint8Array }> => {
    const e = imageOf(r, column);
    const bytes = await zip.read(e, IMAGE_MAX_BYTES);
    // The decoder allocates what the header declares: check it first.
    const dims = imageDimensions(bytes);
    if (!dims) throw new DataError('bad-archive', `image '${e.name}' cannot be decoded: it is not a PNG, JPEG or PPM image`);
    if (dims.width < 1 || dims.height < 1 || dims.width > IMAGE_MAX_SIDE || dims.height > IMAGE_MAX_SIDE) {
      throw new DataError('frame-size', `image '${e.name}' declares ${dims.width}x${dims.height} pixels; images of 1 to ${IMAGE_MAX_SIDE} pixels a side are imported`);
    }
    try {
      return { name: e.name, ...(await options.codec.decode(bytes)) };
    } catch (err) {
      throw new DataError('bad-archive', `image '${e.name}' cannot be decoded: ${describeError(err)}`, { cause: err });
    }
  };
  const probe = await decode(rows[0], 0);
  const rateHz = options.rateHz ?? DEFAULT_RATE_HZ;
  const lateral = options.sideCameraLateralM ?? 1;
  const correction = options.sideSteerCorrection ?? 0.2;
  const cameras: CameraSpec[] = cameraSlots.map(({ id }) =>
    id === 'center' ? CENTER_CAMERA : { id, lateralM: (id === 'left' ? lateral : -lateral) as Meters, yawRad: 0 as Radians },
  );
  const shape = { rateHz, frameWidth: probe.width, frameHeight: probe.height, cameras };
  checkClipShape(shape);
  const meta: ClipMeta = {
    id: newId(),
    name: options.name ?? 'Udacity import',
    createdAt: options.createdAt ?? clock(),
    trackId: options.trackId ?? 'udacity',
    theme: options.theme ?? 'udacity',
    ...shape,
    frameCount: rows.length,
    byteSize: byteSizeOf({ ...shape, frameCount: rows.length, schemaVersion: CLIP_SCHEMA_VERSION }),
    complete: true,
    tag: null,
    thumbnail: makeThumbnail(probe.rgb, probe.width, probe.height),
    simVersion: 'udacity',
    schemaVersion: CLIP_SCHEMA_VERSION,
    chunkSteps: defaultChunkSteps(rateHz, stepBytes(shape)),
  };
  const release = await locks.hold(clipLockName(meta.id)); // another tab's orphan sweep leaves the chunks alone
  try {
    await writeUdacityClip(db, meta, rows, cameraSlots, { decode, correction, signal: options.signal, report });
  } catch (e) {
    await deleteClipRecords(db, meta.id).catch(() => undefined);
    throw e;
  } finally {
    release();
  }
  report('writing', 1);
  return meta;
}

function parseLog(text: string): LogRow[] {
  const table = parseCsv(text);
  if (table.length === 0) throw new DataError('bad-csv', `${UDACITY_LOG} is empty`);
  let at: number[] = [0, 1, 2, 3, 4, 5, 6];
  let body = table;
  if (table[0].fields[0].toLowerCase() === 'center') {
    const header = table[0].fields.map((f) => f.toLowerCase());
    const missing = UDACITY_COLUMNS.filter((c) => !header.includes(c));
    if (missing.length > 0) {
      throw new DataError('bad-csv', `${UDACITY_LOG} is missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c}'`).join(', ')}`);
    }
    at = UDACITY_COLUMNS.map((c) => header.indexOf(c));
    body = table.slice(1);
  }
  if (body.length === 0) throw new DataError('bad-csv', `${UDACITY_LOG} has no rows`);
  return body.map(({ fields, line }) => {
    const need = Math.max(...at) + 1;
    if (fields.length < need) {
      throw new DataError('bad-csv', `${UDACITY_LOG} line ${line} has ${fields.length} fields; expected ${need} (${UDACITY_COLUMNS.join(', ')})`);
    }
    const num = (k: number, lo: number, hi: number): number => {
      const s = fields[at[k]];
      const v = parseDecimal(s);
      const where = `${UDACITY_LOG} line ${line}, column '${UDACITY_COLUMNS[k]}'`;
      if (v === null) throw new DataError('bad-csv', `${where}: '${s}' is not a number`);
      if (v < lo || v > hi) throw new DataError('bad-csv', `${where}: ${v} is outside ${lo}..${hi}`);
      return v;
    };
    const center = fields[at[0]];
    if (center === '') throw new DataError('bad-csv', `${UDACITY_LOG} line ${line}, column 'center' is empty`);
    return {
      line,
      paths: [center, fields[at[1]], fields[at[2]]],
      steering: num(3, -1, 1),
      throttle: num(4, -1, 1),
      brake: num(5, 0, 1),
      mph: num(6, -1000, 1000),
    };
  });
}

interface WriteContext {
  readonly decode: (r: LogRow, column: number) => Promise<{ name: string; width: number; height: number; rgb: Uint8Array }>;
  readonly correction: number;
  readonly signal?: AbortSignal;
  readonly report: (phase: 'decoding', fraction: number) => void;
}

async function writeUdacityClip(
  db: ClipDb,
  meta: ClipMeta,
  rows: readonly LogRow[],
  slots: readonly { id: CameraId; column: number }[],
  ctx: WriteContext,
): Promise<void> {
  const builder = new ChunkBuilder(meta);
  const clamp1 = (v: number): number => Math.max(-1, Math.min(1, v));
  const putChunk = (withMeta: boolean): Promise<void> => {
    const { chunk, labels } = builder.records(meta.id);
    return runWrite(db, ['clips', 'chunks', 'labels'], 'importing the Udacity log', async (tx) => {
      const puts: Promise<unknown>[] = [];
      if (chunk.count > 0) puts.push(tx.objectStore('chunks').put(chunk), tx.objectStore('labels').put(labels));
      if (withMeta) puts.push(tx.objectStore('clips').add(meta));
      await Promise.all(puts);
    });
  };
  for (const [i, r] of rows.entries()) {
    throwIfCancelled(ctx.signal, 'the import');
    const frames: Uint8Array[] = [];
    for (const s of slots) {
      const img = await ctx.decode(r, s.column);
      if (img.width !== meta.frameWidth || img.height !== meta.frameHeight) {
        throw new DataError('frame-size', `image '${img.name}' is ${img.width}x${img.height}; the first image is ${meta.frameWidth}x${meta.frameHeight}`);
      }
      frames.push(img.rgb);
    }
    const steer = -r.steering;
    const labels: LabelRow = {
      tick: Math.round((i * SIM_TICKS_PER_SECOND) / meta.rateHz) as Ticks,
      steer,
      steerRad: (steer * UDACITY_MAX_STEER_RAD) as Radians,
      speed: (r.mph * MPH) as MetersPerSecond,
      torque: clamp1(r.throttle - r.brake),
      brake: r.brake,
      x: 0 as Meters,
      y: 0 as Meters,
      heading: 0 as Radians,
      lateralOffset: 0 as Meters,
      headingError: 0 as Radians,
      curvatureAhead: 0,
      lapProgress: 0,
      speedTarget: NaN as MetersPerSecond, // not in the log: not recorded
      driver: 'human',
      cameraSteer: { left: clamp1(steer - ctx.correction), right: clamp1(steer + ctx.correction) },
    };
    builder.pushRecorded(frames, labels);
    if (builder.full) {
      await putChunk(false);
      builder.next();
    }
    ctx.report('decoding', (i + 1) / rows.length);
  }
  await putChunk(true);
}
