// The database: one Kysely query layer over SQLite (better-sqlite3, a file under DATA_DIR, the
// embedded default) or PostgreSQL (pg, when DATABASE_URL is set), and the table types. Both are
// migrated by the same migrations (migrations.ts) when the server opens them.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { migrationsFor } from './migrations.ts';

export type DbKind = 'sqlite' | 'postgres';

export interface PlayersTable {
  id: string;
  name: string;
  /** Lower-cased name: names are unique ignoring case. */
  name_key: string;
  /** sha256 hex of the player's token; the token itself is never stored. */
  token_hash: string;
  created_at: string;
}

export interface LapsTable {
  id: string;
  player_id: string;
  track_id: string;
  /** 'human' | 'autopilot' | 'expert' */
  class: string;
  sim_version: number;
  theme: string;
  lap_ticks: number;
  score_s: number;
  penalty_s: number;
  autonomy_pct: number;
  /** The model's name or id as the replay declares it (autopilot laps). */
  model_name: string | null;
  /** SHA-256 of the model's weights, as the replay declares it (autopilot laps). */
  weights_sha256: string | null;
  /** sha256 of the uploaded model zip that drove it (autopilot laps with a model). */
  model_hash: string | null;
  state_hash: string;
  /** gzip of the replay's JSON text. */
  replay: Uint8Array;
  replay_bytes: number;
  /** Wall time the server took to re-simulate it, ms. */
  verify_ms: number;
  /** ISO time the lap was accepted (sorts as text). */
  created_at: string;
}

export interface ModelsTable {
  /** sha256 hex of the zip. */
  hash: string;
  zip: Uint8Array;
  bytes: number;
  uploader_id: string;
  created_at: string;
}

export interface Database {
  players: PlayersTable;
  laps: LapsTable;
  models: ModelsTable;
}

export interface Db {
  kysely: Kysely<Database>;
  kind: DbKind;
  close(): Promise<void>;
}

export function openDb(opts: { databaseUrl: string; dataDir: string; poolSize?: number }): Db {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { kysely, kind: 'postgres', close: () => kysely.destroy() };
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const file = new SQLite(join(opts.dataDir, 'deepsteer.sqlite'));
  // WAL: readers never wait for the writer; a crash loses no committed transaction.
  file.pragma('journal_mode = WAL');
  file.pragma('synchronous = FULL');
  file.pragma('foreign_keys = ON');
  file.pragma('busy_timeout = 5000');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: file }) });
  return { kysely, kind: 'sqlite', close: () => kysely.destroy() };
}

/** Brings the schema to the latest migration (safe to run from several processes at once on PostgreSQL). */
export async function migrate(db: Db): Promise<void> {
  const migrator = new Migrator({ db: db.kysely, provider: { getMigrations: async () => migrationsFor(db.kind) } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`);
}
