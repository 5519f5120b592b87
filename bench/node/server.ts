// Node suite 'server': a load test of the online leaderboard (server/main.ts as a real process)
// with autocannon against 127.0.0.1 only, bounded in time and count, on SQLite and on PostgreSQL
// (TEST_DATABASE_URL, or a throwaway cluster from server/throwaway-pg.sh when none is set; the
// PostgreSQL half is skipped with a note when neither works). Figures per database: board reads
// per second and their p50/p99 latency; verified submissions per second (every one re-simulated
// in the verification pool) and their p50/p99; verification ms per lap inside the server; the
// stored size of a lap. Goals: 2,000 reads/s and 100 verified laps/s. The load generator runs on
// the same machine as the server, so it competes for the same cores.
// Params: dbs=sqlite,postgres  seconds=<per phase>  players=<submitting players>.

import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replaysByScore } from '../../server/testLaps.ts';
import { startServerProcess } from '../../server/testProcess.ts';
import { freshPostgres } from '../../server/testDb.ts';
import { figure, listParam, type Figure, type SuiteOptions, type SuiteResult } from '../lib/stats.ts';

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
interface CannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: CannonRequest, ctx: Record<string, unknown>) => CannonRequest;
}
type Autocannon = (opts: { url: string; connections: number; duration: number; maxOverallRequests?: number; timeout?: number; requests?: CannonRequest[] }) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const log = (m: string): void => console.log(`[bench server] ${m}`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

async function postgresUrl(notes: string[]): Promise<{ url: string; stop(): void } | null> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return { url: given, stop: () => {} };
  try {
    const out = execFileSync('bash', ['server/throwaway-pg.sh'], { encoding: 'utf8' });
    const url = /TEST_DATABASE_URL=(\S+)/.exec(out)?.[1];
    const dir = /PG_THROWAWAY_DIR=(\S+)/.exec(out)?.[1];
    if (!url || !dir) throw new Error(out);
    return { url, stop: () => execFileSync('bash', ['server/throwaway-pg.sh', 'stop', dir]) };
  } catch (e) {
    notes.push(`postgres skipped: no TEST_DATABASE_URL and no throwaway cluster (${(e as Error).message.split('\n')[0]})`);
    return null;
  }
}

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  // --quick (the CI smoke, bounded at 30 s) runs SQLite alone, briefly.
  const dbs = listParam(options, 'dbs') ?? (options.quick ? ['sqlite'] : ['sqlite', 'postgres']);
  const seconds = Number(options.params.seconds) || (options.quick ? 1 : 10);
  const nPlayers = Number(options.params.players) || (options.quick ? 8 : 200);
  const figures: Record<string, Figure> = {};
  const replays = replaysByScore(options.quick ? 3 : 8).map((r) => JSON.stringify(r));
  const notes: string[] = [
    `autocannon against 127.0.0.1, ${seconds} s per phase (bounded by count too); reads: 50 connections, GET /api/boards/oval/human?limit=20 on a board of ${nPlayers} players; submissions: 16 connections, POST /api/laps rotating ${nPlayers} players' tokens over ${replays.length} real replays (each re-simulated; most are not personal bests, so most answers are 200 and write nothing)`,
    'the load generator shares the 2 cores with the server and its verification threads (VERIFY_THREADS=2)',
  ];
  const rawBytes = median(replays.map((t) => t.length));

  for (const db of dbs) {
    let env: Record<string, string>;
    let cleanup = async (): Promise<void> => {};
    if (db === 'postgres') {
      const pgUrl = await postgresUrl(notes);
      if (!pgUrl) continue;
      const fresh = await freshPostgres(pgUrl.url);
      env = { DATABASE_URL: fresh.url };
      cleanup = async () => {
        await fresh.drop();
        pgUrl.stop();
      };
    } else {
      env = { DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-server-')) };
    }
    const server = await startServerProcess({
      ...env, VERIFY_THREADS: '2', RATE_LIMIT_MAX: '100000000', SUBMIT_LIMIT_MAX: '100000000', VERIFY_QUEUE: '100000',
    });
    try {
      log(`${db}: filling the board with ${nPlayers} players`);
      const tokens: string[] = [];
      for (let i = 0; i < nPlayers; i++) {
        const p = await (await fetch(`${server.url}/api/players`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: `bench${i}` }) })).json() as { token: string };
        tokens.push(p.token);
      }
      for (let i = 0; i < tokens.length; i += 8) {
        await Promise.all(tokens.slice(i, i + 8).map(async (t, j) => {
          const res = await fetch(`${server.url}/api/laps`, {
            method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` }, body: replays[(i + j) % replays.length],
          });
          if (res.status !== 201) throw new Error(`filling the board: ${res.status} ${await res.text()}`);
        }));
      }

      log(`${db}: board reads for ${seconds} s`);
      const reads = await autocannon({ url: `${server.url}/api/boards/oval/human?limit=20`, connections: 50, duration: seconds, maxOverallRequests: 200_000, timeout: 10 });
      if (reads.non2xx || reads.errors) notes.push(`${db} reads: ${reads.non2xx} non-2xx, ${reads.errors} errors`);
      figures[`board_reads_per_s.${db}`] = figure([reads['2xx'] / reads.duration], 'req/s');
      figures[`board_read_p50_ms.${db}`] = figure([reads.latency.p50], 'ms');
      figures[`board_read_p99_ms.${db}`] = figure([reads.latency.p99], 'ms');

      log(`${db}: verified submissions for ${seconds} s`);
      let k = 0;
      const submits = await autocannon({
        url: server.url, connections: 16, duration: seconds, maxOverallRequests: 20_000, timeout: 30,
        requests: [{
          method: 'POST', path: '/api/laps',
          setupRequest: (req) => {
            const i = k++;
            return { ...req, headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[i % tokens.length]}` }, body: replays[(i * 7) % replays.length] };
          },
        }],
      });
      if (submits.non2xx || submits.errors) notes.push(`${db} submissions: ${submits.non2xx} non-2xx, ${submits.errors} errors, ${submits.timeouts} timeouts`);
      figures[`verified_submissions_per_s.${db}`] = figure([submits['2xx'] / submits.duration], 'laps/s');
      figures[`submit_p50_ms.${db}`] = figure([submits.latency.p50], 'ms');
      figures[`submit_p99_ms.${db}`] = figure([submits.latency.p99], 'ms');

      // Nothing lost: every player still has exactly one lap, each its best of what it sent.
      const board = await (await fetch(`${server.url}/api/boards/oval/human?limit=100`)).json() as { total: number; laps: { verifyMs: number; replayBytes: number }[] };
      if (board.total !== nPlayers) throw new Error(`${db}: ${board.total} laps on the board after the load test, expected ${nPlayers}`);
      figures[`verify_ms_per_lap.${db}`] = figure(board.laps.map((l) => l.verifyMs), 'ms');
      figures[`stored_lap_bytes.${db}`] = figure(board.laps.map((l) => l.replayBytes), 'bytes');
    } finally {
      await server.stop();
      await cleanup();
    }
  }
  figures['replay_json_bytes.submitted'] = figure([rawBytes], 'bytes');
  return { figures, ratios: {}, notes };
}
