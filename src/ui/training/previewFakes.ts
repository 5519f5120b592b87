// Stand-ins for the app in the Training panel's developer preview (preview.ts), never in the
// product: a config check that names fields and sizes the network like src/model does (ui may
// not import src/model, so this is a simplified copy: good enough to look at, not a reference),
// a training run on a timer whose events look like the trainer's (loss falling, RMSE under the
// constant predictor's, a gradient norm per layer; a simple RNN's recurrent gradient vanishes,
// a high learning rate explodes), models, checkpoints and a calibration held in memory.

import type { CameraSpec } from '../../data/index.ts';
import { getAt, isObject, type Json } from './configForm.ts';
import type {
  BackendInfo, CalibrationLike, CheckpointInfoLike, ClipInfo, ConfigCheck, HeadValuesLike, LayerDescriptionLike, ModelDescriptionLike, ModelInfo,
  PanelSettings, TrainEventLike, TrainOutcomeLike, TrainRequestLike,
} from './trainingContract.ts';

const RANGES: [path: string, lo: number, hi: number, integer: boolean][] = [
  ['input.height', 8, 512, true], ['input.width', 8, 1024, true], ['encoder.widthMultiplier', 0.125, 4, false], ['encoder.embedding', 1, 1024, true],
  ['sequence.units', 1, 1024, true], ['sequence.window', 2, 32, true], ['sequence.runLength', 2, 256, true], ['training.learningRate', 1e-7, 10, false],
  ['training.batchSize', 1, 1024, true], ['training.epochs', 1, 1000, true], ['training.earlyStopping.patience', 0, 1000, true],
  ['training.optimizer.momentum', 0, 0.999, false], ['training.gradientClip.maxNorm', 1e-6, 1e6, false], ['training.gradientClip.maxValue', 1e-6, 1e6, false],
  ['training.schedule.everyEpochs', 1, 1000, true], ['training.schedule.gamma', 0.001, 1, false], ['training.schedule.decayPerEpoch', 0.001, 1, false],
  ['training.schedule.minLearningRate', 0, 10, false], ['balance.bins', 2, 101, true],
];
const OPTIONAL = new Set(['training.optimizer.momentum', 'training.gradientClip.maxNorm', 'training.gradientClip.maxValue', 'training.schedule.everyEpochs', 'training.schedule.gamma', 'training.schedule.decayPerEpoch', 'training.schedule.minLearningRate', 'balance.bins']);
const ENUMS: [string, string[]][] = [
  ['sequence.kind', ['cnn', 'cnn_lstm']], ['sequence.cell', ['lstm', 'gru', 'rnn']], ['training.optimizer.kind', ['adam', 'sgd', 'rmsprop']],
  ['training.schedule.kind', ['constant', 'step', 'cosine', 'exponential']], ['training.gradientClip.kind', ['none', 'global-norm', 'value']],
  ['balance.kind', ['none', 'steer-bins', 'curves']],
];

/** A config check in the model's words, and a description computed the way describeModel does. */
export function fakeValidate(config: unknown): ConfigCheck {
  if (!isObject(config)) return { ok: false, message: 'the model config must be a JSON object' };
  const problems: string[] = [];
  if (config.version !== 1) problems.push(`the model config has an unknown version ${JSON.stringify(config.version)} (this build reads version 1)`);
  for (const [path, lo, hi, integer] of RANGES) {
    const v = getAt(config, path);
    if (v === undefined && OPTIONAL.has(path)) continue;
    if (v === undefined) problems.push(`${path} is missing`);
    else if (typeof v !== 'number') problems.push(`${path}: expected number, received ${v === null ? 'null' : typeof v}`);
    else if (integer && !Number.isInteger(v)) problems.push(`${path} must be an integer ${lo}..${hi}`);
    else if (v < lo || v > hi) problems.push(`${path} must be ${lo}..${hi}`);
  }
  for (const [path, values] of ENUMS) {
    if (!values.includes(String(getAt(config, path)))) problems.push(`${path.replace(/\.kind$/, '')} must be one of ${values.map((v) => `'${v}'`).join(', ')}`);
  }
  if (problems.length === 0) {
    const window = getAt(config, 'sequence.window') as number;
    if (getAt(config, 'sequence.kind') === 'cnn_lstm' && (getAt(config, 'sequence.runLength') as number) < window) {
      problems.push(`sequence.runLength must be at least sequence.window (${window}), got ${String(getAt(config, 'sequence.runLength'))}`);
    }
  }
  if (problems.length > 0) return { ok: false, message: `invalid model config: ${problems.slice(0, 6).join('; ')}` };
  return describe(config);
}

