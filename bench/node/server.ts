// Node suite 'server': a load test of the online leaderboard (server/main.ts as a real process)
// with autocannon against 127.0.0.1 only, bounded in time and count, on SQLite and on PostgreSQL
// (TEST_DATABASE_URL, or a throwaway cluster from server/throwaway-pg.sh when none is set; the
// PostgreSQL half is skipped with a note when neither works). Figures per database: board reads
// per second and their p50/p99 latency; verified submissions per second (every one a different
// body, re-simulated in the verification pool) and their p50/p99; verification ms per lap inside
// the server; the stored size of a lap. Nothing lost: afterwards every player's lap on the board
// is the best of what the server accepted from them. Goals: 2,000 reads/s and 100 verified
// laps/s. The load generator runs on the same machine as the server, so it competes for the
// same cores. With `baseline=<git ref>` the same load runs against that commit's server too
// (its tree extracted with git archive into a temp dir), phase by phase beside this one, and the
// ratios compare the two: before/after measured side by side under the same machine load.
// Params: dbs=sqlite,postgres  seconds=<per phase>  players=<submitting players>  threads=<VERIFY_THREADS>
// baseline=<git ref>  order=reverse (after first).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replaysByScore } from '../../server/testLaps.ts';
import { startServerProcess, type ServerProcess } from '../../server/testProcess.ts';
import { freshPostgres } from '../../server/testDb.ts';
import { checkout } from './baseline.ts';
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
type Ctx = Record<string, unknown>;
interface CannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: CannonRequest, ctx: Ctx) => CannonRequest;
  onResponse?: (status: number, body: string, ctx: Ctx) => void;
}
type Autocannon = (opts: { url: string; connections: number; duration: number; maxOverallRequests?: number; timeout?: number; requests?: CannonRequest[] }) => Promise<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const log = (m: string): void => console.log(`[bench server] ${m}`);

/**
 * CPU seconds the server process has used so far, all its threads (Linux /proc; null elsewhere).
 * Per request it is a figure that other jobs on the machine barely move, unlike requests/s.
 */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in USER_HZ (100 on Linux)
  } catch {
    return null;
  }
}
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

interface Load {
  tokens: string[];
  /** The replays as objects (the submissions vary createdAt, so no two bodies are the same). */
  replays: Record<string, unknown>[];
  scores: number[];
  seconds: number;
}

