// `npm run bench [-- --quick] [--suite <name>] [--param key=value ...]`: runs the suites of
// bench/suites.mjs (Node ones with tsx, browser ones in Chromium against a production build
// served by vite preview), prints a table and writes bench/results/latest.{json,md} (a --quick
// run writes quick.{json,md} instead, so a CI smoke run never overwrites real figures).
// Params go to every suite that runs (e.g. train's backends=cpu,wasm variants=cnn). A run
// replaces the previous figures of the suites it ran, or with --param only the figures it
// produced (and drops that suite's old ratios, which may rest on a replaced figure). A suite
// that fails keeps its last figures and records the failure.
// A slow figure never fails the bench; only a suite that crashes does (exit 1). A run that
// includes train_models also draws bench/results/train_per_backend.png (bench/lib/plot.mjs).
// The build goes to a fresh temporary folder ($BENCH_OUT_DIR to choose one) and the preview
// server to a free port ($BENCH_PORT), so a bench never clobbers another run's build on a
// shared working tree (bench:autonomy builds dist-bench).
// Pages get `window.__benchHeap(target)`: the JS heap of the page or of a named worker, read
// through the DevTools protocol after a forced GC (Chromium has no performance.memory in workers).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/chromium.mjs';
import { writePlot } from './lib/plot.mjs';
import { markdown, printTable } from './lib/report.mjs';
import { SUITES } from './suites.mjs';

const RESULTS = 'bench/results';
/** --expose-gc: suites collect garbage before reading the heap; precise (not bucketed) performance.memory. */
const BENCH_CHROMIUM_ARGS = [...CHROMIUM_ARGS, '--js-flags=--expose-gc', '--enable-precise-memory-info'];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.includes('--suite') ? args[args.indexOf('--suite') + 1] : undefined;
const params = args.flatMap((a, i) => (a === '--param' && args[i + 1]?.includes('=') ? [args[i + 1]] : []));
const suites = SUITES.filter((s) => !only || s.name === only);
if (suites.length === 0) {
  console.error(`no suite '${only}' (have: ${SUITES.map((s) => s.name).join(', ')})`);
  process.exit(2);
}

const log = (m) => console.log(`[bench] ${m}`);
const results = {}; // suite name -> { figures, ratios, notes } or { error }
/** 1-minute load average at each suite's start and end: the machine is shared, so say how busy it was. */
const loads = {};
const load1 = () => Math.round(os.loadavg()[0] * 10) / 10;
const machine = {
  platform: `${os.platform()} ${os.release()}`,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  commit: spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim(),
  date: new Date().toISOString(),
  quick,
  ...(params.length ? { params } : {}),
};

