// The clip library: list, read, rename, tag, delete and recover clips stored in IndexedDB,
// start recordings, summarise steering, and report storage use. The one object the rest of
// the app (and the training worker) holds to reach stored clips.

import type { ClipDb, OpenClipDbOptions } from './clipDb.ts';
import { clipKeyRange, deleteClipRecords, guard, openClipDb, randomId, runWrite } from './clipDb.ts';
import type { CameraId, CameraSpec, ClipLabels, ClipMeta, ClipTag } from './clipTypes.ts';
import {
  CENTER_CAMERA,
  CLIP_SCHEMA_VERSION,
  DEFAULT_FRAME_HEIGHT,
  DEFAULT_FRAME_WIDTH,
  DEFAULT_RATE_HZ,
  allocLabels,
  byteSizeOf,
  cameraIndex,
  checkClipShape,
  defaultChunkSteps,
  frameBytes,
  stepBytes,
  unpackLabelRows,
} from './clipTypes.ts';
import type { ClipWriter } from './clipWriter.ts';
import { createClipWriter } from './clipWriter.ts';
import { DataError } from './dataErrors.ts';
import { clipLockName, CLIP_LOCK_PREFIX, defaultTabLocks, type TabLocks } from './tabLocks.ts';

/** Frames of one stored chunk: steps index*chunkSteps .. +count-1, all cameras (see ChunkRecord). */
export interface FrameChunk {
  readonly index: number;
  readonly count: number;
  readonly frames: Uint8Array;
}

/** What the sequence dataset reads: the store, or anything shaped like it. */
export interface ClipSource {
  getMeta(clipId: string): Promise<ClipMeta>;
  labels(clipId: string): Promise<ClipLabels>;
  readChunk(clipId: string, index: number): Promise<FrameChunk>;
}

/** The part of navigator.storage the library uses (injectable for tests). */
export interface StorageLike {
  estimate?(): Promise<{ usage?: number; quota?: number }>;
  persist?(): Promise<boolean>;
  persisted?(): Promise<boolean>;
}

export interface StorageEstimate {
  readonly usageBytes: number;
  readonly quotaBytes: number;
  readonly availableBytes: number;
  /** null when the browser cannot say. */
  readonly persisted: boolean | null;
}

export interface ClipStoreOptions extends OpenClipDbOptions {
  /** How tabs agree on who writes which clip (tabLocks.ts); defaults to navigator.locks. */
  readonly locks?: TabLocks;
  /** Defaults to navigator.storage; null disables estimates and persistence. */
  readonly storage?: StorageLike | null;
  /** Milliseconds since the epoch; used for flush timing and for imports that carry no date. */
  readonly clock?: () => number;
  readonly newId?: () => string;
}

export interface StartRecordingOptions {
  readonly name: string;
  /** Milliseconds since the epoch (the caller's clock). */
  readonly createdAt: number;
  readonly trackId: string;
  readonly theme: string;
  readonly simVersion: string;
  /** Steps per second, 10..30; default 20. */
  readonly rateHz?: number;
  readonly frameWidth?: number;
  readonly frameHeight?: number;
  /** Default: the center camera only. */
  readonly cameras?: readonly CameraSpec[];
  /** Steps per stored chunk; default one second of steps (see defaultChunkSteps). */
  readonly chunkSteps?: number;
  /** Longest time (store clock, ms) buffered steps wait before being written; default 1000. */
  readonly maxUnflushedMs?: number;
  /** Called once if recording stops on its own (quota reached, clip deleted). */
  readonly onStopped?: (error: DataError) => void;
}

export interface HistogramOptions {
  /** Bins over steer -1..1; default 21 (odd, so straight driving has its own bin). */
  readonly bins?: number;
  /** Count the center steer only (default) or every camera's steer label. */
  readonly cameras?: 'center' | 'all';
}

export interface SteeringHistogram {
  /** bins + 1 edges from -1 to 1. */
  readonly edges: Float64Array;
  readonly counts: Uint32Array;
  readonly total: number;
}

