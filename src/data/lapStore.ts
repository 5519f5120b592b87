// Laps on the leaderboards and the replays behind them. An entry mirrors src/scoring's
// LeaderboardEntry (which data may not import) as a zod schema; its replay is stored beside it
// as opaque JSON text with a size cap (src/scoring verifies replays, not this module). Each
// board (track x driver class) keeps its best maxPerBoard laps: adding a lap prunes the rest
// in the same transaction. Layout: docs/formats.md, "IndexedDB schema".

import { z } from 'zod';
import type { ClipDb, LapBoardKey, OpenClipDbOptions } from './clipDb.ts';
import { guard, openClipDb, runWrite } from './clipDb.ts';
import { formatPath } from './clipManifest.ts';
import { DataError } from './dataErrors.ts';
import type { JsonValue } from './jsonValue.ts';
import { toJson } from './jsonValue.ts';

/** src/scoring's DriverClass: a board per track and class. */
export const LAP_DRIVER_CLASSES = ['human', 'expert', 'autopilot'] as const;
export type LapDriverClass = (typeof LAP_DRIVER_CLASSES)[number];

export const DEFAULT_MAX_LAPS_PER_BOARD = 200;
/** A replay is about 30 kB for a 2-minute lap; an inline custom track adds tens of kB. */
export const DEFAULT_MAX_REPLAY_BYTES = 1024 * 1024;
/** Largest entry, in UTF-8 bytes of its JSON. */
export const MAX_LAP_ENTRY_BYTES = 16 * 1024;

/**
 * The fields of src/scoring's LeaderboardEntry, checked. Loose: a field scoring adds later is
 * kept (if JSON) rather than dropped; app/ can check the two types stay assignable.
 */
export const lapEntrySchema = z.looseObject({
  id: z.string().min(1).max(200),
  trackId: z.string().min(1).max(200),
  theme: z.string().max(200),
  driverClass: z.enum(LAP_DRIVER_CLASSES),
  /** Player name, or the model's name. */
  driverName: z.string().max(200),
  modelId: z.string().max(200).optional(),
  lapTicks: z.int().min(1),
  /** Lap time plus penalties, s: the ranking key. */
  scoreS: z.number().min(0),
  penaltyS: z.number().min(0),
  autonomyPct: z.number().min(0).max(100),
  /** ms since the epoch: breaks ties after score and ticks. */
  createdAt: z.number(),
  verified: z.boolean(),
});

/**
 * A leaderboard entry as stored: the mirror of src/scoring's LeaderboardEntry (an interface, so
 * that one passes as it is; extra fields it may carry are kept at run time).
 */
export interface LapEntry {
  readonly id: string;
  readonly trackId: string;
  readonly theme: string;
  readonly driverClass: LapDriverClass;
  readonly driverName: string;
  readonly modelId?: string;
  readonly lapTicks: number;
  readonly scoreS: number;
  readonly penaltyS: number;
  readonly autonomyPct: number;
  readonly createdAt: number;
  readonly verified: boolean;
}

// The schema and the interface must describe the same fields (a compile-time check both ways).
type KnownFields<T> = { [K in keyof T as string extends K ? never : K]: T[K] };
type SchemaFields = KnownFields<z.infer<typeof lapEntrySchema>>;
const schemaToEntry: SchemaFields extends LapEntry ? true : false = true;
const entryToSchema: LapEntry extends SchemaFields ? true : false = true;
void schemaToEntry;
void entryToSchema;

export interface LapBoard {
  readonly trackId: string;
  /** Omitted: every class of the track (class by class). */
  readonly driverClass?: LapDriverClass;
}

export interface LapAddResult {
  /** 1-based place on its board, or null when the board's best maxPerBoard laps are all better (nothing stored). */
  readonly rank: number | null;
  /** Laps pushed off the board by this one, deleted with their replays. */
  readonly prunedIds: readonly string[];
}

export interface LapStoreOptions extends OpenClipDbOptions {
  /** Laps kept per track and class; default 200. */
  readonly maxPerBoard?: number;
  /** Largest replay, UTF-8 bytes of its JSON; default 1 MiB. */
  readonly maxReplayBytes?: number;
}