async function runNodeSuite(suite) {
  const tmp = mkdtempSync(join(os.tmpdir(), 'bench-'));
  const out = join(tmp, `${suite.name}.json`);
  log(`${suite.name}: node`);
  const t0 = Date.now();
  loads[suite.name] = { start: load1() };
  const r = spawnSync('npx', ['tsx', 'bench/node/runSuite.ts', suite.name, out, ...(quick ? ['--quick'] : []), ...params.flatMap((p) => ['--param', p])], {
    stdio: 'inherit', timeout: suite.timeoutMs,
  });
  if (r.status !== 0 || !existsSync(out)) throw new Error(`node suite exited ${r.status ?? r.signal}`);
  loads[suite.name].end = load1();
  log(`${suite.name}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return JSON.parse(readFileSync(out, 'utf8'));
}

async function waitForServer(url, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`preview server did not answer at ${url}`);
}

/** A TCP port nobody listens on right now. */
function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/**
 * JS heap of the page (target 'page') or of its dedicated worker named `name` ('worker:name'),
 * after a forced GC, through a browser-level DevTools session (workers have no
 * performance.memory in Chromium). Returns null when no such target exists.
 */
function heapProbe(cdp) {
  let nextId = 0;
  const pending = new Map();
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message);
    const done = pending.get(`${e.sessionId}:${m.id}`);
    if (done) {
      pending.delete(`${e.sessionId}:${m.id}`);
      done(m);
    }
  });
  const call = (sessionId, method, params = {}) => new Promise((ok, fail) => {
    const id = ++nextId;
    pending.set(`${sessionId}:${id}`, (m) => (m.error ? fail(new Error(`${method}: ${m.error.message}`)) : ok(m.result)));
    cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(fail);
  });
  return async (target) => {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const [kind, name] = String(target).split(':');
    const found = targetInfos.filter((t) => (kind === 'page' ? t.type === 'page' && !t.url.startsWith('chrome') : t.type === 'worker' && t.title === name));
    if (found.length !== 1) return null;
    // The older message-passing attach: a flat session would need Playwright's own session objects.
    const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: found[0].targetId, flatten: false });
    try {
      await call(sessionId, 'HeapProfiler.collectGarbage');
      const h = await call(sessionId, 'Runtime.getHeapUsage');
      return { usedBytes: h.usedSize, totalBytes: h.totalSize };
    } finally {
      await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => {});
    }
  };
}

/** Builds the bench build (test hook included) into a fresh folder; resolves with the folder. */
function buildBench() {
  const outDir = process.env.BENCH_OUT_DIR ? resolve(process.env.BENCH_OUT_DIR) : mkdtempSync(join(os.tmpdir(), 'deepsteer-bench-'));
  if (!process.env.BENCH_OUT_DIR) process.on('exit', () => rmSync(outDir, { recursive: true, force: true }));
  log(`building ${outDir} (vite build --mode bench)`);
  const t0 = Date.now();
  return new Promise((ok, fail) => {
    const build = spawn('npx', ['vite', 'build', '--mode', 'bench', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { stdio: 'inherit' });
    build.on('error', fail);
    build.on('exit', (code) => {
      if (code !== 0) return fail(new Error(`vite build failed (${code})`));
      log(`built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      ok(outDir);
    });
  });
}