function describe(config: Json): ConfigCheck {
  const layers: LayerDescriptionLike[] = [];
  let [h, w, c] = [getAt(config, 'input.height') as number, getAt(config, 'input.width') as number, 3];
  const mult = getAt(config, 'encoder.widthMultiplier') as number;
  const convs = getAt(config, 'encoder.layers');
  if (!Array.isArray(convs) || convs.length === 0) return { ok: false, message: 'invalid model config: encoder.layers must hold 1..12 conv layers' };
  for (const [i, l] of convs.entries()) {
    const { filters, kernel: k, stride: s, padding } = l as { filters: number; kernel: number; stride: number; padding: string };
    const f = Math.max(1, Math.round(filters * mult));
    const [oh, ow] = padding === 'same' ? [Math.ceil(h / s), Math.ceil(w / s)] : [Math.floor((h - k) / s) + 1, Math.floor((w - k) / s) + 1];
    if (oh < 1 || ow < 1) {
      return { ok: false, message: `invalid model config: encoder.layers[${i}] shrinks the image below 1x1: its ${k}x${k} 'valid' kernel does not fit the ${h}x${w} ${i === 0 ? 'input' : `map left by encoder.layers[${i - 1}]`} (use padding 'same', fewer or smaller layers, or a larger input)` };
    }
    layers.push({ name: `conv${i + 1}`, kind: 'conv', outputShape: [oh, ow, f], params: k * k * c * f + f, macsPerFrame: oh * ow * k * k * c * f });
    [h, w, c] = [oh, ow, f];
  }
  let width = h * w * c;
  const dense = (name: string, units: number): void => {
    layers.push({ name, kind: 'dense', outputShape: [units], params: width * units + units, macsPerFrame: width * units });
    width = units;
  };
  const hidden = getAt(config, 'encoder.hidden');
  (Array.isArray(hidden) ? hidden : []).forEach((u, i) => dense(`hidden${i + 1}`, Math.max(1, Math.round((u as number) * mult))));
  const embedding = getAt(config, 'encoder.embedding') as number;
  dense('embedding', embedding);
  // A model that reads the measured speed: one more feature beside the embedding.
  const speedIn = getAt(config, 'input.speed') === true ? 1 : 0;
  width += speedIn;
  const encParams = layers.reduce((s, l) => s + l.params, 0);
  const encMacs = layers.reduce((s, l) => s + l.macsPerFrame, 0);
  const lstm = getAt(config, 'sequence.kind') === 'cnn_lstm';
  const cell = String(getAt(config, 'sequence.cell'));
  const units = getAt(config, 'sequence.units') as number;
  const T = lstm ? (getAt(config, 'sequence.window') as number) : 1;
  const g = cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
  let recParams = 0;
  let recMacs = 0;
  if (lstm) {
    recParams = g * (width * units + units * units + units);
    recMacs = g * width * units + T * g * units * units;
    layers.push({ name: 'rnn', kind: cell, outputShape: [units], params: recParams, macsPerFrame: recMacs });
    width = units;
  }
  // The torque head of a cnn_lstm that reads the speed also reads its last changes (at most T - 1).
  const changes = lstm && speedIn ? Math.min(Number(getAt(config, 'heads.torqueSpeedChanges') ?? 0), T - 1) : 0;
  for (const head of ['steering', 'speed', 'torque']) {
    const inputs = width + (head === 'torque' ? changes : 0);
    layers.push({ name: head, kind: 'dense', outputShape: [1], params: inputs + 1, macsPerFrame: inputs });
  }
  const headParams = 3 * (width + 1) + changes;
  const headMacs = 3 * width + changes;
  const description: ModelDescriptionLike = {
    kind: lstm ? 'cnn_lstm' : 'cnn', window: T, layers,
    params: { encoder: encParams, recurrent: recParams, heads: headParams, total: encParams + recParams + headParams },
    macsPerFrame: { encoder: encMacs, recurrent: recMacs, heads: headMacs, total: encMacs + recMacs + headMacs },
    naiveMacsPerFrame: T * encMacs + (lstm ? T * g * (embedding + speedIn) * units + T * g * units * units : 0) + headMacs,
  };
  return { ok: true, description };
}

