// Live driving: the streaming predictor encodes each new frame ONCE, keeps the recurrent
// input projections of the last T frames in a ring buffer, and steps the cell over them in
// plain Float32Array math (a few hundred thousand multiply-adds: well under a millisecond,
// where tfjs ops would cost tens of small kernel launches). It returns steering, speed and
// torque in real units, and its own timing. It computes what the full model computes on the
// same window (the tests hold it to 1e-5). The naive predictor re-encodes all T frames every
// tick through the full tfjs model: the benchmark's reference.
//
// Ownership: a predictor owns no tensors between calls (each frame's tensors are freed before
// predict resolves). The CNN runs on the net's own weights; the recurrent cell and heads run
// on a JS copy taken at creation and by refreshWeights(), which the caller must call after the
// weights change (more training, a load). The net stays the caller's and must outlive it.
//
// On request (captureConvMeans, captureChannels, set by the overlay code) the streaming
// predictor also keeps, for the newest frame, each conv layer's post-activation channel-mean map
// (all VisualBackProp needs) and the first few channels of each conv layer (the layer views),
// computed inside the encoding's own tf.tidy and read back with the embedding in one read, so the
// overlays run no second conv forward. What it kept stays until the next capture replaces it (a
// prediction in flight does not take it away). Off by default: plain driving pays nothing, and
// the prediction is the same bit for bit either way. windowTrace() gives the recurrent gate trace
// of the last prediction's window from the projections it already holds (JS, no tensor),
// windowProjections() hands those projections to Grad-CAM, and idle() lets overlay work that
// does need tensors wait until no prediction is running.

import { HEAD_NAMES, type HeadValues } from './config.ts';
import { type CellWeights, type DenseWeights, denseInto, readCell, readDense, runCellJs } from './cellJs.ts';
import { convPlan, featureWidth, SPEED_CHANGE_SCALE, speedFromFrame, torqueSpeedChanges, usesSpeedResidual } from './configSizes.ts';
import type { SteeringNet } from './factory.ts';
import { traceCell, type GateTrace } from './introspect.ts';
import { ModelError } from './modelErrors.ts';
import { framesToTensor, normalizeSpeeds, type FrameSize, type TargetNormalization } from './preprocess.ts';
import { tf } from './tfSetup.ts';

export interface Prediction extends HeadValues {
  /** T frames have arrived since the last reset; before that the oldest frame stands in for the missing ones. */
  readonly warm: boolean;
  /** Milliseconds spent: frame to tensor and resize, the CNN, the recurrent part and heads, all of it. */
  readonly ms: { readonly preprocess: number; readonly encode: number; readonly recurrent: number; readonly total: number };
}

/** Each conv layer's channel-mean map of one frame (VisualBackProp's input) and, if asked, its first channels. */
export interface ConvMeans {
  /** A copy of the frame (as given to predict) the maps are of. */
  readonly frame: Uint8Array;
  /** Shallowest layer first; each outHeight x outWidth, row-major, the mean over channels of the layer's output. */
  readonly means: readonly Float32Array[];
  /** Channels kept per layer (0 when captureChannels was 0): `maps[l]` holds min(channels, the layer's filters) maps. */
  readonly channels: number;
  /** Shallowest layer first; each the layer's first channels, channel-major (c x outHeight x outWidth), post-activation. */
  readonly maps: readonly Float32Array[];
}

