// Clip archives: one .zip holding a versioned manifest, each clip's labels as CSV and its
// frames as raw RGB, one file per stored chunk. A clip is exported in the schema version it is
// stored with (a schema-1 clip as schema 1, without speedTarget), and imported into this
// build's schema (missing labels NaN). Export streams chunk by chunk; import checks
// everything it can before writing, then writes clip by clip and deletes what it wrote if
// anything fails or the caller cancels. Layout: docs/formats.md, "Clip archive".

import { ChunkBuilder } from './chunkBuilder.ts';
import type { ClipDb } from './clipDb.ts';
import { deleteClipRecords, runWrite } from './clipDb.ts';
import type { ManifestClip } from './clipManifest.ts';
import { ARCHIVE_FORMAT, ARCHIVE_FORMAT_VERSION, parseManifest } from './clipManifest.ts';
import type { ClipStore } from './clipStore.ts';
import { storeInternals } from './clipStore.ts';
import { clipLockName } from './tabLocks.ts';
import type { ClipMeta } from './clipTypes.ts';
import { CLIP_SCHEMA_VERSION, byteSizeOf, checkClipShape, frameBytes, stepBytes } from './clipTypes.ts';
import { DataError, describeError, throwIfCancelled } from './dataErrors.ts';
import { labelsToCsv, parseLabelsCsv } from './labelsCsv.ts';
import { makeThumbnail } from './thumbnail.ts';
import type { TransferOptions } from './transfer.ts';
import { progressReporter } from './transfer.ts';
import type { ArchiveInput } from './zipReader.ts';
import { MAX_JSON_DEPTH, nestingDepth } from './jsonValue.ts';
import { capText } from './untrusted/guards.ts';
import { CSV_MAX_BYTES, JSON_FILE_MAX_BYTES } from './untrusted/limits.ts';
import { ZipReader } from './zipReader.ts';
import { ZipWriter } from './zipWriter.ts';

export const MANIFEST_FILE = 'manifest.json';

/** Largest chunk an archive may ask the importer to assemble in memory. */
const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

export interface ClipExportOptions extends TransferOptions {
  /**
   * Deflate level for frame files, 0..9. Default 1: rendered frames shrink to about a
   * quarter at ~20 MB/s in V8; 0 stores them as they are (~150 MB/s, 4x larger); higher
   * levels gain little and are 2-3x slower.
   */
  readonly level?: number;
}

const clipFolder = (k: number): string => `clips/${String(k).padStart(3, '0')}`;
const frameFile = (k: number, chunk: number): string => `${clipFolder(k)}/frames/${String(chunk).padStart(6, '0')}.rgb`;

/** Exports clips (one or a selection) as one zip. */
export async function exportClipsZip(store: ClipStore, clipIds: readonly string[], options: ClipExportOptions = {}): Promise<Blob> {
  const { clock } = storeInternals(store);
  const report = progressReporter(options.onProgress);
  if (clipIds.length === 0) throw new DataError('invalid-input', 'choose at least one clip to export');
  const level = options.level ?? 1;
  if (!(Number.isInteger(level) && level >= 0 && level <= 9)) throw new DataError('invalid-input', `level must be 0..9, got ${level}`);
  report('reading', 0);
  const metas: ClipMeta[] = [];
  for (const id of clipIds) metas.push(await store.getMeta(id));
  const entries: ManifestClip[] = metas.map((m, k) => {
    const chunks = Math.ceil(m.frameCount / m.chunkSteps);
    return {
      id: m.id,
      name: m.name,
      createdAt: m.createdAt,
      trackId: m.trackId,
      theme: m.theme,
      rateHz: m.rateHz,
      frameWidth: m.frameWidth,
      frameHeight: m.frameHeight,
      cameras: m.cameras.map((c) => ({ id: c.id, lateralM: c.lateralM, yawRad: c.yawRad })),
      frameCount: m.frameCount,
      complete: m.complete,
      tag: m.tag,
      simVersion: m.simVersion,
      schemaVersion: m.schemaVersion,
      chunkSteps: m.chunkSteps,
      labels: { file: `${clipFolder(k)}/labels.csv`, rows: m.frameCount },
      frames: {
        encoding: 'rgb8' as const,
        files: Array.from({ length: chunks }, (_, c) => ({
          file: frameFile(k, c),
          start: c * m.chunkSteps,
          count: Math.min(m.chunkSteps, m.frameCount - c * m.chunkSteps),
        })),
      },
    };
  });
  const zip = new ZipWriter(level, Math.max(clock(), Date.UTC(1980, 0, 2)));
  const manifest = { format: ARCHIVE_FORMAT, formatVersion: ARCHIVE_FORMAT_VERSION, clips: entries };
  zip.add(MANIFEST_FILE, new TextEncoder().encode(JSON.stringify(manifest, null, 2)), 6);
  const totalBytes = metas.reduce((s, m) => s + m.frameCount * stepBytes(m), 0) || 1;
  let doneBytes = 0;
  for (const [k, m] of metas.entries()) {
    throwIfCancelled(options.signal, 'the export');
    // A clip still being recorded may have grown since its meta was read: export the steps the meta counted.
    const labels = await store.labels(m.id);
    zip.add(entries[k].labels.file, new TextEncoder().encode(labelsToCsv(labels, m, m.frameCount)), Math.max(level, 6));
    const sb = stepBytes(m);
    for (const f of entries[k].frames.files) {
      throwIfCancelled(options.signal, 'the export');
      const chunk = await store.readChunk(m.id, f.start / m.chunkSteps);
      if (chunk.count < f.count) throw new DataError('storage', `clip '${m.name}' is missing frames ${f.start + chunk.count}..; recover it first`);
      zip.add(f.file, chunk.frames.subarray(0, f.count * sb));
      doneBytes += f.count * sb;
      report('writing', doneBytes / totalBytes);
    }
  }
  const blob = zip.finish();
  report('writing', 1);
  return blob;
}