/** Fills the board, then reads, then submissions; returns the figures and checks nothing was lost. */
async function loadTest(server: ServerProcess, load: Load, tag: string, notes: string[]): Promise<Record<string, Figure>> {
  const { replays, scores, seconds } = load;
  const tokens: string[] = [];
  for (let i = 0; i < load.tokens.length; i++) {
    const p = await (await fetch(`${server.url}/api/players`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: load.tokens[i] }) })).json() as { token: string };
    tokens.push(p.token);
  }
  let serial = 0;
  /** A body no one sent before: the same lap with another createdAt (still re-simulated in full). */
  const body = (j: number): string => {
    const n = serial++;
    return JSON.stringify({ ...replays[j], createdAt: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString() });
  };
  /** Per player: the best score the server acknowledged (2xx), and every score sent (in flight at the end too). */
  const best = new Map<number, number>();
  const sentScores = new Map<number, Set<number>>();
  const accept = (player: number, j: number): void => {
    best.set(player, Math.min(best.get(player) ?? Infinity, scores[j]));
  };
  const sent = (player: number, j: number): void => {
    if (!sentScores.has(player)) sentScores.set(player, new Set());
    sentScores.get(player)?.add(scores[j]);
  };
  for (let i = 0; i < tokens.length; i += 8) {
    await Promise.all(tokens.slice(i, i + 8).map(async (t, k) => {
      const j = (i + k) % replays.length;
      sent(i + k, j);
      const res = await fetch(`${server.url}/api/laps`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${t}` }, body: body(j) });
      if (res.status !== 201) throw new Error(`filling the board: ${res.status} ${await res.text()}`);
      accept(i + k, j);
    }));
  }
  const figures: Record<string, Figure> = {};

  log(`${tag}: board reads for ${seconds} s`);
  const pid = server.child.pid;
  let cpu0 = cpuSeconds(pid);
  const reads = await autocannon({ url: `${server.url}/api/boards/oval/human?limit=20`, connections: 50, duration: seconds, maxOverallRequests: 200_000, timeout: 10 });
  if (reads.non2xx || reads.errors) notes.push(`${tag} reads: ${reads.non2xx} non-2xx, ${reads.errors} errors`);
  figures[`board_reads_per_s.${tag}`] = figure([reads['2xx'] / reads.duration], 'req/s');
  figures[`board_read_p50_ms.${tag}`] = figure([reads.latency.p50], 'ms');
  figures[`board_read_p99_ms.${tag}`] = figure([reads.latency.p99], 'ms');
  let cpu1 = cpuSeconds(pid);
  if (cpu0 !== null && cpu1 !== null) figures[`server_cpu_us_per_board_read.${tag}`] = figure([(1e6 * (cpu1 - cpu0)) / reads.requests.total], 'us');

  log(`${tag}: verified submissions for ${seconds} s`);
  let k = 0;
  cpu0 = cpuSeconds(pid);
  const submits = await autocannon({
    url: server.url, connections: 16, duration: seconds, maxOverallRequests: 20_000, timeout: 30,
    requests: [{
      method: 'POST', path: '/api/laps',
      setupRequest: (req, ctx) => {
        const i = k++;
        const player = i % tokens.length;
        const j = (i * 7) % replays.length;
        ctx.sent = [player, j];
        sent(player, j);
        return { ...req, headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[player]}` }, body: body(j) };
      },
      onResponse: (status, _body, ctx) => {
        const [player, j] = ctx.sent as [number, number];
        if (status === 200 || status === 201) accept(player, j);
      },
    }],
  });
  if (submits.non2xx || submits.errors) notes.push(`${tag} submissions: ${submits.non2xx} non-2xx, ${submits.errors} errors, ${submits.timeouts} timeouts`);
  figures[`verified_submissions_per_s.${tag}`] = figure([submits['2xx'] / submits.duration], 'laps/s');
  figures[`submit_p50_ms.${tag}`] = figure([submits.latency.p50], 'ms');
  figures[`submit_p99_ms.${tag}`] = figure([submits.latency.p99], 'ms');
  cpu1 = cpuSeconds(pid);
  if (cpu0 !== null && cpu1 !== null) figures[`server_cpu_ms_per_submission.${tag}`] = figure([(1e3 * (cpu1 - cpu0)) / submits.requests.total], 'ms');

  // Nothing lost: one lap per player, at least as good as the best the server acknowledged to
  // them, and one they sent (a request still in flight when autocannon stopped may have won).
  const laps: { name: string; scoreS: number; verifyMs: number; replayBytes: number }[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = await (await fetch(`${server.url}/api/boards/oval/human?limit=100&offset=${offset}`)).json() as { total: number; laps: typeof laps };
    laps.push(...page.laps);
    if (laps.length >= page.total || page.laps.length === 0) break;
  }
  if (laps.length !== tokens.length) throw new Error(`${tag}: ${laps.length} laps on the board after the load test, expected ${tokens.length}`);
  const wrong = laps.filter((l) => {
    const p = load.tokens.indexOf(l.name);
    return !(l.scoreS <= (best.get(p) ?? -Infinity)) || !sentScores.get(p)?.has(l.scoreS);
  });
  if (wrong.length) throw new Error(`${tag}: ${wrong.length} players' laps are not the best the server acknowledged to them (e.g. ${wrong[0].name}: ${wrong[0].scoreS} vs ${best.get(load.tokens.indexOf(wrong[0].name))})`);
  log(`${tag}: ${submits['2xx']} submissions acknowledged, ${laps.length} personal bests all as expected`);
  figures[`verify_ms_per_lap.${tag}`] = figure(laps.map((l) => l.verifyMs), 'ms');
  figures[`stored_lap_bytes.${tag}`] = figure(laps.map((l) => l.replayBytes), 'bytes');
  return figures;
}

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  // --quick (the CI smoke, bounded at 30 s) runs SQLite alone, briefly.
  const dbs = listParam(options, 'dbs') ?? (options.quick ? ['sqlite'] : ['sqlite', 'postgres']);
  const seconds = Number(options.params.seconds) || (options.quick ? 1 : 10);
  const nPlayers = Number(options.params.players) || (options.quick ? 8 : 200);
  const threads = options.params.threads || '2';
  const base = options.params.baseline ? checkout(options.params.baseline) : null;
  const figures: Record<string, Figure> = {};
  const ratios: Record<string, number> = {};
  const laps = replaysByScore(options.quick ? 3 : 8);
  const load: Load = {
    tokens: Array.from({ length: nPlayers }, (_, i) => `bench${i}`),
    replays: laps as unknown as Record<string, unknown>[],
    scores: laps.map((r) => r.claim.scoreS),
    seconds,
  };
  const notes: string[] = [
    `autocannon against 127.0.0.1, ${seconds} s per phase (bounded by count too); reads: 50 connections, GET /api/boards/oval/human?limit=20 on a board of ${nPlayers} players; submissions: 16 connections, POST /api/laps rotating ${nPlayers} players' tokens over ${laps.length} real laps, each body different (createdAt varies), each re-simulated; most are not personal bests (200, nothing written)`,
    `the load generator shares the 2 cores with the server and its verification threads (VERIFY_THREADS=${threads})`,
    'server_cpu_*: CPU time of the server process (all threads, /proc) per request sent; PostgreSQL\'s own processes are not in it',
    ...(base ? [`'before' is commit ${base.commit} (git archive of --param baseline=${options.params.baseline}), run phase by phase beside 'after' (this tree) under the same load; ratios are after/before`] : []),
  ];
  const variants = base ? [{ name: 'before', root: base.root }, { name: 'after', root: undefined }] : [{ name: '', root: undefined }];
  // order=reverse runs 'after' first: the machine's load drifts, so a second run in the other order shows how much order matters.
  if (options.params.order === 'reverse') variants.reverse();
  try {
    for (const db of dbs) {
      for (const variant of variants) {
        const tag = variant.name ? `${db}.${variant.name}` : db;
        let env: Record<string, string>;
        let cleanup = async (): Promise<void> => {};
        if (db === 'postgres') {
          const pgUrl = await postgresUrl(notes);
          if (!pgUrl) break;
          const fresh = await freshPostgres(pgUrl.url);
          env = { DATABASE_URL: fresh.url };
          cleanup = async () => {
            await fresh.drop();
            pgUrl.stop();
          };
        } else {
          const dir = mkdtempSync(join(tmpdir(), 'bench-server-'));
          env = { DATA_DIR: dir };
          cleanup = async () => rmSync(dir, { recursive: true, force: true });
        }
        const server = await startServerProcess({
          ...env, VERIFY_THREADS: threads, RATE_LIMIT_MAX: '100000000', SUBMIT_LIMIT_MAX: '100000000', SUBMIT_ADDRESS_LIMIT_MAX: '100000000', VERIFY_QUEUE: '100000',
        }, 60_000, variant.root);
        try {
          log(`${tag}: filling the board with ${nPlayers} players`);
          Object.assign(figures, await loadTest(server, load, tag, notes));
        } finally {
          await server.stop();
          await cleanup();
        }
      }
      if (base && figures[`board_reads_per_s.${db}.after`] && figures[`board_reads_per_s.${db}.before`]) {
        const r = (k: string): number => figures[`${k}.${db}.after`].median / figures[`${k}.${db}.before`].median;
        ratios[`board_reads_after_vs_before.${db}`] = r('board_reads_per_s');
        ratios[`verified_laps_after_vs_before.${db}`] = r('verified_submissions_per_s');
        ratios[`verify_ms_after_vs_before.${db}`] = r('verify_ms_per_lap');
        if (figures[`server_cpu_us_per_board_read.${db}.after`]) ratios[`cpu_per_read_after_vs_before.${db}`] = r('server_cpu_us_per_board_read');
        if (figures[`server_cpu_ms_per_submission.${db}.after`]) ratios[`cpu_per_submission_after_vs_before.${db}`] = r('server_cpu_ms_per_submission');
      }
    }
  } finally {
    base?.remove();
  }
  figures['replay_json_bytes.submitted'] = figure([median(laps.map((r) => JSON.stringify(r).length))], 'bytes');
  return { figures, ratios, notes };
}
