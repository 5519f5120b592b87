// The IndexedDB database of clips: its stores, its version and the migration path from every
// older version, plus the transaction helper that turns browser failures into DataErrors.
// Nothing outside src/data opens this database. Layout and versions: docs/formats.md.

import { unwrap, wrap } from 'idb';
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { ClipMeta } from './clipTypes.ts';
import { DataError, StorageFullError, describeError, isQuotaError } from './dataErrors.ts';

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
  /** count rows of labelRowWidth(cameras) float64, row-major (see clipTypes NUMERIC_LABEL_FIELDS). */
  readonly rows: Float64Array;
}

export interface ClipDbSchema extends DBSchema {
  clips: { key: string; value: ClipRecord; indexes: { byCreatedAt: number } };
  chunks: { key: [string, number]; value: ChunkRecord };
  labels: { key: [string, number]; value: LabelRecord };
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
 * more entry here, a bump of CLIP_SCHEMA_VERSION and a section in docs/formats.md; a fresh
 * database runs every entry from 0, so each migration must work on empty stores too.
 */
export type Migration = (ctx: MigrationContext) => Promise<void> | void;

export const MIGRATIONS: readonly Migration[] = [
  // 0 -> 1: the first layout.
  ({ db }) => {
    const clips = db.createObjectStore('clips', { keyPath: 'id' });
    clips.createIndex('byCreatedAt', 'createdAt');
    db.createObjectStore('chunks', { keyPath: ['clipId', 'index'] });
    db.createObjectStore('labels', { keyPath: ['clipId', 'index'] });
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
