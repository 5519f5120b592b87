// The real server as processes: two processes on one PostgreSQL (a lap submitted to one is read
// from the other), and SIGKILL in the middle of submissions (no partial rows; restarted, the
// same boards, every acknowledged lap kept), on SQLite and on PostgreSQL.

import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Replay } from '../src/scoring/replay.ts';
import { type Db, openDb } from './db.ts';
import { freshPostgres, postgresAvailable, tempDataDir } from './testDb.ts';
import { replaysByScore } from './testLaps.ts';
import { startServerProcess } from './testProcess.ts';
import { verifyLapText } from './verify.ts';

const pgState = await postgresAvailable();
if ('skip' in pgState) console.warn(`[server tests] PostgreSQL tests SKIPPED: ${pgState.skip}`);
const laps = replaysByScore(5).reverse(); // worst first: each submission improves the PB
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function post(url: string, path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

async function database(kind: 'sqlite' | 'postgres'): Promise<Record<string, string>> {
  if (kind === 'sqlite') return { DATA_DIR: tempDataDir() };
  if (!('url' in pgState)) throw new Error('unreachable');
  const db = await freshPostgres(pgState.url);
  cleanups.push(db.drop);
  return { DATABASE_URL: db.url };
}

describe.skipIf('skip' in pgState)('two server processes on one PostgreSQL', () => {
  it('serves on one a lap submitted to the other', async () => {
    const env = await database('postgres');
    const [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    cleanups.push(() => a.stop(), () => b.stop());
    expect(await (await fetch(`${b.url}/api/health`)).json()).toEqual({ ok: true, db: 'postgres' });
    const player = await (await post(a.url, '/api/players', { name: 'Gus' })).json();
    const sent = await post(a.url, '/api/laps', laps[4], player.token);
    expect(sent.status).toBe(201);
    const { lap } = await sent.json();
    const board = await (await fetch(`${b.url}/api/boards/oval/human`, { headers: { authorization: `Bearer ${player.token}` } })).json();
    expect(board.laps.map((l: { id: string }) => l.id)).toEqual([lap.id]);
    expect(board.me.rank).toBe(1);
    const replay = await (await fetch(`${b.url}/api/laps/${lap.id}/replay`)).json();
    expect(replay).toEqual(laps[4]);
  });
});

for (const kind of ['sqlite', 'postgres'] as const) {
  describe.skipIf(kind === 'postgres' && 'skip' in pgState)(`SIGKILL during submissions (${kind})`, () => {
    it('leaves no partial rows and keeps every acknowledged lap; restarted, it serves the same boards', async () => {
      const env = await database(kind);
      const first = await startServerProcess({ ...env, SUBMIT_LIMIT_MAX: '1000' });
      const players: { id: string; token: string }[] = [];
      for (let i = 0; i < 4; i++) players.push(await (await post(first.url, '/api/players', { name: `K${i}` })).json());
      const acked = new Map<string, number>(); // player id -> best acknowledged score
      let stored = 0;
      const kill = new Promise<void>((ok) => {
        const check = setInterval(() => {
          if (stored >= 6) {
            clearInterval(check);
            first.child.kill('SIGKILL');
            ok();
          }
        }, 5);
      });
      // Each player sends its laps worst to best, all players at once, until the kill lands.
      await Promise.all(players.map(async (p) => {
        for (const r of laps) {
          try {
            const res = await post(first.url, '/api/laps', r as Replay, p.token);
            if (res.status === 201) {
              stored++;
              acked.set(p.id, Math.min(acked.get(p.id) ?? Infinity, r.claim.scoreS));
            }
          } catch {
            return; // the server died under this request
          }
        }
      }));
      await kill;
      await first.stop('SIGKILL');
      expect(first.child.signalCode).toBe('SIGKILL');

      // The rows, read straight from the database: one per player at most, each complete.
      const db: Db = openDb({ databaseUrl: env.DATABASE_URL ?? '', dataDir: env.DATA_DIR ?? '' });
      const rows = await db.kysely.selectFrom('laps').selectAll().execute();
      await db.close();
      expect(new Set(rows.map((r) => r.player_id)).size).toBe(rows.length);
      for (const row of rows) {
        const v = verifyLapText(gunzipSync(row.replay).toString('utf8'));
        expect(v.ok).toBe(true);
        if (v.ok) expect(v.scoreS).toBeCloseTo(Number(row.score_s), 9);
        const best = acked.get(row.player_id);
        if (best !== undefined) expect(Number(row.score_s)).toBeLessThanOrEqual(best + 1e-9);
      }
      for (const p of acked.keys()) expect(rows.some((r) => r.player_id === p)).toBe(true);

      const second = await startServerProcess(env);
      const boardA = await (await fetch(`${second.url}/api/boards/oval/human?limit=100`)).json();
      await second.stop();
      const third = await startServerProcess(env);
      const boardB = await (await fetch(`${third.url}/api/boards/oval/human?limit=100`)).json();
      await third.stop();
      expect(boardA.laps.length).toBe(rows.length);
      expect(boardB).toEqual(boardA);
    }, 180_000);
  });
}