export interface ClipStore extends ClipSource {
  /** Every clip's meta (frames not loaded), oldest first. */
  list(): Promise<ClipMeta[]>;
  findMeta(clipId: string): Promise<ClipMeta | undefined>;
  /** Frames of one camera for steps start..end-1: (end-start) x height x width x 3. */
  readFrames(clipId: string, range: { start: number; end: number; camera?: CameraId }): Promise<Uint8Array>;
  rename(clipId: string, name: string): Promise<ClipMeta>;
  setTag(clipId: string, tag: ClipTag | null): Promise<ClipMeta>;
  /** Deletes the meta, every chunk and every label record in one transaction. */
  remove(clipId: string): Promise<void>;
  /** Leaves clips out of list() in this page until unhide() (a deletion the player may still undo). */
  hide(clipIds: readonly string[]): void;
  unhide(clipIds: readonly string[]): void;
  steeringHistogram(clipIds: readonly string[], options?: HistogramOptions): Promise<SteeringHistogram>;
  startRecording(options: StartRecordingOptions): Promise<ClipWriter>;
  /** True while this store has an open writer on the clip. */
  isRecording(clipId: string): boolean;
  /**
   * Finalises a clip left incomplete (tab closed while recording): keeps the longest run of
   * consistent chunks, recomputes frame count and size, marks it complete.
   */
  recover(clipId: string): Promise<ClipMeta>;
  /** Deletes chunk and label records that belong to no clip (left by an interrupted import), never those of a clip another tab is writing. */
  sweepOrphans(): Promise<number>;
  /** Ids of clips being recorded or imported right now by another tab (or another store of this page). */
  busyElsewhere(): Promise<string[]>;
  storageEstimate(): Promise<StorageEstimate | null>;
  /** Asks the browser not to evict the library under storage pressure. */
  requestPersistence(): Promise<boolean>;
  close(): void;
}

/** What the importers and exporters need beyond the public API (not exported from index.ts). */
export interface StoreInternals {
  readonly db: ClipDb;
  readonly clock: () => number;
  readonly newId: () => string;
  /** Imports hold their clip's lock while they write (tabLocks.ts). */
  readonly locks: TabLocks;
}

const internals = new WeakMap<ClipStore, StoreInternals>();

export function storeInternals(store: ClipStore): StoreInternals {
  const i = internals.get(store);
  if (!i) throw new DataError('invalid-input', 'not a clip store made by openClipStore');
  return i;
}

