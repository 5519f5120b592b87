// `npm run bench:autonomy`: the closed-loop test. From an empty database, in headless Chromium:
// the expert auto-records M minutes on training tracks and themes (with recovery data); the
// default CNN+LSTM trains for a fixed budget (and the single-frame CNN for comparison); then the
// model drives K laps in lockstep on held-out tracks it never saw. Reports validation RMSE per
// head (CNN+LSTM, CNN, constant predictor), closed-loop autonomy %, clean laps, lap time against
// the expert's, and the wall time of each phase. Writes bench/results/autonomy.json and .md.
//
// Options (defaults take about 22 minutes here: recording + training 9.3 min, the baseline 7, driving 5):
//   --minutes 5            simulated minutes recorded
//   --train-tracks oval,kidney,hairpins,twister,3,11,42,77   --themes day,dusk,overcast,night
//   --heldout 5,1234  --laps 3  --budget 420 (s of training)  --baseline-budget (the CNN's; default: the same as --budget)
//   --side-offset 1.8 --side-yaw 0.08   side cameras (m, rad; 0 for none)  --noise 0.1 --weave 0.15
//   --config '{"...": ...}'  overrides of the default model config
//   --export FILE          also save the CNN+LSTM as a model zip (the starter model script uses this)
//   --model FILE           skip recording and training: drive with this model zip
//   --throttle torque|speed  which head drives the throttle; --governor on|off
//   --name NAME            results file name under bench/results (default autonomy)
//   --quick                a smoke run of a few seconds of each phase
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: a } = parseArgs({
  options: {
    minutes: { type: 'string', default: '5' },
    'train-tracks': { type: 'string', default: 'oval,kidney,hairpins,twister,3,11,42,77' },
    themes: { type: 'string', default: 'day,dusk,overcast,night' },
    heldout: { type: 'string', default: '5,1234' },
    laps: { type: 'string', default: '3' },
    budget: { type: 'string', default: '420' },
    'baseline-budget': { type: 'string' },
    config: { type: 'string', default: '{}' },
    export: { type: 'string' },
    model: { type: 'string' },
    name: { type: 'string', default: 'autonomy' },
    throttle: { type: 'string', default: 'speed' },
    'side-offset': { type: 'string', default: '1.8' },
    'side-yaw': { type: 'string', default: '0.08' },
    noise: { type: 'string', default: '0.1' },
    weave: { type: 'string', default: '0.15' },
    governor: { type: 'string', default: 'on' },
    port: { type: 'string', default: '4186' },
    quick: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'no-baseline': { type: 'boolean', default: false },
  },
});
const quick = a.quick;
const opts = {
  minutes: quick ? 0.2 : Number(a.minutes),
  trainTracks: quick ? ['oval', 'twister'] : a['train-tracks'].split(','),
  themes: quick ? ['day'] : a.themes.split(','),
  heldout: quick ? ['kidney'] : a.heldout.split(','),
  laps: quick ? 1 : Number(a.laps),
  budget: quick ? 10 : Number(a.budget),
  baselineBudget: quick ? 5 : Number(a['baseline-budget'] ?? a.budget),
  config: JSON.parse(a.config),
  throttle: a.throttle,
  governor: a.governor,
  sideOffset: Number(a['side-offset']),
  sideYaw: Number(a['side-yaw']),
};
const log = (...m) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...m);

