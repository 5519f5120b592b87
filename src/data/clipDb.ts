// The IndexedDB database of the data layer: its stores (clips, and since version 2 settings,
// saved models, training checkpoints, laps and replays), its version and the migration path
// from every older version, plus the transaction helpers that turn browser failures into
// DataErrors. Nothing outside src/data opens this database. Layout and versions:
// docs/formats.md, "IndexedDB schema". The name says "clips" because clips came first.

import { unwrap, wrap } from 'idb';
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { ClipMeta } from './clipTypes.ts';
import { DataError, StorageFullError, describeError, isQuotaError } from './dataErrors.ts';
import type { JsonValue } from './jsonValue.ts';
import type { LapEntry } from './lapStore.ts';
import type { ModelMeta, WeightSpec } from './modelStore.ts';

export const CLIP_DB_NAME = 'deepsteer-clips';

/** One record per clip: the meta (key: id). */
export type ClipRecord = ClipMeta;

/** Frames of up to chunkSteps consecutive steps of one clip (key: [clipId, index]). */
export interface ChunkRecord {
  readonly clipId: string;
  /** Chunk number: the chunk holds steps index*chunkSteps .. +count-1. */
  readonly index: number;
  readonly count: number;
  /** count steps x cameras x height x width x 3, RGB, step-major then camera order. */
  readonly frames: Uint8Array;
}

/** Labels of the same steps as the chunk with the same key, kept apart so labels load without frames. */
export interface LabelRecord {
  readonly clipId: string;
  readonly index: number;
  readonly count: number;
  /** count rows of labelRowWidth(cameras, meta.schemaVersion) float64, row-major (see clipTypes labelFieldsOf). */
  readonly rows: Float64Array;
}

/** One app setting (key: key): any JSON value, validated by the reader's schema. */
export interface SettingRecord {
  readonly key: string;
  readonly value: JsonValue;
}

/** A saved model's weights and topology (key: the model id), kept apart so listing models reads metas only. */
export interface ModelArtifactsRecord {
  readonly id: string;
  readonly topology: JsonValue;
  readonly weightSpecs: readonly WeightSpec[];
  /** Every weight in weightSpecs order, little-endian, packed without gaps. */
  readonly weightData: ArrayBuffer;
}

/** The resumable state of one training run (key: runId), opaque to the data layer. */
export interface CheckpointRecord {
  readonly runId: string;
  /** ms since the epoch, the caller's clock. */
  readonly savedAt: number;
  /** Structured-cloneable (ArrayBuffers allowed); src/model owns and checks its layout. */
  readonly checkpoint: unknown;
}

/** A lap's replay (key: the lap entry's id), kept apart so listing a board reads entries only. */
export interface ReplayRecord {
  readonly id: string;
  /** The replay as JSON text, at most the store's maxReplayBytes (UTF-8). */
  readonly json: string;
}

/** Index key of a lap: board (track, class), then the leaderboard order (src/scoring compareEntries). */
export type LapBoardKey = [trackId: string, driverClass: string, scoreS: number, lapTicks: number, createdAt: number, id: string];

export interface ClipDbSchema extends DBSchema {
  clips: { key: string; value: ClipRecord; indexes: { byCreatedAt: number } };
  chunks: { key: [string, number]; value: ChunkRecord };
  labels: { key: [string, number]; value: LabelRecord };
  settings: { key: string; value: SettingRecord };
  models: { key: string; value: ModelMeta; indexes: { byCreatedAt: number } };
  modelArtifacts: { key: string; value: ModelArtifactsRecord };
  checkpoints: { key: string; value: CheckpointRecord; indexes: { bySavedAt: number } };
  laps: { key: string; value: LapEntry; indexes: { byBoard: LapBoardKey } };
  replays: { key: string; value: ReplayRecord };
}

export type ClipDb = IDBPDatabase<ClipDbSchema>;
export type StoreName = StoreNames<ClipDbSchema>;
export type UpgradeTx = IDBPTransaction<ClipDbSchema, StoreName[], 'versionchange'>;