export interface Predictor {
  /**
   * One new frame (RGB, frameWidth x frameHeight, row 0 at the top) and the car's measured speed
   * at that frame (m/s; required by a model that reads the speed, ignored by others) -> the
   * prediction for the window ending at it.
   */
  predict(frame: Uint8Array, speed?: number): Promise<Prediction>;
  /** Forget past frames (track change, teleport, new lap from the grid). */
  reset(): void;
  /** Re-read the weights after they changed (more training, loading); also resets. */
  refreshWeights(): void;
  /** Frames since the last reset. */
  readonly framesSeen: number;
  /** When true, predict() also keeps the new frame's conv channel means (convMeans()). The naive predictor ignores it. */
  captureConvMeans: boolean;
  /** Channels per conv layer predict() also keeps (convMeans().maps); 0 = none. The naive predictor ignores it. */
  captureChannels: number;
  /**
   * The conv maps of the newest frame that had them captured (kept while the next prediction
   * runs, replaced when it ends); null before, after reset / refreshWeights, and once both capture
   * settings are off.
   */
  convMeans(): ConvMeans | null;
  /** The recurrent gate trace of the last prediction's window (null for the cnn, before a frame, and for the naive predictor). */
  windowTrace(): GateTrace | null;
  /**
   * The recurrent input projections of the last prediction's window (a copy, T x gates*units,
   * oldest first; Grad-CAM holds the older ones fixed instead of encoding those frames again);
   * null for the cnn, before a frame, and for the naive predictor.
   */
  windowProjections(): Float32Array | null;
  /** A predict() is running (between its call and its answer's encoding read). */
  readonly busy: boolean;
  /** Resolves once no predict() is running (at once when none is). */
  idle(): Promise<void>;
  dispose(): void;
}

export interface PredictorOptions {
  readonly net: SteeringNet;
  readonly normalization: TargetNormalization;
  /** Size of the frames predict() gets (they are resized to the model's input). */
  readonly frame: FrameSize;
  /** Milliseconds; default performance.now. */
  readonly clock?: () => number;
  /** Initial value of Predictor.captureConvMeans (default false). */
  readonly captureConvMeans?: boolean;
}

/** The normalised speed input of one frame for a model that reads the speed; null for one that does not. */
function speedInput(net: SteeringNet, normalization: TargetNormalization, speed: number | undefined): number | null {
  if (!net.speedInput) return null;
  if (typeof speed !== 'number' || !Number.isFinite(speed)) {
    throw new ModelError('invalid-input', `this model reads the measured speed: predict needs the car's speed in m/s, got ${String(speed)}`);
  }
  return normalizeSpeeds([speed], normalization)[0];
}

function checkFrame(frame: Uint8Array, size: FrameSize): void {
  if (!(frame instanceof Uint8Array) || frame.length !== size.width * size.height * 3) {
    throw new ModelError('invalid-input', `a frame must be ${size.width}x${size.height} RGB (${size.width * size.height * 3} bytes), got ${frame?.length ?? 0} bytes`);
  }
}