export async function openClipStore(options: ClipStoreOptions = {}): Promise<ClipStore> {
  const db = await openClipDb(options);
  const clock = options.clock ?? (() => Date.now());
  const newId = options.newId ?? randomId;
  const storage: StorageLike | null =
    options.storage !== undefined ? options.storage : ((globalThis.navigator?.storage as StorageLike | undefined) ?? null);
  const writers = new Set<string>();
  const locks = options.locks ?? defaultTabLocks();
  const hidden = new Set<string>();

  async function getMetaRaw(clipId: string): Promise<ClipMeta> {
    const meta = await db.get('clips', clipId);
    if (!meta) throw new DataError('not-found', `no clip with id '${clipId}'`);
    return meta;
  }

  async function labelsRaw(clipId: string): Promise<ClipLabels> {
    const tx = db.transaction(['clips', 'labels'], 'readonly');
    const [meta, records] = await Promise.all([
      tx.objectStore('clips').get(clipId),
      tx.objectStore('labels').getAll(clipKeyRange(clipId)),
    ]);
    if (!meta) throw new DataError('not-found', `no clip with id '${clipId}'`);
    const out = allocLabels(meta.frameCount, meta.cameras);
    let at = 0;
    for (const r of records) {
      if (at >= meta.frameCount) break;
      if (r.index * meta.chunkSteps !== at) break;
      const rows = Math.min(r.count, meta.frameCount - at);
      unpackLabelRows(r.rows, rows, meta, out, at); // meta.schemaVersion picks the row layout
      at += rows;
    }
    if (at !== meta.frameCount) {
      throw new DataError('storage', `clip '${meta.name}' has labels for ${at} of its ${meta.frameCount} steps; recover it`);
    }
    return out;
  }

  async function readChunkRaw(clipId: string, index: number): Promise<FrameChunk> {
    const rec = await db.get('chunks', [clipId, index]);
    if (!rec) throw new DataError('not-found', `clip '${clipId}' has no frame chunk ${index}`);
    return { index: rec.index, count: rec.count, frames: rec.frames };
  }

  async function readFramesRaw(clipId: string, range: { start: number; end: number; camera?: CameraId }): Promise<Uint8Array> {
    const meta = await getMeta(clipId);
    const { start, end } = range;
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start <= end && end <= meta.frameCount)) {
      throw new DataError('invalid-input', `frame range ${start}..${end} is outside 0..${meta.frameCount}`);
    }
    const cam = cameraIndex(meta, range.camera ?? 'center');
    const fb = frameBytes(meta);
    const sb = stepBytes(meta);
    const out = new Uint8Array((end - start) * fb);
    if (end === start) return out;
    const first = Math.floor(start / meta.chunkSteps);
    const last = Math.floor((end - 1) / meta.chunkSteps);
    const keys = IDBKeyRange.bound([clipId, first], [clipId, last]);
    const chunks = await db.getAll('chunks', keys);
    for (const ch of chunks) {
      const base = ch.index * meta.chunkSteps;
      const s0 = Math.max(start, base);
      const s1 = Math.min(end, base + ch.count);
      for (let s = s0; s < s1; s++) {
        const src = (s - base) * sb + cam * fb;
        out.set(ch.frames.subarray(src, src + fb), (s - start) * fb);
      }
    }
    return out;
  }

  const getMeta = guard('reading the clip', getMetaRaw);
  const labels = guard('reading labels', labelsRaw);
  const readChunk = guard('reading frames', readChunkRaw);
  const readFrames = guard('reading frames', readFramesRaw);

  async function updateMeta(clipId: string, what: string, change: (m: ClipMeta) => ClipMeta): Promise<ClipMeta> {
    return runWrite(db, ['clips'], what, async (tx) => {
      const meta = await tx.objectStore('clips').get(clipId);
      if (!meta) throw new DataError('not-found', `no clip with id '${clipId}'`);
      const next = change(meta);
      await tx.objectStore('clips').put(next);
      return next;
    });
  }

  async function recover(clipId: string): Promise<ClipMeta> {
    if (writers.has(clipId)) throw new DataError('invalid-input', 'this clip is still being recorded');
    const r = await locks.ifFree(clipLockName(clipId), () => recoverUnlocked(clipId));
    if (!r.ran) throw new DataError('invalid-input', 'this clip is being recorded or imported in another tab');
    return r.value;
  }

  function recoverUnlocked(clipId: string): Promise<ClipMeta> {
    return runWrite(db, ['clips', 'chunks', 'labels'], 'recovering the clip', async (tx) => {
      const range = clipKeyRange(clipId);
      const [meta, labelRecs, chunkKeys] = await Promise.all([
        tx.objectStore('clips').get(clipId),
        tx.objectStore('labels').getAll(range),
        tx.objectStore('chunks').getAllKeys(range),
      ]);
      if (!meta) throw new DataError('not-found', `no clip with id '${clipId}'`);
      const haveChunk = new Set(chunkKeys.map((k) => k[1]));
      // Keep chunks 0, 1, ... while each has frames and labels and every one but the last is full.
      let count = 0;
      let kept = 0;
      for (const r of labelRecs) {
        if (r.index !== kept || !haveChunk.has(r.index)) break;
        count += r.count;
        kept++;
        if (r.count !== meta.chunkSteps) break;
      }
      const stray = IDBKeyRange.bound([clipId, kept], [clipId, Infinity]);
      const next: ClipMeta = { ...meta, frameCount: count, byteSize: byteSizeOf({ ...meta, frameCount: count }), complete: true };
      await Promise.all([
        tx.objectStore('chunks').delete(stray),
        tx.objectStore('labels').delete(stray),
        tx.objectStore('clips').put(next),
      ]);
      return next;
    });
  }

  const store: ClipStore = {
    getMeta,
    labels,
    readChunk,
    readFrames,
    recover,

    list: guard('listing clips', async () => (await db.getAllFromIndex('clips', 'byCreatedAt')).filter((m) => !hidden.has(m.id))),
    hide(clipIds) {
      for (const id of clipIds) hidden.add(id);
    },
    unhide(clipIds) {
      for (const id of clipIds) hidden.delete(id);
    },

    findMeta: guard('reading the clip', (clipId: string) => db.get('clips', clipId)),

    rename(clipId, name) {
      const trimmed = name.trim();
      if (trimmed.length === 0 || trimmed.length > 200) {
        return Promise.reject(new DataError('invalid-input', 'a clip name must have 1 to 200 characters'));
      }
      return updateMeta(clipId, 'renaming the clip', (m) => ({ ...m, name: trimmed }));
    },

    setTag(clipId, tag) {
      if (tag !== null && tag !== 'train' && tag !== 'val') {
        return Promise.reject(new DataError('invalid-input', `a clip tag is 'train', 'val' or none, got '${String(tag)}'`));
      }
      return updateMeta(clipId, 'tagging the clip', (m) => ({ ...m, tag }));
    },

    async remove(clipId) {
      await getMeta(clipId);
      await deleteClipRecords(db, clipId);
    },

    async steeringHistogram(clipIds, options = {}) {
      const bins = options.bins ?? 21;
      if (!(Number.isInteger(bins) && bins >= 1 && bins <= 1000)) {
        throw new DataError('invalid-input', `bins must be an integer 1..1000, got ${bins}`);
      }
      const counts = new Uint32Array(bins);
      const edges = new Float64Array(bins + 1);
      for (let i = 0; i <= bins; i++) edges[i] = -1 + (2 * i) / bins;
      let total = 0;
      for (const id of clipIds) {
        const l = await labels(id);
        const cols = options.cameras === 'all' ? Object.values(l.cameraSteer) : [l.steer];
        for (const col of cols) {
          for (let i = 0; i < l.count; i++) {
            counts[steerBin(col[i], bins)]++;
            total++;
          }
        }
      }
      return { edges, counts, total };
    },

    async startRecording(o) {
      const shape = {
        rateHz: o.rateHz ?? DEFAULT_RATE_HZ,
        frameWidth: o.frameWidth ?? DEFAULT_FRAME_WIDTH,
        frameHeight: o.frameHeight ?? DEFAULT_FRAME_HEIGHT,
        cameras: o.cameras ?? [CENTER_CAMERA],
      };
      checkClipShape(shape);
      if (!Number.isFinite(o.createdAt)) throw new DataError('invalid-input', `createdAt must be a time in ms, got ${o.createdAt}`);
      const chunkSteps = o.chunkSteps ?? defaultChunkSteps(shape.rateHz, stepBytes(shape));
      if (!(Number.isInteger(chunkSteps) && chunkSteps >= 1)) {
        throw new DataError('invalid-input', `chunkSteps must be a positive integer, got ${chunkSteps}`);
      }
      const meta: ClipMeta = {
        id: newId(),
        name: o.name,
        createdAt: o.createdAt,
        trackId: o.trackId,
        theme: o.theme,
        ...shape,
        cameras: shape.cameras.map((c) => ({ id: c.id, lateralM: c.lateralM, yawRad: c.yawRad })),
        frameCount: 0,
        byteSize: 0,
        complete: false,
        tag: null,
        thumbnail: null,
        simVersion: o.simVersion,
        schemaVersion: CLIP_SCHEMA_VERSION,
        chunkSteps,
      };
      // Held until the writer ends (or the tab closes): another tab neither sweeps nor recovers this clip meanwhile.
      const release = await locks.hold(clipLockName(meta.id));
      try {
        await runWrite(db, ['clips'], 'starting a recording', async (tx) => {
          await tx.objectStore('clips').add(meta);
        });
      } catch (e) {
        release();
        throw e;
      }
      writers.add(meta.id);
      return createClipWriter({
        db,
        meta,
        clock,
        maxUnflushedMs: o.maxUnflushedMs ?? 1000,
        onStopped: o.onStopped,
        onEnded: (id) => {
          writers.delete(id);
          release();
        },
      });
    },

    isRecording(clipId) {
      return writers.has(clipId);
    },

    async sweepOrphans() {
      const [clipIds, chunkKeys, labelKeys] = await Promise.all([db.getAllKeys('clips'), db.getAllKeys('chunks'), db.getAllKeys('labels')]);
      const known = new Set(clipIds);
      const orphans = new Set([...chunkKeys, ...labelKeys].map((k) => k[0]).filter((id) => !known.has(id)));
      let swept = 0;
      for (const id of orphans) {
        // Only while holding the clip's lock: an import in another tab holds it until its meta is written.
        const r = await locks.ifFree(clipLockName(id), () =>
          runWrite(db, ['clips', 'chunks', 'labels'], 'cleaning up', async (tx) => {
            if ((await tx.objectStore('clips').getKey(id)) !== undefined) return false; // finished meanwhile
            await Promise.all([tx.objectStore('chunks').delete(clipKeyRange(id)), tx.objectStore('labels').delete(clipKeyRange(id))]);
            return true;
          }),
        );
        if (r.ran && r.value) swept++;
      }
      return swept;
    },

    async busyElsewhere() {
      const held = await locks.heldNames(CLIP_LOCK_PREFIX);
      return held.map((n) => n.slice(CLIP_LOCK_PREFIX.length)).filter((id) => !writers.has(id));
    },

    async storageEstimate() {
      if (!storage?.estimate) return null;
      const e = await storage.estimate();
      const usageBytes = e.usage ?? 0;
      const quotaBytes = e.quota ?? 0;
      const persisted = storage.persisted ? await storage.persisted() : null;
      return { usageBytes, quotaBytes, availableBytes: Math.max(0, quotaBytes - usageBytes), persisted };
    },

    async requestPersistence() {
      if (!storage?.persist) return false;
      return storage.persist();
    },

    close() {
      db.close();
    },
  };
  internals.set(store, { db, clock, newId, locks });
  return store;
}

/** Bin of a steer value over -1..1 (values outside fall in the end bins). */
export function steerBin(steer: number, bins: number): number {
  const b = Math.floor(((steer + 1) / 2) * bins);
  return b < 0 ? 0 : b >= bins ? bins - 1 : b;
}