interface CheckedClip {
  readonly entry: ManifestClip;
  readonly meta: Omit<ClipMeta, 'id'>;
  readonly labelRows: Float64Array;
}

/**
 * Imports every clip of an archive. Clips keep their ids unless that id is taken (then they
 * get fresh ones). On any problem nothing is added and the error names it.
 */
export async function importClipsZip(store: ClipStore, input: ArchiveInput, options: TransferOptions = {}): Promise<ClipMeta[]> {
  const { db, newId, locks } = storeInternals(store);
  const report = progressReporter(options.onProgress);
  report('reading', 0);
  const zip = await ZipReader.open(input);
  if (zip.entries.length === 0) throw new DataError('empty-archive', 'the archive is empty: it holds no files');
  const manifestEntry = zip.get(MANIFEST_FILE);
  if (!manifestEntry) {
    const udacity = zip.entries.some((e) => /(^|\/)driving_log\.csv$/i.test(e.name));
    throw new DataError(
      'bad-manifest',
      udacity
        ? 'the archive has no manifest.json; it looks like a Udacity simulator log: import it as Udacity data'
        : 'the archive has no manifest.json, so it is not a DeepSteer clip export',
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await zip.read(manifestEntry, JSON_FILE_MAX_BYTES)));
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError('bad-manifest', `manifest.json is not valid JSON: ${describeError(e)}`, { cause: e });
  }
  if (nestingDepth(json, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new DataError('bad-manifest', `manifest.json nests deeper than ${MAX_JSON_DEPTH} levels`);
  const manifest = parseManifest(json);

  // Check everything that can be checked before writing: shapes, counts, sizes, labels.
  report('checking', 0);
  const checked: CheckedClip[] = [];
  for (const [k, entry] of manifest.clips.entries()) {
    throwIfCancelled(options.signal, 'the import');
    checked.push(await checkClip(zip, entry, k));
    report('checking', (k + 1) / manifest.clips.length);
  }

  const totalBytes = checked.reduce((s, c) => s + c.entry.frameCount * stepBytes(c.meta), 0) || 1;
  let doneBytes = 0;
  const written: string[] = [];
  const taken = new Set<string>();
  try {
    const imported: ClipMeta[] = [];
    for (const c of checked) {
      let id = c.entry.id;
      if (taken.has(id) || (await store.findMeta(id))) id = newId();
      taken.add(id);
      written.push(id);
      // The clip's lock from the first chunk to the meta: another tab's orphan sweep leaves it alone.
      const release = await locks.hold(clipLockName(id));
      try {
        imported.push(
          await writeClip(db, { ...c.meta, id }, c.labelRows, zip, c.entry, (bytes) => {
            throwIfCancelled(options.signal, 'the import');
            doneBytes += bytes;
            report('writing', doneBytes / totalBytes);
          }),
        );
      } finally {
        release();
      }
    }
    report('writing', 1);
    return imported;
  } catch (e) {
    for (const id of written) await deleteClipRecords(db, id).catch(() => undefined);
    throw e;
  }
}

async function checkClip(zip: ZipReader, entry: ManifestClip, k: number): Promise<CheckedClip> {
  const at = `clips[${k}] ('${entry.name}')`;
  try {
    checkClipShape(entry);
  } catch (e) {
    throw new DataError('bad-manifest', `manifest.json is invalid: ${at}: ${(e as Error).message}`);
  }
  if (entry.schemaVersion > CLIP_SCHEMA_VERSION) {
    throw new DataError(
      'unsupported-version',
      `${at} was recorded with clip schema version ${entry.schemaVersion}; this build reads up to ${CLIP_SCHEMA_VERSION}: update DeepSteer to import it`,
    );
  }
  const sb = stepBytes(entry);
  if (entry.chunkSteps * sb > MAX_CHUNK_BYTES) {
    throw new DataError('bad-manifest', `manifest.json is invalid: ${at}.chunkSteps: ${entry.chunkSteps} steps of ${sb} bytes exceed 64 MiB per chunk`);
  }
  if (entry.labels.rows !== entry.frameCount) {
    throw new DataError('frame-count', `${at}: the manifest lists ${entry.labels.rows} label rows for ${entry.frameCount} frames`);
  }
  let next = 0;
  for (const f of entry.frames.files) {
    if (f.start !== next) {
      throw new DataError('frame-count', `${at}: frame file '${f.file}' starts at step ${f.start}; the previous files end at ${next}`);
    }
    next += f.count;
    const z = zip.get(f.file);
    if (!z) throw new DataError('bad-manifest', `${at} lists frame file '${f.file}' but the archive has no such file`);
    if (z.size !== f.count * sb) {
      throw new DataError(
        'frame-size',
        `${at}: '${f.file}' has ${z.size} bytes; ${f.count} steps x ${entry.cameras.length} camera(s) x ${entry.frameWidth}x${entry.frameHeight}x3 = ${f.count * sb} expected`,
      );
    }
  }
  if (next !== entry.frameCount) {
    throw new DataError('frame-count', `${at}: the frame files hold ${next} frames but the clip has ${entry.frameCount}`);
  }
  const labelsEntry = zip.get(entry.labels.file);
  if (!labelsEntry) throw new DataError('bad-manifest', `${at} lists labels file '${entry.labels.file}' but the archive has no such file`);
  const text = capText(await zip.read(labelsEntry, CSV_MAX_BYTES), CSV_MAX_BYTES, `'${entry.labels.file}'`, 'bad-csv');
  const { count, rows } = parseLabelsCsv(text, entry, entry.labels.file);
  if (count !== entry.frameCount) {
    throw new DataError('frame-count', `${at}: '${entry.labels.file}' has ${count} label rows but the clip has ${entry.frameCount} frames`);
  }
  const meta: Omit<ClipMeta, 'id'> = {
    name: entry.name,
    createdAt: entry.createdAt,
    trackId: entry.trackId,
    theme: entry.theme,
    rateHz: entry.rateHz,
    frameWidth: entry.frameWidth,
    frameHeight: entry.frameHeight,
    cameras: entry.cameras,
    frameCount: entry.frameCount,
    byteSize: byteSizeOf({ ...entry, schemaVersion: CLIP_SCHEMA_VERSION }),
    complete: entry.complete,
    tag: entry.tag,
    thumbnail: null,
    simVersion: entry.simVersion,
    // Stored in this build's row layout (parseLabelsCsv): an older clip's missing columns are NaN.
    schemaVersion: CLIP_SCHEMA_VERSION,
    chunkSteps: entry.chunkSteps,
  };
  return { entry, meta, labelRows: rows };
}

/**
 * Writes one checked clip: each chunk (frames + labels) in its own transaction as it fills,
 * the meta last, so the clip appears only once complete. `onBytes` may throw to cancel.
 */
async function writeClip(
  db: ClipDb,
  meta: ClipMeta,
  labelRows: Float64Array,
  zip: ZipReader,
  entry: ManifestClip,
  onBytes: (bytes: number) => void,
): Promise<ClipMeta> {
  const builder = new ChunkBuilder(meta);
  const { stepBytes: sb, rowWidth } = builder;
  let thumbnail = meta.thumbnail;
  const putChunk = (): Promise<void> => {
    const { chunk, labels } = builder.records(meta.id);
    return runWrite(db, ['chunks', 'labels'], 'importing clips', async (tx) => {
      await Promise.all([tx.objectStore('chunks').put(chunk), tx.objectStore('labels').put(labels)]);
    });
  };
  let step = 0;
  for (const f of entry.frames.files) {
    const data = await zip.read(zip.get(f.file)!);
    if (!thumbnail) thumbnail = makeThumbnail(data.subarray(0, frameBytes(meta)), meta.frameWidth, meta.frameHeight);
    for (let s = 0; s < f.count; s++, step++) {
      builder.pushPacked(data.subarray(s * sb, (s + 1) * sb), labelRows.subarray(step * rowWidth, (step + 1) * rowWidth));
      if (builder.full) {
        await putChunk();
        builder.next();
      }
    }
    onBytes(f.count * sb);
  }
  const final: ClipMeta = { ...meta, thumbnail };
  const tail = builder.count > 0 ? builder.records(meta.id) : null;
  await runWrite(db, ['clips', 'chunks', 'labels'], 'importing clips', async (tx) => {
    const puts: Promise<unknown>[] = [tx.objectStore('clips').add(final)];
    if (tail) puts.push(tx.objectStore('chunks').put(tail.chunk), tx.objectStore('labels').put(tail.labels));
    await Promise.all(puts);
  });
  return final;
}