/** The live-driving predictor: each frame encoded once, the recurrent part in JS over a ring buffer. */
export function createStreamingPredictor(options: PredictorOptions): Predictor {
  const { net, normalization, frame: size } = options;
  const clock = options.clock ?? (() => performance.now());
  const T = net.window;
  let cell: CellWeights | null = null;
  let heads: { hidden: DenseWeights | null; out: DenseWeights }[] = [];
  const residualSpeed = usesSpeedResidual(net.config);
  /** The newest frame's embedding, for a speed head that reads it (heads.speedFrom 'frame'); null otherwise. */
  const frameEmbedding: Float32Array | null = speedFromFrame(net.config) ? new Float32Array(net.config.encoder.embedding) : null;
  const changeCount = torqueSpeedChanges(net.config);
  /** The normalised speed input of the frames in `ring`'s slots (models that read the speed). */
  let speedRing = new Float64Array(T);
  /** The torque head's input when it reads the speed's changes: the features, then the changes (reused every tick). */
  let torqueInput = new Float64Array(0);
  /** The window's speed changes (windowSpeedChanges' result: read at once by headsOf, reused every tick). */
  const speedChanges = new Float64Array(changeCount);
  /** Ring of the last T input projections (cnn_lstm) or the last embedding (cnn). */
  let ring: Float32Array[] = [];
  let seen = 0;
  let disposed = false;
  let capture = options.captureConvMeans ?? false;
  let channels = 0;
  let captured: ConvMeans | null = null;
  const convCount = convPlan(net.config).layers.length;
  /** The normalised speed input of the newest frame (0 for a model that does not read it). */
  let lastSpeed = 0;
  /** Predictions running, and who waits for none to be. */
  let running = 0;
  let waiting: (() => void)[] = [];

  /** The embedding of one frame and, if asked, its conv channel means and first `channels` maps: one tidy, one read. */
  async function encode(x: tf.Tensor4D, withMeans: boolean, channels: number): Promise<{ emb: Float32Array; means: Float32Array[] | null; maps: Float32Array[] }> {
    if (!withMeans && channels === 0) {
      let embT: tf.Tensor2D;
      try {
        embT = tf.tidy(() => net.encoder.apply(x, { training: false }) as tf.Tensor2D);
      } finally {
        x.dispose();
      }
      try {
        return { emb: (await embT.data()) as Float32Array, means: null, maps: [] };
      } finally {
        embT.dispose();
      }
    }
    // The same layers the Sequential applies, one by one (the same kernels: the same numbers).
    let allT: tf.Tensor1D;
    let sizes: number[] = [];
    let mapSizes: number[] = [];
    try {
      allT = tf.tidy(() => {
        let y: tf.Tensor = x;
        const meanT: tf.Tensor[] = [];
        const mapT: tf.Tensor[] = [];
        net.encoder.layers.forEach((l, i) => {
          y = l.apply(y, { training: false }) as tf.Tensor;
          if (i >= convCount) return;
          meanT.push(tf.reshape(tf.mean(y, 3), [-1]));
          // Channel-major for drawing: [c, h, w] of the first `channels` channels.
          if (channels > 0) mapT.push(tf.reshape(tf.transpose(tf.slice(y, [0, 0, 0, 0], [1, -1, -1, Math.min(channels, y.shape[3]!)]), [0, 3, 1, 2]), [-1]));
        });
        sizes = meanT.map((t) => t.size);
        mapSizes = mapT.map((t) => t.size);
        return tf.concat([tf.reshape(y, [-1]), ...meanT, ...mapT]) as tf.Tensor1D;
      });
    } finally {
      x.dispose();
    }
    let all: Float32Array;
    try {
      all = (await allT.data()) as Float32Array;
    } finally {
      allT.dispose();
    }
    let o = all.length - [...sizes, ...mapSizes].reduce((a, b) => a + b, 0);
    const emb = all.subarray(0, o);
    const means = sizes.map((n) => all.slice(o, (o += n)));
    const maps = mapSizes.map((n) => all.slice(o, (o += n)));
    return { emb, means, maps };
  }

  /**
   * The changes of the normalised speed the torque head reads (heads.torqueSpeedChanges), from
   * the speeds of the window's frames as windowSlots() lays them out (a stand-in for a frame not
   * yet seen repeats the oldest, so its change is 0): the same as the tfjs model on that window.
   */
  function windowSpeedChanges(): Float64Array | null {
    if (changeCount === 0) return null;
    const out = speedChanges;
    for (let i = 0; i < changeCount; i++) {
      const t = T - changeCount + i;
      out[i] = (speedRing[slotOf(t)] - speedRing[slotOf(t - 1)]) * SPEED_CHANGE_SCALE;
    }
    return out;
  }

  /** The heads' normalised outputs (steering, speed, torque) for recurrent features / an embedding. */
  function headsOf(features: ArrayLike<number>, speedIn: number, changes: ArrayLike<number> | null): number[] {
    return HEAD_NAMES.map((name, i) => {
      const h = heads[i];
      let input: ArrayLike<number> = name === 'speed' && frameEmbedding ? frameEmbedding : features;
      if (name === 'torque' && changeCount > 0) {
        if (torqueInput.length !== features.length + changeCount) torqueInput = new Float64Array(features.length + changeCount);
        torqueInput.set(features);
        torqueInput.fill(0, features.length);
        if (changes) torqueInput.set(changes, features.length);
        input = torqueInput;
      }
      let f: ArrayLike<number> = input;
      if (h.hidden) {
        const a = new Float64Array(h.hidden.units);
        denseInto(h.hidden, input, a);
        f = a;
      }
      const y = new Float64Array(1);
      denseInto(h.out, f, y);
      return y[0] + (name === 'speed' && residualSpeed ? speedIn : 0);
    });
  }

  /** The window of the last prediction, oldest first (before T frames the oldest stands in). */
  function windowSlots(): Float32Array[] {
    return Array.from({ length: T }, (_, t) => ring[slotOf(t)]);
  }

  /** The ring slot of the window's step t (oldest first); before T frames the oldest stands in. */
  function slotOf(t: number): number {
    const oldest = seen - Math.min(seen, T);
    return Math.max(oldest, seen - T + t) % T;
  }

  function windowProjections(): Float32Array | null {
    if (!cell || seen === 0) return null;
    const GU = cell.gates * cell.units;
    const proj = new Float32Array(T * GU);
    windowSlots().forEach((x, t) => proj.set(x, t * GU));
    return proj;
  }

  function refreshWeights(): void {
    if (net.isDisposed) throw new ModelError('disposed', 'the model behind this predictor was disposed');
    cell = readCell(net);
    heads = net.heads.map((h) => ({
      hidden: h.hidden ? readDense(h.hidden, net.config.heads.activation) : null,
      out: readDense(h.out, 'linear'),
    }));
    const width = cell ? cell.gates * cell.units : featureWidth(net.config);
    ring = Array.from({ length: T }, () => new Float32Array(width));
    speedRing = new Float64Array(T);
    seen = 0;
    captured = null;
  }
  refreshWeights();

  return {
    get framesSeen() { return seen; },
    get busy() { return running > 0; },
    get captureConvMeans() { return capture; },
    set captureConvMeans(on: boolean) {
      capture = on;
      if (!capture && channels === 0) captured = null;
    },
    get captureChannels() { return channels; },
    set captureChannels(n: number) {
      channels = Math.max(0, Math.floor(n));
      if (!capture && channels === 0) captured = null;
    },
    convMeans: () => captured,
    windowProjections,
    windowTrace() {
      const proj = windowProjections();
      if (!cell || !proj) return null;
      const series = traceCell(cell.kind, cell.units, cell.recurrentKernel, proj, T);
      const outputs = Float32Array.from(headsOf(series.hidden.subarray((T - 1) * cell.units), lastSpeed, windowSpeedChanges()));
      return { kind: cell.kind, steps: T, units: cell.units, series, outputs };
    },
    idle() {
      return running === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve));
    },
    reset() {
      seen = 0;
      captured = null;
      frameEmbedding?.fill(0);
    },
    refreshWeights,
    async predict(frame, speed) {
      if (disposed) throw new ModelError('disposed', 'this predictor was disposed');
      if (net.isDisposed) throw new ModelError('disposed', 'the model behind this predictor was disposed');
      checkFrame(frame, size);
      const v = speedInput(net, normalization, speed);
      const t0 = clock();
      const x = framesToTensor(frame, 1, size, net.config.input);
      const t1 = clock();
      const withMeans = capture || channels > 0;
      const keep = channels;
      running++;
      let encoded: Awaited<ReturnType<typeof encode>>;
      try {
        encoded = await encode(x, withMeans, keep);
      } finally {
        if (--running === 0) {
          const w = waiting;
          waiting = [];
          // After this prediction's own continuation (a microtask later): its answer goes first.
          for (const resolve of w) void Promise.resolve().then(resolve);
        }
      }
      const means = encoded.means;
      let emb = encoded.emb;
      frameEmbedding?.set(emb);
      if (v !== null) {
        emb = new Float32Array(emb.length + 1);
        emb.set(encoded.emb);
        emb[emb.length - 1] = v;
      }
      if (means && (capture || channels > 0)) captured = { frame: frame.slice(), means, channels: keep, maps: encoded.maps };
      const t2 = clock();
      const slot = ring[seen % T];
      speedRing[seen % T] = v ?? 0;
      let features: ArrayLike<number>;
      if (cell) {
        // The new frame's input projection x W + b, kept for the next T-1 ticks.
        const proj = new Float64Array(slot.length);
        denseInto({ inputs: cell.inputs, units: slot.length, kernel: cell.kernel, bias: cell.bias, activation: 'linear' }, emb, proj);
        slot.set(proj);
        seen++;
        features = runCellJs(cell, windowSlots());
      } else {
        slot.set(emb);
        seen++;
        features = emb;
      }
      lastSpeed = v ?? 0;
      const out = headsOf(features, lastSpeed, windowSpeedChanges()).map((y, i) => y * normalization.std[HEAD_NAMES[i]] + normalization.mean[HEAD_NAMES[i]]);
      const t3 = clock();
      return {
        steering: out[0], speed: out[1], torque: out[2], warm: seen >= T,
        ms: { preprocess: t1 - t0, encode: t2 - t1, recurrent: t3 - t2, total: t3 - t0 },
      };
    },
    dispose() {
      disposed = true;
      ring = [];
      captured = null;
    },
  };
}