const CENTER = { id: 'center', lateralM: 0, yawRad: 0 } as unknown as CameraSpec;
const SIDES = [CENTER, { id: 'left', lateralM: 0.8, yawRad: 0.05 }, { id: 'right', lateralM: -0.8, yawRad: -0.05 }] as unknown as CameraSpec[];

export function fakeClips(opts: { oddSize: boolean }): ClipInfo[] {
  const c = (id: string, name: string, frameCount: number, tag: ClipInfo['tag'], over: Partial<ClipInfo> = {}): ClipInfo => ({
    id, name, trackId: 'oval', theme: 'day', frameCount, rateHz: 20, frameWidth: 200, frameHeight: 66, tag, complete: true, cameras: [CENTER], ...over,
  });
  const clips = [
    c('c1', 'Oval, day, expert', 1200, 'train'),
    c('c2', 'Kidney at dusk', 900, 'train', { trackId: 'kidney', theme: 'dusk' }),
    c('c3', 'Twister with side cameras', 600, 'train', { trackId: 'twister', cameras: SIDES }),
    c('c4', 'Hairpins at night', 700, 'train', { trackId: 'hairpins', theme: 'night' }),
    c('c5', 'Seed 12345 long run', 1800, null, { trackId: '12345' }),
    c('c6', 'Oval overcast (held out)', 500, 'val', { theme: 'overcast' }),
    c('c7', 'Kidney day (held out)', 450, 'val', { trackId: 'kidney' }),
    c('c8', 'My lap, with takeovers', 320, null, { trackId: 'hairpins' }),
    c('c9', 'Interrupted recording', 140, null, { complete: false }),
    c('c10', 'Two seconds', 6, null),
  ];
  if (opts.oddSize) clips.push(c('c11', 'Big frames', 400, null, { frameWidth: 320, frameHeight: 160 }));
  return clips;
}

export function memorySettings(): PanelSettings & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    async get(key, schema, fallback) {
      if (!data.has(key)) return fallback;
      const r = schema.safeParse(structuredClone(data.get(key)));
      return r.success ? r.data : fallback;
    },
    async put(key, value) {
      data.set(key, structuredClone(value));
    },
    async remove(key) {
      data.delete(key);
    },
  };
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const heads = (steering: number, speed: number, torque: number): HeadValuesLike => ({ steering, speed, torque });

