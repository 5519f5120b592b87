// The steering model's config: its zod schema (JSON-serialisable, versioned), the defaults and
// the validation that names the wrong field and says why; the sizes a config implies are in
// configSizes.ts. Pure: no tfjs here, so the UI can validate and describe a config without
// loading the model code.

import { z } from 'zod';
import { convPlan } from './configSizes.ts';
import { ModelError } from './modelErrors.ts';

/** Version of the config layout; bumped when a field changes meaning. */
export const CONFIG_VERSION = 1;

/**
 * The model's input size (pixels; dash frames are resized to it). THE one place the default
 * lives: it is chosen from the training-speed benchmarks (bench/, suite 'train'): 33x100 is the
 * 200x66 dash camera halved by area (same shape, no distortion) and trains ~5x faster on wasm
 * than 66x200 (456 vs 86 CNN examples/s, docs/training-on-wasm.md) with all five conv layers.
 */
export const DEFAULT_INPUT_SIZE: { readonly height: number; readonly width: number } = { height: 33, width: 100 };

export const HEAD_NAMES = ['steering', 'speed', 'torque'] as const;

/**
 * Default horizon of the speed label, s. The autopilot's speed controller turns the gap between
 * the predicted and the present speed into torque at a gain of 0.25 per m/s (0.6 braking), which maps one
 * second's speed change of the demonstrator (up to ~3.4 m/s accelerating, ~4.4 braking) onto
 * nearly the full throttle and brake range. See docs/formats.md ("Labels").
 */
export const SPEED_AHEAD_S = 1;
export type HeadName = (typeof HEAD_NAMES)[number];
/** One number per head. */
export type HeadValues = { readonly [K in HeadName]: number };