export interface MigrationContext {
  readonly db: ClipDb;
  readonly tx: UpgradeTx;
}

/**
 * One step of the schema's history: MIGRATIONS[v] upgrades a database at version v to v + 1,
 * inside the upgrade transaction (await only IndexedDB requests there). A new version is one
 * more entry here and a line in docs/formats.md; a fresh database runs every entry from 0, so
 * each migration must work on empty stores too. A new clip record layout needs no migration:
 * clips keep their schemaVersion and readers pick the layout by it (CLIP_SCHEMA_VERSION).
 */
export type Migration = (ctx: MigrationContext) => Promise<void> | void;

/** Fields of a lap entry that make its byBoard index key, in order. */
export const LAP_BOARD_KEY_PATH = ['trackId', 'driverClass', 'scoreS', 'lapTicks', 'createdAt', 'id'] as const;

export const MIGRATIONS: readonly Migration[] = [
  // 0 -> 1: the first layout.
  ({ db }) => {
    const clips = db.createObjectStore('clips', { keyPath: 'id' });
    clips.createIndex('byCreatedAt', 'createdAt');
    db.createObjectStore('chunks', { keyPath: ['clipId', 'index'] });
    db.createObjectStore('labels', { keyPath: ['clipId', 'index'] });
  },
  // 1 -> 2: settings, saved models (meta apart from weights), training checkpoints, laps and
  // their replays. New stores only: clip records are untouched.
  ({ db }) => {
    db.createObjectStore('settings', { keyPath: 'key' });
    db.createObjectStore('models', { keyPath: 'id' }).createIndex('byCreatedAt', 'createdAt');
    db.createObjectStore('modelArtifacts', { keyPath: 'id' });
    db.createObjectStore('checkpoints', { keyPath: 'runId' }).createIndex('bySavedAt', 'savedAt');
    db.createObjectStore('laps', { keyPath: 'id' }).createIndex('byBoard', [...LAP_BOARD_KEY_PATH]);
    db.createObjectStore('replays', { keyPath: 'id' });
  },
];

export const CLIP_DB_VERSION = MIGRATIONS.length;

export interface OpenClipDbOptions {
  /** Defaults to the global indexedDB (browser, worker, or fake-indexeddb/auto in Node). */
  readonly factory?: IDBFactory;
  readonly name?: string;
  /** Override for tests of the migration path; the database version is its length. */
  readonly migrations?: readonly Migration[];
  /** Another tab holds an older version open; the open waits until it closes. */
  readonly onBlocked?: () => void;
  /** Another tab needs to upgrade: this connection closed itself. */
  readonly onClosed?: () => void;
}

export async function openClipDb(options: OpenClipDbOptions = {}): Promise<ClipDb> {
  const factory = options.factory ?? globalThis.indexedDB;
  if (!factory) throw new DataError('storage', 'IndexedDB is not available here, so clips cannot be stored');
  const migrations = options.migrations ?? MIGRATIONS;
  const version = migrations.length;
  const name = options.name ?? CLIP_DB_NAME;
  let upgradeError: unknown;
  let fromVersion = 0;

  const req = factory.open(name, version);
  req.addEventListener('upgradeneeded', (ev) => {
    fromVersion = ev.oldVersion;
    const db = wrap(req.result) as unknown as ClipDb;
    const tx = wrap(req.transaction!) as unknown as UpgradeTx;
    tx.done.catch(() => undefined); // a failed upgrade is reported by the open request
    const run = async (): Promise<void> => {
      for (let v = ev.oldVersion; v < version; v++) await migrations[v]({ db, tx });
    };
    run().catch((e: unknown) => {
      upgradeError = e;
      try {
        req.transaction?.abort();
      } catch {
        // already finished: the open request reports the failure
      }
    });
  });
  req.addEventListener('blocked', () => options.onBlocked?.());

  const raw = await new Promise<IDBDatabase>((resolve, reject) => {
    req.addEventListener('success', () => resolve(req.result));
    req.addEventListener('error', (ev) => {
      ev.preventDefault();
      reject(req.error);
    });
  }).catch((e: unknown) => {
    if ((e as { name?: string } | null)?.name === 'VersionError') {
      throw new DataError(
        'unsupported-version',
        `the clip library on this device was written by a newer DeepSteer (database version above ${version}); reload the page to update`,
        { cause: e },
      );
    }
    if (upgradeError !== undefined) {
      throw new DataError(
        'storage',
        `upgrading the clip library from version ${fromVersion} to ${version} failed: ${describeError(upgradeError)}`,
        { cause: upgradeError },
      );
    }
    throw new DataError('storage', `opening the clip library failed: ${describeError(e)}`, { cause: e });
  });
  raw.addEventListener('versionchange', () => {
    raw.close();
    options.onClosed?.();
  });
  return wrap(raw) as unknown as ClipDb;
}