/** The models, checkpoints, backend and training runs of the preview, in memory. */
export function createFakeWorker(opts: { now: () => number; stepMs: number; failAtStep: number | null; settings: PanelSettings }) {
  const { now } = opts;
  const models: ModelInfo[] = [];
  let nextId = 1;
  const addModel = (name: string, kind: string, config: unknown, rmse: number | null, baseline: number, createdAt: number, backend = 'wasm', bytes = 1_010_000): ModelInfo => {
    const m: ModelInfo = {
      id: `m${nextId++}`, name, kind, config: config as ModelInfo['config'], createdAt, backend, weightBytes: bytes,
      metrics: (rmse === null ? {} : { valRmse: heads(rmse, rmse * 14, rmse * 1.6), baselineRmseVal: heads(baseline, 3.2, 0.35), epochs: 12 }) as ModelInfo['metrics'],
    };
    models.push(m);
    return m;
  };
  const checkpoints: CheckpointInfoLike[] = [];
  let backend: BackendInfo = { backend: 'wasm', chosenBy: 'default' };
  let calibration: CalibrationLike | null = null;
  let run: { paused: boolean; cancelled: boolean; wake: (() => void) | null } | null = null;

  return {
    addModel,
    models,
    checkpoints,
    get backend() {
      return backend;
    },
    async listModels(): Promise<ModelInfo[]> {
      await wait(40);
      return models.map((m) => ({ ...m }));
    },
    async renameModel(id: string, name: string): Promise<ModelInfo> {
      await wait(60);
      const m = models.find((x) => x.id === id);
      if (!m) throw new Error(`no model ${id}`);
      Object.assign(m, { name });
      return m;
    },
    async deleteModel(id: string): Promise<void> {
      await wait(60);
      const i = models.findIndex((x) => x.id === id);
      if (i >= 0) models.splice(i, 1);
    },
    async exportModel(id: string): Promise<Uint8Array> {
      await wait(200);
      const m = models.find((x) => x.id === id);
      if (!m) throw new Error(`no model ${id}`);
      return new TextEncoder().encode(JSON.stringify({ preview: true, name: m.name, config: m.config }));
    },
    async importModel(bytes: Uint8Array): Promise<ModelInfo> {
      await wait(300);
      if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) throw new Error('this file is not a zip (no PK header)');
      return addModel(`Imported model ${nextId}`, 'cnn_lstm', {}, 0.07, 0.2, now(), 'webgl', bytes.length);
    },
    async listCheckpoints(): Promise<CheckpointInfoLike[]> {
      await wait(30);
      return [...checkpoints];
    },
    async calibrate(): Promise<CalibrationLike> {
      await wait(1500);
      calibration = {
        at: now(),
        scores: [
          { backend: 'cpu', ok: true, inferMs: 18.4, trainExamplesPerS: 31, measureMs: 2100 },
          { backend: 'wasm', ok: true, inferMs: 3.1, trainExamplesPerS: 212, measureMs: 1800 },
          { backend: 'webgl', ok: true, inferMs: 24.7, trainExamplesPerS: 58, software: true, measureMs: 5200 },
          { backend: 'webgpu', ok: false, error: 'no WebGPU adapter on this device' },
        ],
        inference: ['wasm', 'cpu', 'webgl'],
        training: ['wasm', 'webgl', 'cpu'],
      };
      backend = { backend: 'wasm', chosenBy: 'calibrated' };
      return calibration;
    },
    async lastCalibration(): Promise<CalibrationLike | null> {
      return calibration;
    },
    async forceBackend(name: string): Promise<BackendInfo> {
      await wait(150);
      backend = name === 'auto' ? { backend: calibration?.inference[0] ?? 'wasm', chosenBy: calibration ? 'calibrated' : 'default' } : { backend: name, chosenBy: 'forced' };
      return backend;
    },
    pause() {
      if (run && !run.cancelled) run.paused = true;
    },
    resume() {
      if (run?.paused) {
        run.paused = false;
        run.wake?.();
      }
    },
    cancel() {
      if (!run) return;
      run.cancelled = true;
      run.wake?.();
    },

    /** A training run on a timer; events go to `onEvent` as the app would pass them on. */
    async train(req: TrainRequestLike, onEvent: (e: TrainEventLike) => void): Promise<TrainOutcomeLike> {
      if (run) throw new Error('a training run is already going');
      if (req.trainClipIds.length === 0) throw new Error('choose at least one clip to train on');
      const ctl = (run = { paused: false, cancelled: false, wake: null as (() => void) | null });
      const c = req.config as Json;
      const epochs = Math.min(getAt(c, 'training.epochs') as number, 12);
      const batchSize = getAt(c, 'training.batchSize') as number;
      const lr = getAt(c, 'training.learningRate') as number;
      const cell = getAt(c, 'sequence.kind') === 'cnn' ? 'none' : String(getAt(c, 'sequence.cell'));
      const clip = getAt(c, 'training.gradientClip') as Json;
      const bpe = Math.max(4, Math.min(30, Math.round(2400 / batchSize)));
      const hasVal = req.valClipIds.length > 0;
      const base = { train: heads(0.21, 3.2, 0.35), val: hasVal ? heads(0.22, 3.3, 0.36) : null };
      // A model that reads the speed, with validation clips: holding the present speed's RMSE (the trainer's speedometer baseline).
      const speedometer = hasVal && getAt(c, 'input.speed') === true ? { speedometerRmse: 2.14 } : {};
      const layerNames = ['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'hidden1', 'embedding', ...(cell === 'none' ? [] : ['rnn']), 'steering', 'speed', 'torque'];
      const explode = lr > 0.02;
      let seed = 12345;
      const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
      const noise = (a: number): number => 1 + a * (rand() * 2 - 1);
      const checkpoint = checkpoints.find((k) => k.runId === req.runId);
      let startEpoch = req.resume && checkpoint ? 3 : 0;
      let step = startEpoch * bpe;
      let failed = opts.failAtStep === null;
      let current = req.resume ? 'wasm' : backend.backend ?? 'wasm';
      let best = Infinity;
      let sinceBest = 0;
      const patience = getAt(c, 'training.earlyStopping.patience') as number;
      const t0 = now();
      let status: TrainOutcomeLike['status'] = 'completed';
      let epochsDone = startEpoch;
      let last: { val: HeadValuesLike | null; train: HeadValuesLike } | null = null;
      try {
        onEvent({ kind: 'preparing', message: 'Reading clips' });
        await wait(400);
        onEvent({ kind: 'backend', backend: current, reason: req.resume ? `continuing on ${current} from the checkpoint` : `training on ${current}` });
        outer: for (let epoch = startEpoch; epoch < epochs; epoch++) {
          for (let batch = 0; batch < bpe; batch++) {
            if (ctl.paused) {
              onEvent({ kind: 'paused' });
              await new Promise<void>((r) => (ctl.wake = r));
              ctl.wake = null;
              if (!ctl.cancelled) onEvent({ kind: 'resumed' });
            }
            if (ctl.cancelled) {
              status = 'cancelled';
              break outer;
            }
            await wait(opts.stepMs);
            if (!failed && step === opts.failAtStep) {
              failed = true;
              onEvent({ kind: 'backend', backend: current, reason: `${current} failed (the GPU device was lost); trying the next backend` });
              current = 'cpu';
              onEvent({ kind: 'backend', backend: current, reason: `continuing on ${current} from the last checkpoint` });
              step = epoch * bpe;
              batch = -1;
              continue;
            }
            const progress = step / 40;
            const loss = explode && step > 25 ? 0.5 * Math.exp((step - 25) / 12) * noise(0.3) : (0.09 + 0.85 * Math.exp(-progress)) * noise(0.25);
            const norms = layerNames.map((layer, i) => {
              let n = (0.02 + 0.03 * i) * (0.4 + Math.exp(-progress / 2)) * noise(0.4);
              if (layer === 'rnn') n = cell === 'rnn' ? 3e-4 * Math.exp(-progress / 3) * noise(0.5) : 0.35 * (0.5 + Math.exp(-progress / 2)) * noise(0.3);
              if (layer === 'steering' || layer === 'speed' || layer === 'torque') n = 0.6 * (0.3 + Math.exp(-progress)) * noise(0.3);
              if (explode && step > 25) n *= Math.exp((step - 25) / 10);
              return { layer, norm: n };
            });
            const global = Math.sqrt(norms.reduce((s, g) => s + g.norm * g.norm, 0));
            const maxNorm = clip.kind === 'global-norm' ? (clip.maxNorm as number) : Infinity;
            const elapsed = Math.max(0.001, (now() - t0) / 1000);
            const examples = (step - startEpoch * bpe + 1) * batchSize;
            const rate = examples / elapsed;
            const f = Math.exp(-epoch / 3);
            onEvent({
              kind: 'step', epoch, epochs, batch, batchesPerEpoch: bpe, step, examples, examplesPerSecond: rate,
              etaSeconds: ((epochs * bpe - step - 1) * batchSize) / rate, learningRate: lr, loss,
              rmse: heads(0.21 * (0.3 + 0.7 * f) * noise(0.2), 3.2 * (0.25 + 0.75 * f) * noise(0.2), 0.35 * (0.4 + 0.6 * f) * noise(0.2)),
              baselineRmse: base.train, gradNorms: norms, globalGradNorm: global,
              appliedGradNorm: clip.kind === 'value' ? global * 0.7 : Math.min(global, maxNorm),
            });
            if (!Number.isFinite(loss) || loss > 1e3) {
              status = 'diverged';
              break outer;
            }
            step++;
          }
          const f = Math.exp(-(epoch + 1) / 3);
          const trainRmse = heads(0.21 * (0.3 + 0.7 * f), 3.2 * (0.25 + 0.75 * f), 0.35 * (0.4 + 0.6 * f));
          const valRmse = hasVal ? heads(trainRmse.steering * 1.15, trainRmse.speed * 1.1, trainRmse.torque * 1.12) : null;
          const valLoss = hasVal ? (0.11 + 0.85 * Math.exp(-step / 40)) * 1.1 : null;
          const monitored = valLoss ?? 0.09 + 0.85 * Math.exp(-step / 40);
          const improved = monitored < best;
          if (improved) {
            best = monitored;
            sinceBest = 0;
          } else sinceBest++;
          onEvent({
            kind: 'epoch', epoch, epochs, trainLoss: 0.09 + 0.85 * Math.exp(-step / 40), trainRmse, valLoss, valRmse, baselineRmse: base, ...speedometer,
            examples: bpe * batchSize, seconds: (bpe * opts.stepMs) / 1000, improved, best: { epoch, loss: best }, epochsWithoutImprovement: sinceBest,
          });
          epochsDone = epoch + 1;
          last = { val: valRmse, train: trainRmse };
          const cp = checkpoints.find((k) => k.runId === req.runId);
          if (cp) checkpoints.splice(checkpoints.indexOf(cp), 1);
          checkpoints.push({ runId: req.runId, savedAt: now() });
          if (patience > 0 && sinceBest >= patience) {
            status = 'early-stopped';
            break;
          }
        }
        startEpoch = 0;
        let modelId: string | null = null;
        if (status !== 'cancelled' || epochsDone > 0) {
          const rmse = last?.val ?? last?.train ?? null;
          const m = addModel(req.name, getAt(c, 'sequence.kind') === 'cnn' ? 'cnn' : 'cnn_lstm', req.config, rmse?.steering ?? null, 0.22, now(), current);
          Object.assign(m.metrics as object, speedometer);
          modelId = m.id;
          const cp = checkpoints.findIndex((k) => k.runId === req.runId);
          if (cp >= 0) checkpoints.splice(cp, 1);
        }
        const rmse = last?.val ?? last?.train ?? null;
        return { status, modelId, epochsDone, backend: current, rmse, baselineRmse: rmse ? (base.val ?? base.train) : null, ...(rmse ? speedometer : {}) };
      } finally {
        run = null;
      }
    },
  };
}