export const ACTIVATIONS = ['relu', 'elu', 'tanh', 'sigmoid', 'linear'] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export const INITIALIZERS = ['glorotUniform', 'glorotNormal', 'heNormal', 'heUniform', 'leCunNormal', 'leCunUniform'] as const;
export type Initializer = (typeof INITIALIZERS)[number];
export const RECURRENT_INITIALIZERS = [...INITIALIZERS, 'orthogonal'] as const;
export type RecurrentInitializer = (typeof RECURRENT_INITIALIZERS)[number];
export const MODEL_KINDS = ['cnn', 'cnn_lstm'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export const CELL_KINDS = ['lstm', 'gru', 'rnn'] as const;
export type CellKind = (typeof CELL_KINDS)[number];
export type Padding = 'valid' | 'same';
export type ResizeMethod = 'area' | 'bilinear';

// Field builders whose messages complete the sentence "<field> ...".
const num = (lo: number, hi: number, what = `${lo}..${hi}`) => z.number().min(lo, { error: `must be ${what}` }).max(hi, { error: `must be ${what}` });
const int = (lo: number, hi: number) => z.int({ error: `must be an integer ${lo}..${hi}` }).min(lo, { error: `must be ${lo}..${hi}` }).max(hi, { error: `must be ${lo}..${hi}` });
const oneOf = <const T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.map((v) => `'${v}'`).join(', ')}` });
const kindUnion = <T extends readonly [z.ZodObject<{ kind: z.ZodLiteral<string> }>, ...z.ZodObject<{ kind: z.ZodLiteral<string> }>[]]>(options: T) =>
  z.discriminatedUnion('kind', options as unknown as [T[0], ...T[number][]], {
    error: `must be an object whose kind is one of ${options.map((o) => `'${String(o.shape.kind.value)}'`).join(', ')}`,
  });

const convLayerSchema = z.strictObject({
  filters: int(1, 512),
  kernel: int(1, 11),
  stride: int(1, 4),
  padding: oneOf(['valid', 'same']),
  activation: oneOf(ACTIVATIONS),
});

const headSchema = z.strictObject({ lossWeight: num(0, 100) });

export const modelConfigSchema = z.strictObject({
  version: z.literal(CONFIG_VERSION, { error: `must be ${CONFIG_VERSION}` }),
  /** Seeds weight initialisation, augmentation and data shuffling. */
  seed: int(0, 2 ** 31 - 1),
  input: z.strictObject({
    height: int(8, 512),
    width: int(8, 1024),
    /** How frames of another size are resized: 'area' averages (best for shrinking), 'bilinear' interpolates. */
    resize: oneOf(['area', 'bilinear']),
    /**
     * Feed the measured speed (the speedometer, normalised like the speed head) beside each
     * frame's embedding. A still frame cannot show how fast the car goes, and the speed the
     * driver is about to hold depends on it (absent in models made before it existed: false).
     */
    speed: z.boolean({ error: 'must be true or false' }).optional(),
    /**
     * Standardise each frame's channels to zero mean and unit spread before the encoder, so the
     * theme's light (dusk's dim orange, night's black) does not shift every pixel; only the
     * frame's own contrasts reach the net (absent in models made before it existed: false).
     */
    standardize: z.boolean({ error: 'must be true or false' }).optional(),
  }),
  encoder: z.strictObject({
    layers: z.array(convLayerSchema).min(1, { error: 'must hold 1..12 conv layers' }).max(12, { error: 'must hold 1..12 conv layers' }),
    /** Scales every conv's filters and every hidden dense width (rounded, at least 1). */
    widthMultiplier: num(0.125, 4),
    /** Dense widths between the flattened conv output and the embedding. */
    hidden: z.array(int(1, 4096)).max(4, { error: 'must hold at most 4 widths' }),
    /** Width of the per-frame embedding that the recurrent part (or the heads) reads. */
    embedding: int(1, 1024),
    /** Activation of the hidden and embedding dense layers. */
    activation: oneOf(ACTIVATIONS),
    /** Dropout rate on the embedding while training (0 = off). */
    dropout: num(0, 0.9),
  }),
  sequence: z.strictObject({
    /** 'cnn': one frame in, the baseline; 'cnn_lstm': the last `window` frames through a recurrent cell. */
    kind: oneOf(MODEL_KINDS),
    cell: oneOf(CELL_KINDS),
    units: int(1, 1024),
    /** T: frames per window (cnn_lstm). */
    window: int(2, 32),
    /**
     * N: consecutive frames encoded together in training (cnn_lstm); each run gives N-T+1
     * overlapping windows, so a frame is encoded about N/(N-T+1) times instead of T times.
     */
    runLength: int(2, 256),
    /** (cnn_lstm) Also train on the windows ending at a clip's first T-1 frames, front-filled with its first frame as the predictor fills its window after a start or reset. */
    padStart: z.boolean({ error: 'must be true or false' }).optional(),
  }),
  heads: z.strictObject({
    /** Width of a hidden dense layer in each head; 0 = a linear head on the features. */
    hidden: int(0, 1024),
    activation: oneOf(ACTIVATIONS),
    steering: headSchema,
    speed: headSchema,
    torque: headSchema,
    /**
     * The speed head predicts the speed this many seconds ahead: the speed the driver is about
     * to hold (absent in models made before it existed: 0, the present speed).
     */
    speedAheadS: num(0, 5).optional(),
    /**
     * 'target': where the expert drove or labelled a step, the speed label is the speed the expert
     * would reach 1 s after that state driving on from it (the clips' speedTarget column), else
     * the speed `speedAheadS` later ('ahead'). It stays the teacher's where the recorded driving
     * is not (a bend reached too fast by a learner or by the expert's speed noise), so a model
     * learns to brake from such states (docs/formats.md, "Labels"). Absent in models made before
     * it existed: 'ahead'.
     */
    speedLabel: oneOf(['ahead', 'target'] as const).optional(),
    /**
     * For a model that reads the speed (input.speed): the speed head predicts the CHANGE from the
     * measured speed of the window's last frame, which the net adds back (in the head's normalised
     * units), so the output is still the speed ahead. Without it a net fits "the speed ahead is
     * about the present speed" and learns little of when to brake (docs/formats.md, "Labels").
     * Absent in models made before it existed: false.
     */
    speedResidual: z.boolean({ error: 'must be true or false' }).optional(),
    /**
     * For a cnn_lstm that reads the speed (input.speed): the torque head also reads the last K
     * frame-to-frame changes of the measured speed in the window (x SPEED_CHANGE_SCALE, in the
     * speed's normalised units), i.e. what the throttle and brake just did to the car. The
     * expert's torque is its controller's answer to (target speed - speed), which changes
     * smoothly, so the recent acceleration tells most of it (bench/node/speedFit.ts: 0.27x the
     * constant predictor from the last two changes, 0.98x from the present speed alone); in the
     * cell's input the same changes are a few hundredths of the speed column, too small to learn
     * from. Only the torque head reads them: fed to the speed head, which drives the throttle, a
     * model could learn "keep accelerating while accelerating" (causal confusion). At most
     * window - 1 are read; a cnn or a model that does not read the speed reads none. Absent in
     * models made before it existed: 0.
     */
    torqueSpeedChanges: int(0, 31).optional(),
    /**
     * What the speed head reads: 'cell' (absent) the cell's output like the other heads; 'frame'
     * (cnn_lstm only, not with speedResidual) the window's last frame's embedding alone, no
     * speedometer: an absolute speed from the view. Off by default (docs/formats.md, "Models").
     */
    speedFrom: oneOf(['cell', 'frame'] as const).optional(),
  }),
  init: z.strictObject({
    /** Conv and hidden dense kernels (biases start at zero; the cell input and head outputs use glorotUniform). */
    kernel: oneOf(INITIALIZERS),
    /** The recurrent cell's hidden-to-hidden kernel. */
    recurrent: oneOf(RECURRENT_INITIALIZERS),
  }),
  training: z.strictObject({
    optimizer: kindUnion([
      z.strictObject({ kind: z.literal('adam'), beta1: num(0, 0.9999, '0..0.9999'), beta2: num(0, 0.99999, '0..0.99999'), epsilon: num(1e-12, 1, '1e-12..1') }),
      z.strictObject({ kind: z.literal('sgd'), momentum: num(0, 0.999), nesterov: z.boolean({ error: 'must be true or false' }) }),
      z.strictObject({ kind: z.literal('rmsprop'), decay: num(0, 0.9999), momentum: num(0, 0.999), epsilon: num(1e-12, 1, '1e-12..1') }),
    ]),
    learningRate: num(1e-7, 10, '1e-7..10'),
    schedule: kindUnion([
      z.strictObject({ kind: z.literal('constant') }),
      /** Multiply by gamma every `everyEpochs` epochs. */
      z.strictObject({ kind: z.literal('step'), everyEpochs: int(1, 1000), gamma: num(0.001, 1, '0.001..1') }),
      /** Half a cosine from learningRate down to minLearningRate over all steps. */
      z.strictObject({ kind: z.literal('cosine'), minLearningRate: num(0, 10) }),
      /** Multiply by decayPerEpoch each epoch, smoothly per step. */
      z.strictObject({ kind: z.literal('exponential'), decayPerEpoch: num(0.001, 1, '0.001..1') }),
    ]),
    /** Steps of linear warm-up from 0 to the scheduled rate (0 = none). */
    warmupSteps: int(0, 100_000),
    gradientClip: kindUnion([
      z.strictObject({ kind: z.literal('none') }),
      /** Scale all gradients together so their global L2 norm is at most maxNorm. */
      z.strictObject({ kind: z.literal('global-norm'), maxNorm: num(1e-6, 1e6, '1e-6..1e6') }),
      /** Clamp every gradient element to -maxValue..maxValue. */
      z.strictObject({ kind: z.literal('value'), maxValue: num(1e-6, 1e6, '1e-6..1e6') }),
    ]),
    /** Examples (windows) per step; cnn_lstm rounds up to whole runs. */
    batchSize: int(1, 1024),
    epochs: int(1, 1000),
    earlyStopping: z.strictObject({
      /** Epochs without a validation-loss improvement before stopping; 0 = never stop early. */
      patience: int(0, 1000),
      /** Smallest drop of the validation loss that counts as an improvement. */
      minDelta: num(0, 1e6),
      /** At the end, put back the weights of the best epoch. */
      restoreBest: z.boolean({ error: 'must be true or false' }),
    }),
    /** Which weights a run updates ('all' when absent); the others stay as loaded (docs/formats.md). */
    trainable: oneOf(['all', 'heads', 'speed-head'] as const).optional(),
  }),
  augmentation: z.strictObject({
    /** Largest brightness offset, as a fraction of the pixel range (0 = off). */
    brightness: num(0, 1),
    /** Largest contrast change: factor in 1-c..1+c (0 = off). */
    contrast: num(0, 1),
    /** Chance that a frame group gets a shadow: one side of a random line darkened. */
    shadowProbability: num(0, 1),
    /** Largest darkening of a shadow (0.5 = down to half the brightness). */
    shadowDarkness: num(0, 1),
    /** Chance of mirroring left-right; the steering target's sign flips with it. */
    flipProbability: num(0, 1),
    /** Largest shift, model-input pixels, each way. */
    shiftX: num(0, 64),
    shiftY: num(0, 64),
    /**
     * Steering added per pixel the content moves right (0 = shifts keep the label). Content
     * moving right looks like the car pointing left of the road, so a recovery label is < 0.
     */
    shiftSteerPerPixel: num(-1, 1),
  }),
  balance: kindUnion([
    z.strictObject({ kind: z.literal('none') }),
    /** Loss weight of each example: inverse of its steering bin's share, mean 1, capped. */
    z.strictObject({ kind: z.literal('steer-bins'), bins: int(2, 101), maxWeight: num(1, 100) }),
    /** Loss weight `factor` for examples on curves (|curvature ahead| >= minAbsCurvature, 1/m). */
    z.strictObject({ kind: z.literal('curves'), minAbsCurvature: num(0, 10), factor: num(1, 100) }),
  ]),
  /**
   * Loss weight `factor` (times the balance weight) for examples whose speed label differs from
   * the window's last measured speed by at least `minChange` m/s: a bend reached too fast, a
   * launch. They are the states where the speed head must not follow the speedometer, and a
   * minority of the data (docs/formats.md, "Labels"). `slowerOnly`: only where the label is
   * below the measured speed (the braking the head misses), not launches and exits. Needs a
   * model that reads the speed. Absent in models made before it existed: off.
   */
  speedBalance: z.strictObject({ minChange: num(0, 50), factor: num(1, 100), slowerOnly: z.boolean({ error: 'must be true or false' }).optional() }).optional(),
});

export type ModelConfig = z.infer<typeof modelConfigSchema>;
export type Trainable = NonNullable<ModelConfig['training']['trainable']>;
export type ConvLayerConfig = ModelConfig['encoder']['layers'][number];
export type OptimizerConfig = ModelConfig['training']['optimizer'];
export type ScheduleConfig = ModelConfig['training']['schedule'];
export type GradientClipConfig = ModelConfig['training']['gradientClip'];
export type AugmentationConfig = ModelConfig['augmentation'];
export type BalanceConfig = ModelConfig['balance'];

const PILOTNET_CONVS = [[24, 5, 2], [36, 5, 2], [48, 5, 2], [64, 3, 1], [64, 3, 1]] as const;

/**
 * PilotNet's conv stack (24@5x5/2, 36@5x5/2, 48@5x5/2, 64@3x3, 64@3x3) for an input size:
 * each layer 'valid' where its kernel fits the map left by the layers before (as in the paper
 * at 66x200), 'same' where it does not, so smaller inputs keep all five layers.
 */
export function defaultEncoderLayers(input: { readonly height: number; readonly width: number }): ConvLayerConfig[] {
  let [h, w] = [input.height, input.width];
  return PILOTNET_CONVS.map(([filters, kernel, stride]) => {
    const padding: Padding = h >= kernel && w >= kernel ? 'valid' : 'same';
    [h, w] = padding === 'valid' ? [Math.floor((h - kernel) / stride) + 1, Math.floor((w - kernel) / stride) + 1] : [Math.ceil(h / stride), Math.ceil(w / stride)];
    return { filters, kernel, stride, padding, activation: 'relu' };
  });
}

/**
 * PilotNet-like (Bojarski et al. 2016) encoder at half width, an LSTM over 6 frames, three
 * linear heads. Chosen by the closed-loop benchmark (bench/autonomy.mjs): at half width and
 * T = 6 it trains ~2x faster than full width and T = 8 and drove held-out tracks better in the
 * same budget. Horizontal shifts are off (shifting the view without changing the label teaches
 * the model to ignore where it is on the road); steering-bin balancing counters the mostly
 * straight driving of the data.
 */
export const DEFAULT_CONFIG: ModelConfig = deepFreeze({
  version: CONFIG_VERSION,
  seed: 1,
  // Standardised frames: chosen on the validation tracks 5, 1234, 9, 2048 x 4 themes at 7 epochs (bench/results/lap-time-probes.md):
  // validation RMSE steering 0.048 against 0.060, speed 1.25 against 1.59 m/s; closed loop 98.8% against 95.9% (dusk 97.6% against 89.6%).
  input: { ...DEFAULT_INPUT_SIZE, resize: 'area', speed: true, standardize: true },
  encoder: {
    layers: defaultEncoderLayers(DEFAULT_INPUT_SIZE),
    widthMultiplier: 0.5,
    hidden: [100],
    embedding: 50,
    activation: 'relu',
    dropout: 0,
  },
  sequence: { kind: 'cnn_lstm', cell: 'lstm', units: 64, window: 6, runLength: 16 },
  // Speed weight 1.5: the full benchmark's choice on its validation laps (bench/results/full-speed-weight.md); the 3-epoch loop takes 3 (bench/autonomy.mjs loopConfig).
  heads: { hidden: 0, activation: 'relu', steering: { lossWeight: 1 }, speed: { lossWeight: 1.5 }, torque: { lossWeight: 0.5 }, speedAheadS: SPEED_AHEAD_S, speedResidual: true, speedLabel: 'target', torqueSpeedChanges: 4 },
  init: { kernel: 'heNormal', recurrent: 'orthogonal' },
  training: {
    optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    learningRate: 1e-3,
    schedule: { kind: 'constant' },
    warmupSteps: 0,
    gradientClip: { kind: 'global-norm', maxNorm: 5 },
    batchSize: 32,
    epochs: 20,
    earlyStopping: { patience: 3, minDelta: 0, restoreBest: true },
  },
  augmentation: {
    brightness: 0.2,
    contrast: 0.2,
    shadowProbability: 0.3,
    shadowDarkness: 0.5,
    flipProbability: 0.5,
    shiftX: 0,
    shiftY: 2,
    shiftSteerPerPixel: 0,
  },
  balance: { kind: 'steer-bins', bins: 11, maxWeight: 4 },
});

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
/** A partial config: objects merge into the defaults, arrays and kind-unions replace them whole. */
export type ConfigOverrides = DeepPartial<ModelConfig>;

/**
 * The defaults with `overrides` merged in, validated (throws ModelError 'invalid-config').
 * An override of the input size without conv layers gets the default stack for that size.
 */
export function createConfig(overrides: ConfigOverrides = {}): ModelConfig {
  const merged = mergeConfig(DEFAULT_CONFIG, overrides);
  if (overrides.input && !overrides.encoder?.layers) merged.encoder.layers = defaultEncoderLayers(merged.input);
  return parseModelConfig(merged);
}

/** Fields holding a kind-union: an override of another kind replaces them whole (their fields differ). */
const UNION_FIELDS = new Set(['training.optimizer', 'training.schedule', 'training.gradientClip', 'balance']);

/** `over` merged into `base`: objects field by field, arrays replaced. Returns a new object. */
export function mergeConfig<T extends ConfigOverrides>(base: T, over: ConfigOverrides): T {
  return mergeAt(base, over, '') as T;
}

function mergeAt(base: unknown, over: unknown, path: string): unknown {
  if (over === undefined) return structuredClone(base);
  const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isPlain(base) || !isPlain(over)) return structuredClone(over);
  if (UNION_FIELDS.has(path) && 'kind' in over && base.kind !== over.kind) return structuredClone(over);
  const out: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(base), ...Object.keys(over)])) {
    out[key] = mergeAt(base[key], over[key], path ? `${path}.${key}` : key);
  }
  return out;
}

/** "encoder.layers[2].kernel" from a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? String(p) : `.${String(p)}`;
  return s || 'the config';
}

/**
 * Validates a config from anywhere (UI, JSON file, stored model). Throws ModelError with one
 * sentence per problem, each naming the field: "encoder.layers[2].kernel must be 1..11".
 */
export function parseModelConfig(json: unknown): ModelConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelError('invalid-config', 'the model config must be a JSON object');
  }
  const version = (json as { version?: unknown }).version;
  if (version !== CONFIG_VERSION) {
    const newer = typeof version === 'number' && Number.isInteger(version) && version > CONFIG_VERSION;
    throw new ModelError(
      'unsupported-version',
      newer
        ? `the model config has version ${version}, written by a newer DeepSteer (this build reads version ${CONFIG_VERSION})`
        : `the model config has an unknown version ${JSON.stringify(version)} (this build reads version ${CONFIG_VERSION})`,
    );
  }
  const parsed = modelConfigSchema.safeParse(json);
  if (!parsed.success) {
    const problems: string[] = [];
    for (const issue of parsed.error.issues) {
      const at = formatPath(issue.path);
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) problems.push(`${formatPath([...issue.path, key])} is not a config field`);
      } else if (valueAt(json, issue.path) === undefined && issue.code !== 'custom') {
        problems.push(`${at} is missing`);
      } else if (issue.message.startsWith('must ')) {
        problems.push(`${at} ${issue.message}`);
      } else {
        problems.push(`${at}: ${issue.message.replace(/^Invalid input: /, '')}`);
      }
    }
    throw new ModelError('invalid-config', invalidConfigMessage(problems));
  }
  const config = parsed.data;
  const problems = crossFieldProblems(config);
  if (problems.length > 0) throw new ModelError('invalid-config', invalidConfigMessage(problems));
  return config;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) v = typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

function invalidConfigMessage(problems: readonly string[]): string {
  const shown = problems.slice(0, 6).join('; ');
  return `invalid model config: ${shown}${problems.length > 6 ? ` (and ${problems.length - 6} more)` : ''}`;
}

/** Checks that need several fields at once: the conv stack must fit the input, and so on. */
function crossFieldProblems(config: ModelConfig): string[] {
  const problems: string[] = [];
  const plan = convPlan(config);
  if (plan.tooSmallAt !== null) {
    const i = plan.tooSmallAt;
    const layer = config.encoder.layers[i];
    const before = i === 0 ? `the ${config.input.height}x${config.input.width} input` : `the ${plan.layers[i - 1].outHeight}x${plan.layers[i - 1].outWidth} map left by encoder.layers[${i - 1}]`;
    problems.push(
      `encoder.layers[${i}] shrinks the image below 1x1: its ${layer.kernel}x${layer.kernel} 'valid' kernel does not fit ${before} (use padding 'same', fewer or smaller layers, or a larger input)`,
    );
  }
  const { kind, window, runLength } = config.sequence;
  if (kind === 'cnn_lstm' && runLength < window) {
    problems.push(`sequence.runLength must be at least sequence.window (${window}), got ${runLength}`);
  }
  if (config.heads.speedFrom === 'frame' && kind !== 'cnn_lstm') problems.push("heads.speedFrom 'frame' needs sequence.kind 'cnn_lstm' (a cnn's heads read the frame already)");
  if (config.heads.speedFrom === 'frame' && config.heads.speedResidual) problems.push("heads.speedFrom 'frame' reads no speedometer: it cannot add one back (set heads.speedResidual to false)");
  if (HEAD_NAMES.every((h) => config.heads[h].lossWeight === 0)) {
    problems.push('heads: at least one of steering, speed, torque needs a lossWeight above 0');
  }
  const { schedule, learningRate } = config.training;
  if (schedule.kind === 'cosine' && schedule.minLearningRate > learningRate) {
    problems.push(`training.schedule.minLearningRate must not exceed training.learningRate (${learningRate})`);
  }
  return problems;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
