// `npm run bench:autonomy`: the closed-loop test. From an empty database, in headless Chromium:
// the expert auto-records M minutes on training tracks and themes (with recovery data); the
// default CNN+LSTM trains for a fixed budget (and the single-frame CNN for comparison); then the
// model drives K laps in lockstep on held-out tracks it never saw. Reports validation RMSE per
// head (CNN+LSTM, CNN, constant predictor), closed-loop autonomy %, clean laps, lap time against
// the expert's, and the wall time of each phase. Writes bench/results/autonomy.json and .md.
//
// Held-out tracks are never recorded or trained on, and never used to choose defaults: defaults
// are chosen on the validation tracks (--heldout 5,1234, the benchmark's held-out pair before
// this version); the held-out set below is scored, one lap per track and theme.
//
// Options (defaults take about 45 minutes here: recording 2 min, training 7 + 3, validation laps before
// DAgger and after each of 3 rounds 4 x 3, the rounds 7, the held-out and comparison laps 10; --seeds 3
// adds 4 x 7 min):
//   --loop                 issue 15's loop from an empty database, in one command (`npm run bench:loop`): the
//                          options LOOP_ARGS below (6 recorded minutes on 8 generated tracks, 3 epochs on one worker,
//                          one DAgger round of 3 minutes kept as it is, no CNN, no validation laps) and the speed head's
//                          loss weight 3 (loopConfig, under any --config), then the held-out laps; later options override
//                          it. loop_s = recording + training + the DAgger round
//   --minutes 5            simulated minutes recorded
//   --train-tracks oval,kidney,hairpins,twister,3,11,42,77   --themes day,dusk,overcast,night
//   --heldout 101,202,303,404,505,606,707,808  --heldout-themes day,dusk,overcast,night  --laps 1
//   --budget 420 (s of training)  --baseline-budget (the CNN's; default: the same as --budget)
//   --epochs N             train for exactly N epochs instead of a time budget (machine-independent)
//   --dagger 3             DAgger rounds after training: the model drives tracks it was not trained on,
//                          the expert labels, the model is fine-tuned on the aggregate for --dagger-epochs 1
//                          (--dagger-minutes 3; --dagger-budget S: a time budget instead, which may end
//                          before the first epoch on a slow machine and leave the round unvalidated)
//   --dagger-lr R          the rounds' fine-tuning learning rate (default: the model's config's)
//   --dagger-trainable W   what the rounds update: all (default), heads, speed-head (training.trainable)
//   --dagger-themes all|half  each round's rollouts in every theme on half as many tracks (default since 2026-12-07:
//                          as many clips, as long), or in half the themes, the other half the next round (the rounds before)
//   --dagger-clip-s S      drive only as many of the round's tracks as give each rollout clip S simulated seconds
//                          (default: all of them, however short): a rollout of a few seconds from where the expert
//                          left the car rarely goes wrong, so it teaches nothing
//   --workers one|two|auto  training workers (Settings > Training workers); default 'one' with --epochs, so the
//                          model does not depend on the machine ('auto' keeps two workers only where a speed trial
//                          says they are faster, and two sum each gradient in another order: another model), else 'auto'
//   --dagger-tracks fresh|train  where each round's rollouts drive: as many generated tracks never driven
//                          before as half the training tracks (default; seeds 5000 + 100 x round + i, apart from
//                          every validation and held-out seed), so the rollouts meet bends the model has not
//                          learned by heart; or half the training tracks, alternating (the rounds before 2026-12-06:
//                          on the validation tracks they harmed, bench/results/dagger-select.md)
//   --seeds K              K seeds each of the CNN+LSTM and of the CNN on the same budget (the two
//                          runs above are the first), mean and spread of validation RMSE (sequence vs frame); unless
//                          --no-baseline-drive, every seed's pair also drives the closed-loop comparison laps (each
//                          held-out track once, the themes in turn): autonomy and lap time per seed, mean and spread
//   --side-offset 1.8 --side-yaw 0.08   side cameras (m, rad; 0 for none)  --noise 0.1 --weave 0.15
//   --speed-noise 0.1      the expert's speed noise (a fraction of its target speed; the app's auto-record default)
//   --speed-noise-slower   the speed noise only ever slows the expert (states slow for the road, labelled with its speed-up)
//   --pace P               the recording expert's pace (its labels' too; default the app's auto-record pace)
//   --labels clean|applied  steer/torque labels of the noisy expert's steps: what it means to do there (default), or what it applied
//   --start standing|rolling|spread  auto-record's clips (DAgger's too) start at rest on the start line (default), once rolling at 10 m/s,
//                          or spread around the lap (a track's first clip standing; src/app/autoRecord.ts spreadStartS)
//   --config '{"...": ...}'  overrides of the default model config
//   --export FILE          also save the CNN+LSTM as a model zip (the starter model script uses this)
//   --model FILE           skip recording and training: drive with this model zip
//   --continue             with --model: record the expert's clips as usual, then run the --dagger rounds
//                          from that model instead of training a new one (the player's "Improve" on a saved model)
//   --throttle speed|torque|both  which head drives the throttle (DAgger's rollouts too); --governor on|off
//   --speed-control proportional:A,B | dynamics:T,TB[,SOFT]  the speed controller (default: the app's): torque per m/s
//                          accelerating, braking; or the car's force to reach the predicted speed in T s (TB s braking,
//                          the first SOFT m/s of a slow-down at T s: SpeedControl.softBrakeMps)
//   --name NAME            results file name under bench/results (default autonomy)
//   --viewport 320x180     the page's size (the main view; the dash camera has its own size)
//   --no-baseline          skip the CNN; --no-baseline-drive: train it but do not drive it
//   --quick                a smoke run of a few seconds of each phase
//   --drive-rounds         also drive the held-out set before DAgger and after each round but the last
//                          (the main table is the last): held-out autonomy per round
//   --select-best          with --drive-rounds: drive after the last round too, keep (and --export) the round
//                          with the fewest interventions and unfinished laps on that set, then the faster lap: selection on the
//                          validation tracks the starter build drives, never on the benchmark's held-out ones
//   --validation 5,1234,9,2048  (default) drive these tracks (the held-out themes) before DAgger and after each
//                          round, and keep the round that drives them best (as --select-best; --last-round
//                          keeps the last); the held-out set is then driven once, by the chosen model, at the end
//                          (one command: choose on validation tracks, score on others). 'none': no validation laps;
//                          --drive-rounds then drives the held-out set after each round
//   --trace                keep each lap's control-tick trace (tick, s, speed, predicted speed and steering, torque) in the JSON
//   --overlap              record and train the CNN+LSTM at once (src/app/overlapTraining.ts): training starts once the
//                          first held-out clip (every 6th) is recorded, later clips join at each epoch; with --epochs N it
//                          stops after N epochs over every clip, else at --budget s of training (after one such epoch).
//                          record_plus_train_s is then the wall time from the start of recording to the end of training;
//                          the CNN+LSTM's validation RMSE is measured after, on every held-out clip (the sequential run's set)
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../e2e/chromium.mjs';
import { autonomyReport, mean, weightedAutonomy } from './lib/autonomyReport.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Mean, sample standard deviation and the values. */
const stats = (xs) => {
  const m = xs.reduce((x, y) => x + y, 0) / xs.length;
  return { mean: m, sd: Math.sqrt(xs.reduce((x, y) => x + (y - m) ** 2, 0) / Math.max(1, xs.length - 1)), values: xs };
};
// The 5-minute loop's recipe (issue 15), chosen on the validation tracks over seeds 1-3
// (bench/results/loop5.md, "One DAgger round in the loop").
const LOOP_ARGS = ['--minutes', '6', '--epochs', '3', '--workers', 'one', '--dagger', '1', '--dagger-minutes', '3', '--last-round',
  '--no-baseline', '--train-tracks', '3,11,42,77,13,21,34,55', '--validation', 'none'];