const outDir = 'dist-bench';
if (!a['no-build']) {
  log('building');
  const b = spawnSync('npx', ['vite', 'build', '--mode', 'bench', '--outDir', outDir], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(1);
}
const server = spawn('npx', ['vite', 'preview', '--mode', 'bench', '--outDir', outDir, '--host', '127.0.0.1', '--port', a.port, '--strictPort'], { cwd: root, stdio: 'ignore' });
const url = `http://127.0.0.1:${a.port}/`;
for (let i = 0; i < 100; i++) {
  try {
    if ((await fetch(url)).ok) break;
  } catch { /* not up yet */ }
  await new Promise((r) => setTimeout(r, 200));
}

const exe = chromiumPath();
const browser = await chromium.launch({ args: CHROMIUM_ARGS, ...(exe ? { executablePath: exe } : {}) });
const results = { machine: {}, options: opts, phases: {}, figures: {}, laps: [] };
try {
  const page = await browser.newPage({ viewport: { width: 960, height: 540 } });
  page.on('pageerror', (e) => log('page error:', e.message));
  page.on('console', (m) => { if (m.type() === 'error') log('console:', m.text()); });
  await page.goto(`${url}?track=${opts.trainTracks[0]}`);
  await page.waitForFunction(() => window.__deepsteer !== undefined, null, { timeout: 60_000 });
  page.setDefaultTimeout(0);
  const hook = (name, ...args) => page.evaluate(([n, x]) => window.__deepsteer[n](...x), [name, args]);
  results.machine = await page.evaluate(() => ({ userAgent: navigator.userAgent, cores: navigator.hardwareConcurrency }));

  let modelId;
  let lstm = null;
  if (a.model) {
    const meta = await hook('importModel', readFileSync(a.model).toString('base64'));
    modelId = meta.id;
    log(`driving with ${a.model} (${meta.name})`);
  } else {
  log(`recording ${opts.minutes} min over ${opts.trainTracks.length} tracks x ${opts.themes.length} themes`);
  const rec = await hook('autoRecord', {
    minutes: opts.minutes,
    trackIds: opts.trainTracks,
    themes: opts.themes,
    steerNoise: Number(a.noise),
    weaveRate: Number(a.weave),
    sideCameras: Number(a['side-offset']) > 0 ? { lateralM: Number(a['side-offset']), yawRad: Number(a['side-yaw']) } : undefined,
    seed: 7,
  });
  const clips = rec.clips;
  results.phases.recordS = rec.ms / 1000;
  results.figures.recorded_frames = clips.reduce((n, c) => n + c.frameCount, 0);
  log(`recorded ${clips.length} clips, ${results.figures.recorded_frames} steps in ${results.phases.recordS.toFixed(1)} s`);
  // Whole clips held out for validation: every 6th (at least one).
  const val = clips.filter((_, i) => i % 6 === 5).map((c) => c.id);
  const train = clips.map((c) => c.id).filter((id) => !val.includes(id));
  if (train.length === 0) train.push(val.pop());
  const valIds = val.length ? val : [train.pop()];
  if (train.length === 0) throw new Error('record over at least two tracks or themes: validation holds out whole clips');

  log(`training the CNN+LSTM for ${opts.budget} s`);
  lstm = await hook('train', { name: 'CNN+LSTM (closed loop)', trainClipIds: train, valClipIds: valIds, config: opts.config, budgetSeconds: opts.budget, runId: 'bench-lstm' });
  results.phases.trainS = lstm.ms / 1000;
  results.figures.cnn_lstm = { status: lstm.status, epochs: lstm.epochsDone, backend: lstm.backend, valRmse: lstm.rmse, baselineRmse: lstm.baselineRmse, examplesPerSecond: lstm.examplesPerSecond };
  log('CNN+LSTM', JSON.stringify(results.figures.cnn_lstm));
  if (a.export && lstm.modelId) {
    const b64 = await hook('exportModel', lstm.modelId);
    mkdirSync(dirname(a.export), { recursive: true });
    writeFileSync(a.export, Buffer.from(b64, 'base64'));
    log(`exported the model to ${a.export}`);
  }

  if (!a['no-baseline']) {
    log(`training the single-frame CNN for ${opts.baselineBudget} s`);
    const cnn = await hook('train', { name: 'CNN (baseline)', trainClipIds: train, valClipIds: valIds, config: { ...opts.config, sequence: { kind: 'cnn' } }, budgetSeconds: opts.baselineBudget, runId: 'bench-cnn' });
    results.figures.cnn = { status: cnn.status, epochs: cnn.epochsDone, valRmse: cnn.rmse, baselineRmse: cnn.baselineRmse, examplesPerSecond: cnn.examplesPerSecond };
    log('CNN', JSON.stringify(results.figures.cnn));
  }
  modelId = lstm.modelId;
  }

  const tDrive = Date.now();
  for (const trackId of opts.heldout) {
    log(`driving ${opts.laps} laps on held-out track ${trackId}`);
    const d = await hook('driveModel', { modelId, trackId, theme: 'day', laps: opts.laps, maxSeconds: quick ? 30 : 900, throttle: a.throttle, governor: a.governor === 'on' });
    // The expert's laps on the same track, for the lap-time ratio.
    const expert = JSON.parse(spawnSync('npx', ['tsx', 'src/cli/sim.ts', '--track', trackId, '--laps', String(opts.laps), '--json'], { cwd: root, encoding: 'utf8' }).stdout);
    const modelMean = d.laps.reduce((s, l) => s + l.ticks, 0) / Math.max(1, d.laps.length);
    const expertMean = expert.laps.reduce((s, l) => s + l.ticks, 0) / Math.max(1, expert.laps.length);
    const row = {
      trackId,
      lapsCompleted: d.laps.length,
      cleanLaps: d.laps.filter((l) => l.offRoadTicks === 0).length,
      interventions: d.interventions,
      autonomyPct: d.autonomyPct,
      lapTimeOverExpert: d.laps.length ? modelMean / expertMean : null,
      engagedS: d.engagedS,
      wallS: d.wallMs / 1000,
      latencyMs: d.latencyMs,
      events: d.events,
    };
    results.laps.push(row);
    log(JSON.stringify(row));
  }
  results.phases.driveS = (Date.now() - tDrive) / 1000;
  const all = results.laps;
  results.figures.autonomy_pct = all.reduce((s, r) => s + r.autonomyPct * r.engagedS, 0) / Math.max(1e-9, all.reduce((s, r) => s + r.engagedS, 0));
  if (results.phases.recordS !== undefined) results.figures.record_plus_train_s = results.phases.recordS + results.phases.trainS;
} finally {
  await browser.close();
  server.kill();
}

mkdirSync(join(root, 'bench/results'), { recursive: true });
const name = quick ? `${a.name}-quick` : a.name;
writeFileSync(join(root, `bench/results/${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
const f = results.figures;
const rm = (r) => (r ? `${r.steering.toFixed(3)} / ${r.speed.toFixed(2)} / ${r.torque.toFixed(3)}` : '–');
const md = [
  '# Closed-loop autonomy benchmark',
  '',
  `Options: ${JSON.stringify(opts)}`,
  '',
  results.phases.recordS === undefined
    ? `Drove the model ${a.model} (no recording or training in this run); driving ${results.phases.driveS?.toFixed(0)} s.`
    : `Recording ${results.phases.recordS.toFixed(0)} s + training ${results.phases.trainS.toFixed(0)} s = ${f.record_plus_train_s.toFixed(0)} s; driving ${results.phases.driveS?.toFixed(0)} s.`,
  '',
  '| model | validation RMSE steering / speed (m/s) / torque | epochs | examples/s |',
  '| --- | --- | ---: | ---: |',
  `| CNN+LSTM | ${rm(f.cnn_lstm?.valRmse)} | ${f.cnn_lstm?.epochs ?? '–'} | ${f.cnn_lstm?.examplesPerSecond?.toFixed(0) ?? '–'} |`,
  `| single-frame CNN | ${rm(f.cnn?.valRmse)} | ${f.cnn?.epochs ?? '–'} | ${f.cnn?.examplesPerSecond?.toFixed(0) ?? '–'} |`,
  `| constant predictor | ${rm(f.cnn_lstm?.baselineRmse)} | | |`,
  '',
  '| held-out track | laps | clean | interventions | autonomy % | lap time / expert |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...results.laps.map((r) => `| ${r.trackId} | ${r.lapsCompleted} | ${r.cleanLaps} | ${r.interventions} | ${r.autonomyPct.toFixed(1)} | ${r.lapTimeOverExpert?.toFixed(3) ?? '–'} |`),
  '',
  `Closed-loop autonomy: **${f.autonomy_pct?.toFixed(1)}%**.`,
  '',
].join('\n');
writeFileSync(join(root, `bench/results/${name}.md`), md);
console.log(`\n${md}`);