export interface LapStore {
  /** Stores the entry and its replay in one transaction, pruning the board to maxPerBoard. */
  add(entry: LapEntry, replay: unknown): Promise<LapAddResult>;
  /** The board's laps in leaderboard order: score, then ticks, then createdAt, then id (scoring's compareEntries). */
  list(board: LapBoard): Promise<LapEntry[]>;
  get(entryId: string): Promise<LapEntry>;
  /** The replay stored with the entry, parsed (src/scoring checks its format). */
  replay(entryId: string): Promise<JsonValue>;
  /** Deletes the entry and its replay. */
  remove(entryId: string): Promise<void>;
  close(): void;
}

/** Every index key of a board, or of a whole track (arrays sort after numbers and strings). */
function boardRange(board: LapBoard): IDBKeyRange {
  const prefix = board.driverClass === undefined ? [board.trackId] : [board.trackId, board.driverClass];
  return IDBKeyRange.bound(prefix, [...prefix, []]);
}

function boardKey(e: LapEntry): LapBoardKey {
  return [e.trackId, e.driverClass, e.scoreS, e.lapTicks, e.createdAt, e.id];
}

function positiveInt(v: number | undefined, fallback: number, what: string): number {
  const n = v ?? fallback;
  if (!(Number.isInteger(n) && n >= 1)) throw new DataError('invalid-input', `${what} must be a positive integer, got ${n}`);
  return n;
}

export async function openLapStore(options: LapStoreOptions = {}): Promise<LapStore> {
  const maxPerBoard = positiveInt(options.maxPerBoard, DEFAULT_MAX_LAPS_PER_BOARD, 'maxPerBoard');
  const maxReplayBytes = positiveInt(options.maxReplayBytes, DEFAULT_MAX_REPLAY_BYTES, 'maxReplayBytes');
  const db: ClipDb = await openClipDb(options);

  const notFound = (id: string): DataError => new DataError('not-found', `no lap with id '${id}'`);

  return {
    async add(entry, replay) {
      const parsed = lapEntrySchema.safeParse(entry);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new DataError('invalid-input', `the lap entry is invalid: ${formatPath(issue.path)}: ${issue.message}`);
      }
      // As JSON reads it back: extra fields checked, undefined members (modelId) dropped.
      const e = toJson(parsed.data, 'the lap entry', MAX_LAP_ENTRY_BYTES).value as unknown as LapEntry;
      const json = toJson(replay, 'the replay', maxReplayBytes).text;
      const board = boardRange(e);
      return runWrite(db, ['laps', 'replays'], 'saving the lap', async (tx) => {
        const laps = tx.objectStore('laps');
        if ((await laps.getKey(e.id)) !== undefined) throw new DataError('invalid-input', `a lap with id '${e.id}' is already stored`);
        const index = laps.index('byBoard');
        const better = await index.count(IDBKeyRange.bound(board.lower, boardKey(e), false, true));
        if (better >= maxPerBoard) return { rank: null, prunedIds: [] };
        // One request at a time: a put that throws (quota) must not leave another one unawaited.
        await laps.add(e);
        await tx.objectStore('replays').put({ id: e.id, json });
        // Prune from the worst end of the board until maxPerBoard remain.
        let excess = (await index.count(board)) - maxPerBoard;
        const prunedIds: string[] = [];
        let cursor = await index.openKeyCursor(board, 'prev');
        for (; cursor && excess > 0; excess--) {
          prunedIds.push(cursor.primaryKey);
          await laps.delete(cursor.primaryKey);
          await tx.objectStore('replays').delete(cursor.primaryKey);
          cursor = await cursor.continue();
        }
        return { rank: better + 1, prunedIds };
      });
    },

    list: guard('listing laps', (board: LapBoard) => db.getAllFromIndex('laps', 'byBoard', boardRange(board))),

    get: guard('reading the lap', async (entryId: string) => {
      const e = await db.get('laps', entryId);
      if (!e) throw notFound(entryId);
      return e;
    }),

    replay: guard('reading the replay', async (entryId: string) => {
      const rec = await db.get('replays', entryId);
      if (!rec) throw notFound(entryId);
      return JSON.parse(rec.json) as JsonValue;
    }),

    async remove(entryId) {
      await runWrite(db, ['laps', 'replays'], 'deleting the lap', async (tx) => {
        if ((await tx.objectStore('laps').getKey(entryId)) === undefined) throw notFound(entryId);
        await tx.objectStore('laps').delete(entryId);
        await tx.objectStore('replays').delete(entryId);
      });
    },

    close() {
      db.close();
    },
  };
}