async function runBrowserSuites(list, built) {
  const outDir = await built;
  const port = Number(process.env.BENCH_PORT ?? (await freePort()));
  const server = spawn('npx', ['vite', 'preview', '--mode', 'bench', '--outDir', outDir, '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    stdio: 'ignore', detached: true,
  });
  const stopServer = () => { try { process.kill(-server.pid); } catch { /* already gone */ } };
  process.on('exit', stopServer);
  const { chromium } = await import('@playwright/test');
  let browser;
  try {
    await waitForServer(`http://127.0.0.1:${port}/bench/index.html`, 60_000);
    const executablePath = chromiumPath();
    browser = await chromium.launch({ args: BENCH_CHROMIUM_ARGS, ...(executablePath ? { executablePath } : {}) });
    machine.chromium = browser.version();
    const heapOf = heapProbe(await browser.newBrowserCDPSession());
    for (const suite of list) {
      log(`${suite.name}: chromium ${machine.chromium}`);
      const page = await browser.newPage();
      page.on('console', (m) => { if (m.text().startsWith('[bench]')) console.log(m.text()); });
      await page.exposeFunction('__benchHeap', heapOf);
      const t0 = Date.now();
      loads[suite.name] = { start: load1() };
      try {
        const query = new URLSearchParams({ suite: suite.name, ...(quick ? { quick: '1' } : {}) });
        for (const p of params) query.append(p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1));
        await page.goto(`http://127.0.0.1:${port}/bench/index.html?${query}`);
        await page.waitForFunction(() => window.__benchResult || window.__benchError, undefined, { timeout: suite.timeoutMs, polling: 1000 });
        const { result, error } = await page.evaluate(() => ({ result: window.__benchResult, error: window.__benchError }));
        results[suite.name] = error ? { error } : result;
      } catch (e) {
        results[suite.name] = { error: String(e?.message ?? e) };
      } finally {
        await page.close();
        loads[suite.name].end = load1();
        log(`${suite.name}: ${results[suite.name]?.error ? 'failed' : 'done'} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
    }
  } finally {
    await browser?.close();
    stopServer();
  }
}

function merge(previous) {
  // Suites that did not run keep their figures from the last file. A suite that ran replaces
  // all of its old figures, or (with --param, a partial run) only those it produced again.
  // Every ratio is computed inside one suite run, so it never mixes figures of two runs.
  const out = { machine, figures: {}, ratios: {}, suites: {} };
  const partial = params.length > 0;
  for (const [name, s] of Object.entries(previous?.suites ?? {})) {
    if (!SUITES.some((x) => x.name === name)) continue;
    // A suite that failed this time keeps its last figures (and says it failed, below).
    if (results[name] && !partial && !results[name].error) continue;
    const rerun = Boolean(results[name]) && !results[name].error;
    out.suites[name] = rerun ? { ...s, ratioNames: [] } : s;
    for (const k of s.figureNames ?? []) if (previous.figures[k]) out.figures[k] = previous.figures[k];
    // A partial re-run may have replaced a figure an old ratio was computed from: drop them all.
    if (!rerun) for (const k of s.ratioNames ?? []) if (previous.ratios[k] !== undefined) out.ratios[k] = previous.ratios[k];
  }
  for (const [name, r] of Object.entries(results)) {
    if (r.error) {
      out.suites[name] = { ...out.suites[name], lastFailure: { at: machine.date, quick, error: r.error } };
      continue;
    }
    Object.assign(out.figures, r.figures);
    Object.assign(out.ratios, r.ratios);
    const kept = out.suites[name];
    const union = (a = [], b = []) => [...new Set([...a, ...b])];
    out.suites[name] = {
      ranAt: machine.date, quick, notes: r.notes, machine: { ...machine }, loadAverage: loads[name],
      ...(kept ? { partialRunOver: kept.ranAt } : {}),
      figureNames: union(kept?.figureNames, Object.keys(r.figures)),
      ratioNames: union(kept?.ratioNames, Object.keys(r.ratios)),
    };
  }
  return out;
}

let crashed = false;
const browserSuites = suites.filter((s) => s.kind === 'browser');
// A quick run builds while the Node suites run (its figures are only a smoke test); a full run
// builds after them, so nothing competes with their timing.
const built = quick && browserSuites.length ? buildBench() : null;
built?.catch(() => { /* reported when awaited */ });
for (const suite of suites.filter((s) => s.kind === 'node')) {
  try {
    results[suite.name] = await runNodeSuite(suite);
  } catch (e) {
    results[suite.name] = { error: String(e?.message ?? e) };
  }
}
if (browserSuites.length) {
  try {
    await runBrowserSuites(browserSuites, built ?? buildBench());
  } catch (e) {
    for (const s of browserSuites) results[s.name] ??= { error: String(e?.message ?? e) };
  }
}
for (const [name, r] of Object.entries(results)) {
  if (r.error) {
    crashed = true;
    console.error(`[bench] suite ${name} failed: ${r.error}`);
  }
}

mkdirSync(RESULTS, { recursive: true });
// --results <name>: write (and merge into) bench/results/<name>.{json,md} instead, e.g. a run on a loaded machine.
const base = args.includes('--results') ? args[args.indexOf('--results') + 1] : quick ? 'quick' : 'latest';
const file = join(RESULTS, `${base}.json`);
const previous = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
const out = merge(previous);
writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
writeFileSync(join(RESULTS, `${base}.md`), markdown(out));
printTable(out);
log(`wrote ${file} and ${base}.md`);
if (results.train_models && !results.train_models.error) {
  // The README's plot (a quick run draws quick.png, git-ignored like quick.json).
  const png = join(RESULTS, quick ? 'quick.png' : 'train_per_backend.png');
  try {
    await writePlot(out, png);
    log(`wrote ${png}`);
  } catch (e) {
    console.error(`[bench] plot failed: ${e?.message ?? e}`);
  }
}
process.exit(crashed ? 1 : 0);
