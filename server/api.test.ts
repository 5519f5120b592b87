// API tests through fastify.inject(), on SQLite and on PostgreSQL (a real server: .ci/run starts
// one; skipped locally with the reason when none is reachable). Real replays, re-simulated.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Replay } from '../src/scoring/replay.ts';
import { buildServer, type Server } from './app.ts';
import type { ServerConfig } from './config.ts';
import { freshPostgres, postgresAvailable, tempDataDir, testConfig } from './testDb.ts';
import { driveReplay, replaysByScore } from './testLaps.ts';

const pgState = await postgresAvailable();
if ('skip' in pgState) console.warn(`[server tests] PostgreSQL tests SKIPPED: ${pgState.skip}`);

const laps = replaysByScore(4); // best first
const expertLap = driveReplay({ driver: 'expert', seed: 3, noise: 0 });
const autopilotLap = driveReplay({ driver: 'model', seed: 7, name: 'my model' });

const DBS = [
  { name: 'sqlite', skip: false },
  { name: 'postgres', skip: 'skip' in pgState },
] as const;

for (const dbCase of DBS) {
  describe.skipIf(dbCase.skip)(`online leaderboard API on ${dbCase.name}`, () => {
    let server: Server;
    let drop = async (): Promise<void> => {};
    const seedFile = join(tempDataDir(), 'expert.replay.json');

    async function build(over: Partial<ServerConfig> = {}): Promise<Server> {
      let databaseUrl = '';
      if (dbCase.name === 'postgres' && 'url' in pgState) {
        const db = await freshPostgres(pgState.url);
        databaseUrl = db.url;
        const prev = drop;
        drop = async () => {
          await prev();
          await db.drop();
        };
      }
      return buildServer(testConfig({ databaseUrl, dataDir: tempDataDir(), seedReplay: seedFile, ...over }));
    }

    beforeAll(async () => {
      writeFileSync(seedFile, JSON.stringify(expertLap, null, 2));
      server = await build();
    });
    afterAll(async () => {
      await server?.close();
      await drop();
    });

    const inject = (o: InjectOptions) => server.app.inject(o);
    const join_ = async (name: string): Promise<{ id: string; name: string; token: string }> => {
      const r = await inject({ method: 'POST', url: '/api/players', payload: { name } });
      expect(r.statusCode, r.body).toBe(201);
      return r.json();
    };
    const submit = (token: string, replay: Replay | string, query = '') => inject({
      method: 'POST', url: `/api/laps${query}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: typeof replay === 'string' ? replay : JSON.stringify(replay),
    });
    const board = async (cls: string, query = '', token?: string) => {
      const r = await inject({ method: 'GET', url: `/api/boards/oval/${cls}${query}`, headers: token ? { authorization: `Bearer ${token}` } : {} });
      expect(r.statusCode, r.body).toBe(200);
      return r.json();
    };

    it('reports its health and database', async () => {
      const r = await inject({ method: 'GET', url: '/api/health' });
      expect(r.json()).toEqual({ ok: true, db: dbCase.name });
    });

    it('seeded the expert board from the replay file, and shows it as the reference line', async () => {
      const b = await board('expert');
      expect(b.laps).toHaveLength(1);
      expect(b.laps[0]).toMatchObject({ name: 'Expert', lapTicks: expertLap.claim.ticks, rank: 1 });
      expect((await board('human')).reference).toMatchObject({ class: 'expert', lapTicks: expertLap.claim.ticks });
    });

    it('players: unique names ignoring case, rename, token rotation; tokens are stored hashed', async () => {
      const ana = await join_('Ana');
      expect(ana.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      expect((await inject({ method: 'POST', url: '/api/players', payload: { name: 'ana' } })).statusCode).toBe(409);
      expect((await inject({ method: 'POST', url: '/api/players', payload: { name: 'Expert' } })).statusCode).toBe(409);
      expect((await inject({ method: 'POST', url: '/api/players', payload: { name: '' } })).statusCode).toBe(400);
      expect((await inject({ method: 'POST', url: '/api/players', payload: { name: 'x'.repeat(25) } })).statusCode).toBe(400);
      const auth = { authorization: `Bearer ${ana.token}` };
      const renamed = await inject({ method: 'PATCH', url: '/api/players/me', headers: auth, payload: { name: 'Ana B' } });
      expect(renamed.json()).toEqual({ id: ana.id, name: 'Ana B' });
      const rotated = await inject({ method: 'POST', url: '/api/players/me/token', headers: auth });
      expect(rotated.statusCode).toBe(200);
      expect((await inject({ method: 'GET', url: '/api/players/me', headers: auth })).statusCode).toBe(401);
      const me = await inject({ method: 'GET', url: '/api/players/me', headers: { authorization: `Bearer ${rotated.json().token}` } });
      expect(me.json()).toEqual({ id: ana.id, name: 'Ana B' });
      const row = await server.store.db.selectFrom('players').select('token_hash').where('id', '=', ana.id).executeTakeFirstOrThrow();
      expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.token_hash).not.toContain(rotated.json().token);
    });

    it('submits a lap, ranks it, serves its replay; a worse lap keeps the PB, a better one replaces it in place', async () => {
      const bo = await join_('Bo');
      const first = await submit(bo.token, laps[2]);
      expect(first.statusCode, first.body).toBe(201);
      expect(first.json()).toMatchObject({ rank: 1, improved: true, lap: { name: 'Bo', class: 'human', lapTicks: laps[2].claim.ticks } });
      const firstId = first.json().lap.id;
      const replay = await inject({ method: 'GET', url: `/api/laps/${firstId}/replay` });
      expect(JSON.parse(replay.body)).toEqual(laps[2]);

      const worse = await submit(bo.token, laps[3]);
      expect(worse.statusCode).toBe(200);
      expect(worse.json()).toMatchObject({ improved: false, lap: { id: firstId } });

      const better = await submit(bo.token, laps[0]);
      expect(better.statusCode).toBe(201);
      expect(better.json().lap.scoreS).toBeCloseTo(laps[0].claim.scoreS, 9);
      const b = await board('human');
      expect(b.laps.filter((l: { name: string }) => l.name === 'Bo')).toHaveLength(1);
      expect((await inject({ method: 'GET', url: `/api/laps/${firstId}` })).statusCode).toBe(404);
      const rows = await server.store.db.selectFrom('laps').select('id').where('player_id', '=', bo.id).execute();
      expect(rows).toHaveLength(1);
    });

    it('refuses a forged replay with the verifier\'s reason and stores nothing', async () => {
      const cy = await join_('Cy');
      const forged = structuredClone(laps[1]);
      forged.claim.ticks -= 30;
      forged.claim.scoreS -= 0.5;
      const r = await submit(cy.token, forged);
      expect(r.statusCode).toBe(422);
      expect(r.json().error).toMatch(/refused/);
      const notJson = await submit(cy.token, '{"format":"deepsteer-replay","version":2,"ticks":');
      expect(notJson.statusCode).toBe(400);
      const noAuth = await inject({ method: 'POST', url: '/api/laps', payload: laps[1] });
      expect(noAuth.statusCode).toBe(401);
      const rows = await server.store.db.selectFrom('laps').select('id').where('player_id', '=', cy.id).execute();
      expect(rows).toHaveLength(0);
    });

    it('answers 413 to an oversized body', async () => {
      const dee = await join_('Dee');
      const big = { ...laps[1], padding: 'x'.repeat(600 * 1024) };
      const r = await submit(dee.token, big);
      expect(r.statusCode).toBe(413);
      expect(r.json().error).toBeTruthy();
    });

    it('paginates boards best first, with the caller\'s own rank, and lists the board of boards', async () => {
      const names = ['P1', 'P2', 'P3'];
      for (const [i, n] of names.entries()) {
        const p = await join_(n);
        expect((await submit(p.token, laps[(i + 1) % laps.length])).statusCode).toBe(201);
      }
      const p4 = await join_('P4');
      expect((await submit(p4.token, laps[3])).statusCode).toBe(201);
      const all = await board('human', '?limit=100');
      expect(all.total).toBe(all.laps.length);
      const scores = all.laps.map((l: { scoreS: number }) => l.scoreS);
      expect(scores).toEqual([...scores].sort((a, b) => a - b));
      const page = await board('human', '?offset=2&limit=2', p4.token);
      expect(page.laps.map((l: { rank: number }) => l.rank)).toEqual([3, 4]);
      expect(page.laps.map((l: { id: string }) => l.id)).toEqual(all.laps.slice(2, 4).map((l: { id: string }) => l.id));
      expect(page.me.name).toBe('P4');
      expect(page.me.rank).toBe(all.laps.findIndex((l: { name: string }) => l.name === 'P4') + 1);
      expect((await inject({ method: 'GET', url: '/api/boards/oval/human?limit=1000' })).statusCode).toBe(400);
      expect((await inject({ method: 'GET', url: '/api/boards/oval/robots' })).statusCode).toBe(400);
      const bb = (await inject({ method: 'GET', url: '/api/boards' })).json();
      expect(bb.tracks[0]).toMatchObject({ trackId: 'oval' });
      expect(bb.tracks[0].players).toBeGreaterThanOrEqual(4);
      expect(bb.records.map((l: { class: string }) => l.class).sort()).toEqual(['expert', 'human']);
    });

    it('stores a model zip once by hash, serves it, and links an autopilot lap to it', async () => {
      const eve = await join_('Eve');
      const auth = { authorization: `Bearer ${eve.token}`, 'content-type': 'application/zip' };
      const zip = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(2000, 7)]);
      const up = await inject({ method: 'POST', url: '/api/models', headers: auth, payload: zip });
      expect(up.statusCode, up.body).toBe(201);
      const { hash } = up.json();
      expect((await inject({ method: 'POST', url: '/api/models', headers: auth, payload: zip })).statusCode).toBe(200);
      const count = await server.store.db.selectFrom('models').select('hash').execute();
      expect(count).toHaveLength(1);
      const down = await inject({ method: 'GET', url: `/api/models/${hash}` });
      expect(down.rawPayload.equals(zip)).toBe(true);
      expect((await inject({ method: 'POST', url: '/api/models', headers: auth, payload: Buffer.from('not a zip, not at all') })).statusCode).toBe(400);
      const tooBig = Buffer.concat([zip, Buffer.alloc(17 * 1024 * 1024)]);
      expect((await inject({ method: 'POST', url: '/api/models', headers: auth, payload: tooBig })).statusCode).toBe(413);
      const lap = await submit(eve.token, autopilotLap, `?model=${hash}`);
      expect(lap.statusCode, lap.body).toBe(201);
      expect(lap.json().lap).toMatchObject({ class: 'autopilot', modelHash: hash, weightsSha256: 'a'.repeat(64) });
      expect((await submit(eve.token, autopilotLap, `?model=${'b'.repeat(64)}`)).statusCode).toBe(422);
    });

    it('rate-limits submissions per address whatever the token, with 429 and Retry-After', async () => {
      const limited = await build({ submitLimit: { max: 100, windowMs: 60_000 }, submitAddressLimit: { max: 3, windowMs: 60_000 } });
      try {
        const players = [];
        for (const name of ['Gus', 'Hal', 'Ida', 'Jo']) players.push((await limited.app.inject({ method: 'POST', url: '/api/players', payload: { name } })).json());
        const send = (token: string, remoteAddress = '127.0.0.1') => limited.app.inject({
          method: 'POST', url: '/api/laps', remoteAddress, headers: { authorization: `Bearer ${token}` }, payload: laps[3],
        });
        // Three players behind one address use its budget; a fresh token does not buy more.
        for (const p of players.slice(0, 3)) expect((await send(p.token)).statusCode).toBe(201);
        const fourth = await send(players[3].token);
        expect(fourth.statusCode).toBe(429);
        expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
        expect(fourth.json().error).toMatch(/rate limited: at most 3 lap submissions per address/);
        // Nothing was stored for the refused one; another address is not affected.
        expect((await limited.app.inject({ method: 'GET', url: '/api/boards/oval/human' })).json().total).toBe(3);
        expect((await send(players[3].token, '10.0.0.7')).statusCode).toBe(201);
      } finally {
        await limited.close();
      }
    });

    it('rate-limits submissions per token and reads per address with 429 and Retry-After', async () => {
      const limited = await build({ submitLimit: { max: 2, windowMs: 60_000 }, rateLimit: { max: 5, windowMs: 60_000 } });
      try {
        const p = (await limited.app.inject({ method: 'POST', url: '/api/players', payload: { name: 'Fay' } })).json();
        const send = () => limited.app.inject({ method: 'POST', url: '/api/laps', headers: { authorization: `Bearer ${p.token}` }, payload: laps[3] });
        expect((await send()).statusCode).toBe(201);
        expect((await send()).statusCode).toBe(200);
        const third = await send();
        expect(third.statusCode).toBe(429);
        expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
        expect(third.json().error).toMatch(/rate limited/);
        const codes: number[] = [];
        for (let i = 0; i < 6; i++) codes.push((await limited.app.inject({ method: 'GET', url: '/api/boards/oval/human' })).statusCode);
        expect(codes.slice(0, 4)).toEqual([200, 200, 200, 200]); // the player creation above used one
        expect(codes[5]).toBe(429);
      } finally {
        await limited.close();
      }
    });
  });
}

describe('stored lap size', () => {
  it('keeps a replay gzipped, a fraction of its JSON', () => {
    const text = JSON.stringify(laps[0]);
    expect(gzipSync(text, { level: 9 }).length).toBeLessThan(text.length);
  });
});
