// Test databases: a fresh SQLite directory, or a fresh database on the PostgreSQL server named by
// TEST_DATABASE_URL (.ci/run starts a throwaway one; locally `server/throwaway-pg.sh`). When no
// server is reachable the PostgreSQL tests are skipped with the reason printed, except under CI,
// where that is a failure.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type ServerConfig, configFromEnv } from './config.ts';

export const tempDataDir = (): string => mkdtempSync(join(tmpdir(), 'deepsteer-server-test-'));

/** null (and why) when there is no PostgreSQL to test against. */
export async function postgresAvailable(): Promise<{ url: string } | { skip: string }> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    const why = 'TEST_DATABASE_URL is not set (start a throwaway server: eval "$(bash server/throwaway-pg.sh)")';
    if (process.env.CI) throw new Error(`PostgreSQL tests must run in CI: ${why}`);
    return { skip: why };
  }
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.end();
    return { url };
  } catch (e) {
    const why = `no PostgreSQL reachable at ${url.replace(/:[^:@/]*@/, ':***@')} (${(e as Error).message})`;
    if (process.env.CI) throw new Error(`PostgreSQL tests must run in CI: ${why}`, { cause: e });
    return { skip: why };
  }
}

/** A new empty database on the test server; returns its URL and a function that drops it. */
export async function freshPostgres(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `ds_test_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e9).toString(36)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    /** Drops it once its clients have gone (no FORCE: terminating a closing pool's client is an unhandled error there); a throwaway server keeps it otherwise. */
    async drop() {
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      try {
        for (let i = 0; i < 20; i++) {
          const { rows } = await a.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
          if (rows[0].n === 0) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        await a.query(`DROP DATABASE IF EXISTS ${name}`);
      } catch {
        /* still in use: left for the throwaway cluster to take with it */
      } finally {
        await a.end();
      }
    },
  };
}

/** A configuration for tests: API only, no seed, small pool, limits from `over`. */
export function testConfig(over: Partial<ServerConfig>): ServerConfig {
  return { ...configFromEnv({}), staticDir: '', seedReplay: '', verifyThreads: 2, logger: false, ...over };
}