/** Every chunk or label key of one clip. */
export function clipKeyRange(clipId: string): IDBKeyRange {
  return IDBKeyRange.bound([clipId, -Infinity], [clipId, Infinity]);
}

export type WriteTx = IDBPTransaction<ClipDbSchema, StoreName[], 'readwrite'>;

/**
 * Runs `body` in one readwrite transaction: either every write in it lands or none does.
 * Failures become DataErrors (a full quota becomes StorageFullError with savedSteps 0; the
 * recorder re-labels it). `body` must make its first request before its first await of
 * anything that is not an IndexedDB request, or the transaction commits early.
 */
export async function runWrite<T>(
  db: ClipDb,
  stores: StoreName[],
  what: string,
  body: (tx: WriteTx) => Promise<T>,
): Promise<T> {
  let tx: WriteTx;
  try {
    tx = db.transaction(stores, 'readwrite');
  } catch (e) {
    throw toDataError(e, null, what);
  }
  const done = tx.done;
  try {
    const result = await body(tx);
    await done;
    return result;
  } catch (e) {
    done.catch(() => undefined);
    try {
      tx.abort();
    } catch {
      // already aborted or finished
    }
    throw toDataError(e, tx, what);
  }
}

export function toDataError(e: unknown, tx: WriteTx | null, what: string): DataError {
  if (e instanceof DataError) return e;
  const txError = tx ? (unwrap(tx) as IDBTransaction).error : null;
  if (isQuotaError(e) || isQuotaError(txError)) {
    return new StorageFullError(`${what}: the browser's storage for this site is full`, 0, { cause: txError ?? e });
  }
  if ((e as { name?: string } | null)?.name === 'DataCloneError') {
    return new DataError('invalid-input', `${what}: the value cannot be stored (${describeError(e)})`, { cause: e });
  }
  if ((e as { name?: string } | null)?.name === 'InvalidStateError') {
    return new DataError('closed', `${what}: the clip library is closed (another tab may have upgraded it); reload the page`, {
      cause: e,
    });
  }
  return new DataError('storage', `${what} failed: ${describeError(txError ?? e)}`, { cause: e });
}

/** Deletes a clip's meta, chunks and labels in one transaction. */
export async function deleteClipRecords(db: ClipDb, clipId: string): Promise<void> {
  await runWrite(db, ['clips', 'chunks', 'labels'], `deleting clip ${clipId}`, async (tx) => {
    const range = clipKeyRange(clipId);
    await Promise.all([
      tx.objectStore('clips').delete(clipId),
      tx.objectStore('chunks').delete(range),
      tx.objectStore('labels').delete(range),
    ]);
  });
}

/** Wraps a read so browser failures (a closed connection, ...) surface as DataErrors. */
export function guard<A extends unknown[], R>(what: string, read: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await read(...args);
    } catch (e) {
      throw toDataError(e, null, what);
    }
  };
}

/** A random id for new records (UUID where the platform has randomUUID). */
export function randomId(): string {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  const b = new Uint8Array(16);
  c.getRandomValues(b);
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
}