// Its model config: the speed head's loss weight 3 (chosen for this loop, same place, "Where the
// loop's laps were lost") under any --config given with it, which the app then merges into the
// defaults (src/model/config.ts createConfig).
const loopConfig = (over) => ({ ...over, heads: { ...over.heads, speed: { lossWeight: 3, ...over.heads?.speed } } });
const argv = process.argv.slice(2);
const loop = argv.includes('--loop');
const { values: a } = parseArgs({
  args: loop ? [...LOOP_ARGS, ...argv.filter((x) => x !== '--loop')] : argv,
  options: {
    minutes: { type: 'string', default: '5' },
    'train-tracks': { type: 'string', default: 'oval,kidney,hairpins,twister,3,11,42,77' },
    themes: { type: 'string', default: 'day,dusk,overcast,night' },
    heldout: { type: 'string', default: '101,202,303,404,505,606,707,808' },
    validation: { type: 'string', default: '5,1234,9,2048' },
    'heldout-themes': { type: 'string', default: 'day,dusk,overcast,night' },
    laps: { type: 'string', default: '1' },
    epochs: { type: 'string' },
    dagger: { type: 'string', default: '3' },
    'dagger-minutes': { type: 'string', default: '3' },
    'dagger-budget': { type: 'string' },
    'dagger-epochs': { type: 'string', default: '1' },
    'dagger-lr': { type: 'string' },
    'dagger-trainable': { type: 'string' },
    'dagger-tracks': { type: 'string', default: 'fresh' },
    'dagger-themes': { type: 'string', default: 'all' },
    'dagger-clip-s': { type: 'string' },
    workers: { type: 'string' },
    seeds: { type: 'string', default: '0' },
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
    'speed-noise': { type: 'string', default: '0.1' },
    'speed-noise-slower': { type: 'boolean', default: false },
    labels: { type: 'string', default: 'clean' },
    start: { type: 'string', default: 'standing' },
    pace: { type: 'string' },
    governor: { type: 'string', default: 'off' },
    'speed-control': { type: 'string' },
    port: { type: 'string', default: '4186' },
    viewport: { type: 'string', default: '320x180' },
    quick: { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    'drive-rounds': { type: 'boolean', default: false },
    'select-best': { type: 'boolean', default: false },
    'last-round': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'no-baseline': { type: 'boolean', default: false },
    'no-baseline-drive': { type: 'boolean', default: false },
    continue: { type: 'boolean', default: false },
    overlap: { type: 'boolean', default: false },
  },
});
const quick = a.quick;
/** --speed-control as the app's SpeedControl (src/app/autopilot.ts), or null for the app's default. */
const speedControl = (() => {
  if (!a['speed-control']) return null;
  const [kind, args = ''] = a['speed-control'].split(':');
  const [x, y, z] = args.split(',').map(Number);
  if (!(x > 0 && y > 0)) throw new Error(`--speed-control ${a['speed-control']}: two positive numbers after the colon`);
  if (kind === 'proportional') return { kind, accelerate: x, brake: y };
  if (kind === 'dynamics' && z === undefined) return { kind, horizonS: x, brakeHorizonS: y };
  if (kind === 'dynamics' && z >= 0) return { kind, horizonS: x, brakeHorizonS: y, softBrakeMps: z };
  throw new Error(`--speed-control ${a['speed-control']}: proportional:A,B or dynamics:T,TB[,SOFT]`);
})();
const opts = {
  minutes: quick ? 0.2 : Number(a.minutes),
  trainTracks: quick ? ['oval', 'twister'] : a['train-tracks'].split(','),
  themes: quick ? ['day'] : a.themes.split(','),
  heldout: quick ? ['kidney'] : a.heldout.split(','),
  heldoutThemes: quick ? ['day'] : a['heldout-themes'].split(','),
  validation: a.validation && a.validation !== 'none' ? (quick ? ['oval'] : a.validation.split(',')) : null,
  laps: quick ? 1 : Number(a.laps),
  epochs: a.epochs === undefined ? null : Number(a.epochs),
  dagger: quick ? 1 : Number(a.dagger),
  daggerMinutes: quick ? 0.1 : Number(a['dagger-minutes']),
  daggerBudget: quick ? 5 : a['dagger-budget'] === undefined ? null : Number(a['dagger-budget']),
  daggerEpochs: Number(a['dagger-epochs']),
  daggerLearningRate: a['dagger-lr'] === undefined ? null : Number(a['dagger-lr']),
  daggerTrainable: a['dagger-trainable'] ?? 'all',
  daggerTracks: a['dagger-tracks'],
  daggerThemes: a['dagger-themes'],
  daggerClipS: a['dagger-clip-s'] === undefined ? null : Number(a['dagger-clip-s']),
  workers: a.workers ?? (a.epochs === undefined ? 'auto' : 'one'),
  seeds: Number(a.seeds),
  budget: quick ? 10 : Number(a.budget),
  baselineBudget: quick ? 5 : Number(a['baseline-budget'] ?? a.budget),
  config: loop ? loopConfig(JSON.parse(a.config)) : JSON.parse(a.config),
  throttle: a.throttle,
  governor: a.governor === 'on',
  speedControl: a['speed-control'] ?? 'default',
  sideOffset: Number(a['side-offset']),
  sideYaw: Number(a['side-yaw']),
  steerNoise: Number(a.noise),
  weaveRate: Number(a.weave),
  speedNoise: Number(a['speed-noise']),
  speedNoiseSlowerOnly: a['speed-noise-slower'],
  labels: a.labels,
  pace: a.pace === undefined ? 'default' : Number(a.pace),
  start: a.start,
};
// DAgger rounds are judged on the validation tracks by default (they drive after each round, the
// best round is kept, and only it drives the held-out laps): a round that harms is never the result.
// --last-round keeps the last round instead; --validation none judges nothing (--drive-rounds then
// drives the held-out set after each round, as before).
const roundsJudged = opts.validation !== null && opts.dagger > 0 && (!a.model || a.continue);
const driveRounds = a['drive-rounds'] || roundsJudged;
const selectBest = a['select-best'] || (roundsJudged && !a['last-round']);
if (!['one', 'two', 'auto'].includes(opts.workers)) {
  console.error(`--workers must be one, two or auto, got ${opts.workers}`);
  process.exit(2);
}
if (opts.daggerClipS !== null && !(opts.daggerClipS > 0)) {
  console.error(`--dagger-clip-s must be a positive number of seconds, got ${a['dagger-clip-s']}`);
  process.exit(2);
}
if (!['half', 'all'].includes(opts.daggerThemes)) {
  console.error(`--dagger-themes must be half or all, got ${opts.daggerThemes}`);
  process.exit(2);
}
if (!['train', 'fresh'].includes(opts.daggerTracks)) {
  console.error(`--dagger-tracks must be train or fresh, got ${opts.daggerTracks}`);
  process.exit(2);
}
const log = (...m) => console.log(`[${new Date().toISOString().slice(11, 19)}]`, ...m);

const resultsName = quick ? `${a.name}-quick` : a.name;
// The JSON is written after every phase too, so a run cut short keeps what it measured.
const saveJson = () => {
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, `bench/results/${resultsName}.json`), `${JSON.stringify(results, null, 2)}\n`);
};

