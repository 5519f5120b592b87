// The schema, as ordered migrations shared by SQLite and PostgreSQL. Only the binary column
// type differs (blob / bytea). Never edit a migration that has shipped: add the next one.

import { type Kysely, type Migration, sql } from 'kysely';
import type { DbKind } from './db.ts';

export function migrationsFor(kind: DbKind): Record<string, Migration> {
  const binary = kind === 'postgres' ? 'bytea' : 'blob';
  return {
    '001_players_laps_models': {
      async up(db: Kysely<unknown>) {
        await db.schema.createTable('players')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('name_key', 'text', (c) => c.notNull().unique())
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createTable('models')
          .addColumn('hash', 'text', (c) => c.primaryKey())
          .addColumn('zip', sql.raw(binary), (c) => c.notNull())
          .addColumn('bytes', 'integer', (c) => c.notNull())
          .addColumn('uploader_id', 'text', (c) => c.notNull().references('players.id'))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema.createTable('laps')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('player_id', 'text', (c) => c.notNull().references('players.id'))
          .addColumn('track_id', 'text', (c) => c.notNull())
          .addColumn('class', 'text', (c) => c.notNull())
          .addColumn('sim_version', 'integer', (c) => c.notNull())
          .addColumn('theme', 'text', (c) => c.notNull())
          .addColumn('lap_ticks', 'integer', (c) => c.notNull())
          .addColumn('score_s', 'double precision', (c) => c.notNull())
          .addColumn('penalty_s', 'double precision', (c) => c.notNull())
          .addColumn('autonomy_pct', 'double precision', (c) => c.notNull())
          .addColumn('model_name', 'text')
          .addColumn('weights_sha256', 'text')
          .addColumn('model_hash', 'text', (c) => c.references('models.hash'))
          .addColumn('state_hash', 'text', (c) => c.notNull())
          .addColumn('replay', sql.raw(binary), (c) => c.notNull())
          .addColumn('replay_bytes', 'integer', (c) => c.notNull())
          .addColumn('verify_ms', 'double precision', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addUniqueConstraint('laps_one_pb', ['player_id', 'track_id', 'class', 'sim_version'])
          .execute();
        await db.schema.createIndex('laps_board').on('laps').columns(['track_id', 'class', 'sim_version', 'score_s', 'created_at', 'id']).execute();
        await db.schema.createIndex('laps_newest').on('laps').column('created_at').execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropTable('laps').execute();
        await db.schema.dropTable('models').execute();
        await db.schema.dropTable('players').execute();
      },
    },
  };
}