/**
 * The reference predictor: keeps the last T frames and runs the full tfjs model on all of
 * them every tick (T encodings per frame). Same outputs as the streaming one, for benchmarks.
 */
export function createNaivePredictor(options: PredictorOptions): Predictor {
  const { net, normalization, frame: size } = options;
  const clock = options.clock ?? (() => performance.now());
  const T = net.window;
  const fb = size.width * size.height * 3;
  let frames = new Uint8Array(T * fb);
  let speeds = new Float32Array(T);
  let seen = 0;
  let disposed = false;
  return {
    get framesSeen() { return seen; },
    captureConvMeans: false,
    captureChannels: 0,
    convMeans: () => null,
    windowTrace: () => null,
    windowProjections: () => null,
    busy: false,
    idle: () => Promise.resolve(),
    reset() {
      seen = 0;
    },
    refreshWeights() {},
    async predict(frame, speed) {
      if (disposed) throw new ModelError('disposed', 'this predictor was disposed');
      if (net.isDisposed) throw new ModelError('disposed', 'the model behind this predictor was disposed');
      checkFrame(frame, size);
      const sv = speedInput(net, normalization, speed);
      const t0 = clock();
      // Shift the window left by one frame (oldest first) and append; before T frames, the
      // oldest one fills the front.
      frames.copyWithin(0, fb);
      frames.set(frame, (T - 1) * fb);
      speeds.copyWithin(0, 1);
      speeds[T - 1] = sv ?? 0;
      seen++;
      const first = T - Math.min(seen, T);
      for (let t = 0; t < first; t++) {
        frames.set(frames.subarray(first * fb, (first + 1) * fb), t * fb);
        speeds[t] = speeds[first];
      }
      const x = framesToTensor(frames, T, size, net.config.input);
      const t1 = clock();
      let yT: tf.Tensor2D;
      try {
        yT = tf.tidy(() => {
          const input = net.window > 1 ? tf.expandDims(x, 0) : x;
          if (sv === null) return net.model.predict(input) as tf.Tensor2D;
          const s = net.window > 1 ? tf.tensor3d(speeds, [1, T, 1]) : tf.tensor2d(speeds, [1, 1]);
          return net.model.predict([input, s]) as tf.Tensor2D;
        });
      } finally {
        x.dispose();
      }
      let y: Float32Array;
      try {
        y = (await yT.data()) as Float32Array;
      } finally {
        yT.dispose();
      }
      const t2 = clock();
      const residual = usesSpeedResidual(net.config) ? speeds[T - 1] : 0;
      const v = HEAD_NAMES.map((name, i) => (y[i] + (name === 'speed' ? residual : 0)) * normalization.std[name] + normalization.mean[name]);
      return { steering: v[0], speed: v[1], torque: v[2], warm: seen >= T, ms: { preprocess: t1 - t0, encode: t2 - t1, recurrent: 0, total: t2 - t0 } };
    },
    dispose() {
      disposed = true;
      frames = new Uint8Array(0);
      speeds = new Float32Array(0);
    },
  };
}