const outDir = 'dist-bench';
if (!a['no-build']) {
  log('building');
  const b = spawnSync('npx', ['vite', 'build', '--mode', 'bench', '--outDir', outDir], { cwd: root, stdio: 'inherit' });
  if (b.status !== 0) process.exit(1);
}
const server = spawn('npx', ['vite', 'preview', '--mode', 'bench', '--outDir', outDir, '--host', '127.0.0.1', '--port', a.port, '--strictPort'], { cwd: root, stdio: 'ignore', detached: true });
// npx starts vite as a child: kill the whole group, also when the run fails, or a leftover preview
// keeps the port (bench/run.mjs does the same).
const stopServer = () => { try { process.kill(-server.pid); } catch { /* already gone */ } };
process.on('exit', stopServer);
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
  // The main view only: the dash camera renders at its own size whatever the window's. With
  // software GL (SwiftShader here) a 960x540 main view kept Chromium's GPU process at ~40% of a
  // core all run long, starving the training worker; 320x180 leaves the CPU to the work measured.
  const [vw, vh] = a.viewport.split('x').map(Number);
  const page = await browser.newPage({ viewport: { width: vw, height: vh } });
  page.on('pageerror', (e) => log('page error:', e.message));
  page.on('console', (m) => { if (m.type() === 'error') log('console:', m.text()); });
  await page.goto(`${url}?track=${opts.trainTracks[0]}`);
  await page.waitForFunction(() => window.__deepsteer !== undefined, null, { timeout: 60_000 });
  page.setDefaultTimeout(0);
  const hook = (name, ...args) => page.evaluate(([n, x]) => window.__deepsteer[n](...x), [name, args]);
  results.machine = await page.evaluate(() => ({ userAgent: navigator.userAgent, cores: navigator.hardwareConcurrency }));

  const expertTicks = new Map();
  const drive = async (id, trackId, theme) => {
    if (!expertTicks.has(trackId)) {
      // The expert's laps on the same track, for the lap-time ratio.
      const expert = JSON.parse(spawnSync('npx', ['tsx', 'src/cli/sim.ts', '--track', trackId, '--laps', String(opts.laps), '--json'], { cwd: root, encoding: 'utf8' }).stdout);
      expertTicks.set(trackId, expert.laps.reduce((x, l) => x + l.ticks, 0) / Math.max(1, expert.laps.length));
    }
    const d = await hook('driveModel', { modelId: id, trackId, theme, laps: opts.laps, maxSeconds: quick ? 30 : 600, throttle: a.throttle, governor: a.governor === 'on', trace: a.trace,
      ...(speedControl ? { speedControl } : {}) });
    const modelMean = d.laps.reduce((x, l) => x + l.ticks, 0) / Math.max(1, d.laps.length);
    return {
      trackId,
      theme,
      lapsCompleted: d.laps.length,
      cleanLaps: d.laps.filter((l) => l.offRoadTicks === 0).length,
      interventions: d.interventions,
      // A lap the car did not finish in maxSeconds: it stopped or crawled with nobody intervening
      // (a stalled car is never off the road), which the app's autonomy counts as 100% over the
      // whole time. A driver would have taken over: the lap counts 0% here (the app's figure is
      // kept as modelAutonomyPct).
      autonomyPct: d.laps.length < opts.laps ? 0 : d.autonomyPct,
      modelAutonomyPct: d.autonomyPct,
      unfinished: d.laps.length < opts.laps,
      lapTimeOverExpert: d.laps.length ? modelMean / expertTicks.get(trackId) : null,
      engagedS: d.engagedS,
      wallS: d.wallMs / 1000,
      latencyMs: d.latencyMs,
      events: d.events,
      ...(d.trace ? { trace: d.trace } : {}),
    };
  };
  // The set driven after each round (rows per track and theme), for the rounds table: the
  // validation tracks with --validation, else the held-out set.
  const roundSet = opts.validation ?? opts.heldout;
  const roundSetName = opts.validation ? 'validation' : 'held-out';
  const byRound = opts.validation ? 'validationByRound' : 'heldoutByRound';
  const driveRoundSet = async (id, label) => {
    const rows = [];
    for (const trackId of roundSet) {
      for (const theme of opts.heldoutThemes) {
        log(`${label}: driving ${opts.laps} lap(s) on ${roundSetName} track ${trackId}, ${theme}`);
        const row = await drive(id, trackId, theme);
        log(JSON.stringify({ ...row, events: row.events.length, trace: undefined }));
        rows.push(row);
      }
    }
    return rows;
  };
  const roundFigures = (round, rows) => ({
    round,
    autonomy_pct: weightedAutonomy(rows),
    interventions: rows.reduce((x, r) => x + r.interventions, 0),
    unfinished: rows.filter((r) => r.unfinished).length,
    clean_laps: rows.reduce((x, r) => x + r.cleanLaps, 0),
    laps: rows.reduce((x, r) => x + r.lapsCompleted, 0),
    lap_time_over_expert: mean(rows.map((r) => r.lapTimeOverExpert).filter((x) => x !== null)),
  });

  let modelId;
  let cnnModelId = null;
  let lstm = null;
  let imported = null;
  if (a.model) {
    imported = await hook('importModel', readFileSync(a.model).toString('base64'));
    modelId = imported.id;
    log(`${a.continue ? 'continuing from' : 'driving with'} ${a.model} (${imported.name})`);
  }
  if (a.continue && !a.model) throw new Error('--continue needs --model');
  if (!a.model || a.continue) {
  const recPlan = {
    minutes: opts.minutes,
    trackIds: opts.trainTracks,
    themes: opts.themes,
    steerNoise: opts.steerNoise,
    weaveRate: opts.weaveRate,
    speedNoise: opts.speedNoise,
    speedNoiseSlowerOnly: opts.speedNoiseSlowerOnly,
    labels: opts.labels,
    start: opts.start,
    ...(a.pace === undefined ? {} : { pace: Number(a.pace) }),
    sideCameras: Number(a['side-offset']) > 0 ? { lateralM: Number(a['side-offset']), yawRad: Number(a['side-yaw']) } : undefined,
    seed: 7,
  };
  const overlapped = a.overlap && !imported;
  let ov = null;
  // Every training run of this benchmark (DAgger's fine-tunes too) on --workers.
  await hook('updateSetting', 'trainingWorkers', opts.workers);
  if (overlapped) {
    log(`recording ${opts.minutes} min over ${opts.trainTracks.length} tracks x ${opts.themes.length} themes while training the CNN+LSTM (--overlap, ${opts.epochs ? `${opts.epochs} epochs over every clip` : `${opts.budget} s`})`);
    ov = await hook('recordAndTrain', recPlan, {
      name: 'CNN+LSTM (closed loop, overlapped)', config: opts.config, runId: 'bench-lstm',
      stop: opts.epochs ? { kind: 'epochs', epochs: opts.epochs } : { kind: 'budget', seconds: opts.budget },
    });
  } else log(`recording ${opts.minutes} min over ${opts.trainTracks.length} tracks x ${opts.themes.length} themes`);
  const rec = ov ? { clips: ov.clips, ms: ov.recordMs } : await hook('autoRecord', recPlan);
  const clips = rec.clips;
  results.phases.recordS = rec.ms / 1000;
  results.figures.recorded_frames = clips.reduce((n, c) => n + c.frameCount, 0);
  log(`recorded ${clips.length} clips, ${results.figures.recorded_frames} steps in ${results.phases.recordS.toFixed(1)} s`);
  // Whole clips held out for validation: every 6th (at least one); --overlap held out the same ones as they were recorded.
  const val = ov ? clips.map((c) => c.id).filter((id) => ov.heldOut.includes(id) || ov.valClipIds.includes(id)) : clips.filter((_, i) => i % 6 === 5).map((c) => c.id);
  const train = clips.map((c) => c.id).filter((id) => !val.includes(id));
  if (train.length === 0) train.push(val.pop());
  const valIds = val.length ? val : [train.pop()];
  if (train.length === 0) throw new Error('record over at least two tracks or themes: validation holds out whole clips');

  const withSeed = (config, seed) => (seed === undefined ? config : { ...config, seed });
  // A time budget, or a fixed number of epochs (same model on any machine).
  const trainReq = (name, config, runId, budget) => ({
    name, trainClipIds: train, valClipIds: valIds, runId,
    config: opts.epochs ? { ...config, training: { ...(config.training ?? {}), epochs: opts.epochs } } : config,
    ...(opts.epochs ? {} : { budgetSeconds: budget }),
  });
  const lengthOf = (budget) => (opts.epochs ? `${opts.epochs} epochs` : `${budget} s`);
  const summary = (r) => ({
    status: r.status, epochs: r.epochsDone, backend: r.backend, valRmse: r.rmse, baselineRmse: r.baselineRmse, speedometerRmse: r.speedometerRmse ?? null,
    examplesPerSecond: r.examplesPerSecond, wallS: r.ms / 1000, workers: r.workers ?? null,
    // Where the wall time went: to the first step, then each epoch (its examples at the step rate above, batch reads, validation).
    firstStepS: r.firstStepMs == null ? null : r.firstStepMs / 1000, epochTimes: r.epochs ?? null,
  });

  if (imported) {
    // --continue: the DAgger rounds below start from the imported model's weights.
    lstm = { modelId: imported.id };
  } else if (ov) {
    if (!ov.outcome?.modelId) throw new Error('the overlapped run saved no model');
    lstm = { ...ov.outcome, ms: ov.trainEndMs - ov.trainStartMs, examplesPerSecond: ov.examplesPerSecond };
    results.phases.trainS = lstm.ms / 1000;
    results.phases.trainStartS = ov.trainStartMs / 1000;
    results.figures.record_plus_train_s = ov.trainEndMs / 1000;
    results.figures.overlap = { startedWhileRecording: ov.startedWhileRecording, firstTrainClips: ov.trainClipIds.length, firstValClips: ov.valClipIds.length, runValRmse: ov.outcome.rmse, messages: ov.messages };
    // The run validated on the held-out clips recorded before it began; measure on all of them, as the sequential run does.
    const ev = await hook('evaluateModel', lstm.modelId, valIds, train[0]);
    results.figures.cnn_lstm = { ...summary(lstm), valRmse: ev.rmse, baselineRmse: ev.baselineRmse, speedometerRmse: null };
    log('CNN+LSTM (overlapped)', JSON.stringify(results.figures.cnn_lstm), JSON.stringify(results.figures.overlap));
    saveJson();
  } else {
  log(`training the CNN+LSTM for ${lengthOf(opts.budget)}`);
  // Again: the first could precede the settings' load from storage at page start, which overwrites it.
  await hook('updateSetting', 'trainingWorkers', opts.workers);
  lstm = await hook('train', trainReq('CNN+LSTM (closed loop)', opts.config, 'bench-lstm', opts.budget));
  results.phases.trainS = lstm.ms / 1000;
  results.figures.cnn_lstm = summary(lstm);
  log('CNN+LSTM', JSON.stringify(results.figures.cnn_lstm));
  saveJson();
  }

  if (!a['no-baseline'] && !imported) {
    log(`training the single-frame CNN for ${lengthOf(opts.baselineBudget)}`);
    const cnn = await hook('train', trainReq('CNN (baseline)', { ...opts.config, sequence: { kind: 'cnn' } }, 'bench-cnn', opts.baselineBudget));
    results.figures.cnn = summary(cnn);
    cnnModelId = cnn.modelId;
    log('CNN', JSON.stringify(results.figures.cnn));
    saveJson();
  }

  // Sequence vs frame: K seeds of each on the same budget; mean and spread of validation RMSE.
  // The two runs above (the config's own seed) are the first, when both ran on the same budget.
  if (opts.seeds > 0 && !imported) {
    const mainCounts = results.figures.cnn && opts.baselineBudget === opts.budget;
    const runs = { cnn_lstm: mainCounts ? [{ ...results.figures.cnn_lstm, modelId: lstm.modelId }] : [], cnn: mainCounts ? [{ ...results.figures.cnn, modelId: cnnModelId }] : [] };
    for (let k = mainCounts ? 1 : 0; k < opts.seeds; k++) {
      for (const kind of ['cnn_lstm', 'cnn']) {
        const config = withSeed(kind === 'cnn' ? { ...opts.config, sequence: { kind: 'cnn' } } : opts.config, 100 + k);
        log(`seed ${100 + k}: ${kind} for ${lengthOf(opts.budget)}`);
        const r = await hook('train', trainReq(`${kind} seed ${100 + k}`, config, `bench-seed-${kind}-${k}`, opts.budget));
        runs[kind].push({ ...summary(r), modelId: r.modelId, seed: 100 + k });
      }
    }
    results.figures.seeds = Object.fromEntries(Object.entries(runs).map(([kind, rs]) => [kind, {
      runs: rs,
      steering: stats(rs.map((r) => r.valRmse?.steering ?? NaN)),
      speed: stats(rs.map((r) => r.valRmse?.speed ?? NaN)),
      torque: stats(rs.map((r) => r.valRmse?.torque ?? NaN)),
    }]));
    log('seeds', JSON.stringify(results.figures.seeds));
    saveJson();
  }

  // DAgger: the model drives half the training tracks and themes (alternating per round), the
  // expert labels, the model is fine-tuned on the aggregate from its own weights.
  modelId = lstm.modelId;
  let trainSet = train;
  results.dagger = [];
  // --select-best: the best round so far (its model and its laps on the set driven after each round).
  let best = null;
  const consider = (round, rows) => {
    const f = roundFigures(round, rows);
    // Fewer failures (interventions, and laps not finished), then the faster lap. Not autonomy %
    // first: it is 1 - interventions x 6 s / time driven, so of two rounds with one intervention
    // each the slower scores higher (a default run kept a round at 99.5% and 1.309x over one at
    // 99.4% and 1.113x, one intervention each).
    const failures = (g) => g.interventions + g.unfinished;
    const better = () => {
      if (failures(f) !== failures(best.f)) return failures(f) < failures(best.f);
      return (f.lap_time_over_expert ?? Infinity) < (best.f.lap_time_over_expert ?? Infinity);
    };
    if (!best || better()) best = { f, rows, modelId };
    return f;
  };
  if (driveRounds) {
    results[byRound] = [consider(0, await driveRoundSet(modelId, 'before DAgger'))];
    log(JSON.stringify(results[byRound][0]));
    saveJson();
  }
  for (let round = 1; round <= opts.dagger && modelId; round++) {
    const halfThemes = opts.daggerThemes === 'half' && opts.themes.length >= 2;
    const themes = halfThemes ? opts.themes.filter((_, i) => i % 2 === round % 2) : opts.themes;
    // --dagger-themes all: every theme each round, on half as many tracks (the same clips, as long).
    const trainHalf = opts.trainTracks.filter((_, i) => opts.trainTracks.length < 2 || i % 2 === round % 2);
    const half = halfThemes || opts.themes.length < 2 ? trainHalf : trainHalf.slice(0, Math.max(1, Math.ceil(trainHalf.length / 2)));
    const count = opts.daggerClipS ? Math.max(1, Math.min(half.length, Math.round((opts.daggerMinutes * 60) / (opts.daggerClipS * themes.length)))) : half.length;
    const trackIds = (opts.daggerTracks === 'fresh' ? half.map((_, i) => String(5000 + 100 * round + i)) : half).slice(0, count);
    log(`DAgger round ${round}: ${trackIds.join(',')} x ${themes.join(',')}, ${opts.daggerMinutes} min, fine-tune ${opts.daggerBudget === null ? `${opts.daggerEpochs} epoch(s)` : `${opts.daggerBudget} s`}`);
    const r = await hook('improve', {
      modelId, round, trackIds, themes, minutes: opts.daggerMinutes, trainClipIds: trainSet, valClipIds: valIds,
      start: opts.start, throttle: a.throttle,
      ...(a['dagger-lr'] === undefined ? {} : { learningRate: Number(a['dagger-lr']) }),
      ...(opts.daggerTrainable === 'all' ? {} : { trainable: opts.daggerTrainable }),
      ...(a.pace === undefined ? {} : { pace: Number(a.pace) }),
      ...(opts.daggerBudget === null ? { epochs: opts.daggerEpochs } : { budgetSeconds: opts.daggerBudget }),
    });
    const row = { round, trackIds, themes, rolloutAutonomyPct: r.rollout.autonomyPct, rolloutInterventions: r.rollout.interventions, rolloutS: r.rollout.seconds,
      newClips: r.clipIds.length, valRmse: r.outcome.rmse, epochs: r.outcome.epochsDone, wallS: r.ms / 1000, modelId: r.outcome.modelId };
    results.dagger.push(row);
    log(JSON.stringify(row));
    saveJson();
    if (r.outcome.modelId) modelId = r.outcome.modelId;
    trainSet = r.trainClipIds;
    if (driveRounds && (round < opts.dagger || selectBest)) {
      results[byRound].push(consider(round, await driveRoundSet(modelId, `after DAgger round ${round}`)));
      log(JSON.stringify(results[byRound].at(-1)));
      saveJson();
    }
  }
  results.phases.daggerS = results.dagger.reduce((x, d) => x + d.wallS, 0);
  if (selectBest && best) {
    modelId = best.modelId;
    results.selectedRound = best.f.round;
    // Chosen on the held-out set itself (the starter build's validation runs): its laps are the result.
    if (!opts.validation) results.laps.push(...best.rows);
    log(`selected the model of round ${best.f.round} (${best.f.autonomy_pct.toFixed(1)}%, ${best.f.interventions} interventions)`);
  }
  if (a.export && modelId) {
    const b64 = await hook('exportModel', modelId);
    mkdirSync(dirname(a.export), { recursive: true });
    writeFileSync(a.export, Buffer.from(b64, 'base64'));
    log(`exported the model to ${a.export}`);
  }
  }

  const tDrive = Date.now();
  for (const trackId of results.selectedRound === undefined || opts.validation ? opts.heldout : []) {
    for (const theme of opts.heldoutThemes) {
      log(`driving ${opts.laps} lap(s) on held-out track ${trackId}, ${theme}`);
      const row = await drive(modelId, trackId, theme);
      results.laps.push(row);
      log(JSON.stringify({ ...row, events: row.events.length, trace: undefined }));
      saveJson();
    }
  }
  if (results.heldoutByRound && results.selectedRound === undefined) results.heldoutByRound.push(roundFigures(results.dagger?.length ?? 0, results.laps));
  // Sequence vs frame in closed loop: the single-frame CNN and the CNN+LSTM as trained above (on
  // the same budget, before DAgger) drive each held-out track once, the themes taken in turn.
  if (cnnModelId && !a['no-baseline-drive']) {
    results.sequenceVsFrameLaps = { cnn_lstm: [], cnn: [] };
    for (const [i, trackId] of opts.heldout.entries()) {
      const theme = opts.heldoutThemes[i % opts.heldoutThemes.length];
      for (const [kind, id] of [['cnn_lstm', lstm.modelId], ['cnn', cnnModelId]]) {
        log(`driving the ${kind} (before DAgger) on held-out track ${trackId}, ${theme}`);
        const row = await drive(id, trackId, theme);
        results.sequenceVsFrameLaps[kind].push(row);
        log(JSON.stringify({ ...row, events: row.events.length, trace: undefined }));
        saveJson();
      }
    }
    // With --seeds: every other seed's pair drives the same laps; autonomy and lap time per seed, mean and spread.
    const seedRuns = results.figures.seeds;
    if (seedRuns) {
      results.sequenceVsFrameSeedLaps = { cnn_lstm: [], cnn: [] };
      for (const kind of ['cnn_lstm', 'cnn']) {
        for (const run of seedRuns[kind].runs) {
          const first = run.modelId === (kind === 'cnn' ? cnnModelId : lstm.modelId);
          const rows = first ? results.sequenceVsFrameLaps[kind] : [];
          for (const [i, trackId] of first ? [] : opts.heldout.entries()) {
            const theme = opts.heldoutThemes[i % opts.heldoutThemes.length];
            log(`driving the ${kind} of seed ${run.seed} (before DAgger) on held-out track ${trackId}, ${theme}`);
            const row = await drive(run.modelId, trackId, theme);
            rows.push(row);
            log(JSON.stringify({ ...row, events: row.events.length, trace: undefined }));
          }
          results.sequenceVsFrameSeedLaps[kind].push({ seed: run.seed ?? 'config', rows });
          saveJson();
        }
      }
    }
  }
  results.phases.driveS = (Date.now() - tDrive) / 1000;
  const all = results.laps;
  results.figures.autonomy_pct = weightedAutonomy(all);
  results.figures.clean_laps = all.reduce((x, r) => x + r.cleanLaps, 0);
  results.figures.laps = all.reduce((x, r) => x + r.lapsCompleted, 0);
  results.figures.lap_time_over_expert = mean(all.map((r) => r.lapTimeOverExpert).filter((x) => x !== null));
  if (results.phases.recordS !== undefined && results.phases.trainS !== undefined) {
    results.figures.record_plus_train_s ??= results.phases.recordS + results.phases.trainS;
    // From an empty database to the model that drives: the DAgger rounds record and train too.
    results.figures.loop_s = results.figures.record_plus_train_s + (results.phases.daggerS ?? 0);
  }
  if (results.sequenceVsFrameLaps) {
    const sum = (rows) => ({
      autonomy_pct: weightedAutonomy(rows),
      clean_laps: rows.reduce((x, r) => x + r.cleanLaps, 0),
      laps: rows.reduce((x, r) => x + r.lapsCompleted, 0),
      lap_time_over_expert: mean(rows.map((r) => r.lapTimeOverExpert).filter((x) => x !== null)),
    });
    results.figures.closed_loop_before_dagger = Object.fromEntries(Object.entries(results.sequenceVsFrameLaps).map(([k, rows]) => [k, sum(rows)]));
    if (results.sequenceVsFrameSeedLaps) {
      results.figures.closed_loop_seeds = Object.fromEntries(Object.entries(results.sequenceVsFrameSeedLaps).map(([k, bySeed]) => {
        const per = bySeed.map(({ seed, rows }) => ({ seed, ...sum(rows), interventions: rows.reduce((x, r) => x + r.interventions, 0) }));
        return [k, { per_seed: per, autonomy_pct: stats(per.map((p) => p.autonomy_pct)), lap_time_over_expert: stats(per.map((p) => p.lap_time_over_expert ?? NaN)), clean_laps: per.reduce((x, p) => x + p.clean_laps, 0), laps: per.reduce((x, p) => x + p.laps, 0) }];
      }));
    }
  }
} finally {
  await browser.close();
  stopServer();
}

saveJson();
const md = autonomyReport(results, opts, a);
writeFileSync(join(root, `bench/results/${resultsName}.md`), md);
console.log(`\n${md}`);
