// The optimisers (Adam, SGD with momentum, RMSProp) and the learning-rate schedule. Written
// with tf ops rather than tf.train.* so the learning rate can change every step without
// reaching into tfjs internals, and the state (moments, velocities) has stable names that a
// checkpoint can store and a reloaded tab can restore.
//
// Ownership: an optimiser owns its slot variables (one or two per weight) and frees them in
// dispose(); it never owns the weights or the gradients it is given.

import type { GradientClipConfig, ModelConfig, OptimizerConfig } from './config.ts';
import { ModelError } from './modelErrors.ts';
import { tf } from './tfSetup.ts';
import { heapUpdater, squaresOnHeap, updateOnHeap, type HeapUpdate } from './wasmKernels/heapUpdate.ts';
import { assignFromBlob, packTensors, type WeightBlob } from './weightBlob.ts';

/** A weight the optimiser updates, under its stable name ("conv1/kernel"). */
export interface NamedVariable {
  readonly name: string;
  readonly variable: tf.Variable;
}

/** Optimiser state as plain data: the step count and every slot. */
export interface OptimizerState {
  readonly kind: OptimizerConfig['kind'];
  readonly step: number;
  readonly slots: WeightBlob;
}

export interface SteeringOptimizer {
  readonly kind: OptimizerConfig['kind'];
  /** Updates applied so far. */
  readonly step: number;
  /**
   * One update at this learning rate; grads in the order of the weights, each multiplied by
   * `scale` first (float32, as tf.mul would: the global-norm clip's factor). NOTE mutates the weights.
   */
  apply(grads: readonly tf.Tensor[], learningRate: number, scale?: number): void;
  /**
   * Whether apply() updates in plain JS on the current backend (Adam and SGD on cpu and wasm,
   * whose tensors live in CPU memory): then a clip factor is best passed as `scale`.
   */
  readonly updatesInJs: boolean;
  /** Whether those updates run in our module on the wasm heap (else a JS loop over copies). */
  readonly updatesOnHeap: boolean;
  state(): Promise<OptimizerState>;
  restore(state: OptimizerState): void;
  dispose(): void;
}

export interface OptimizerOptions {
  /** Adam's and SGD's update in plain JS on cpu and wasm (default true); false keeps the tf ops everywhere (the tests' reference). */
  readonly jsUpdate?: boolean;
}

export function createOptimizer(config: OptimizerConfig, weights: readonly NamedVariable[], options: OptimizerOptions = {}): SteeringOptimizer {
  const slotNames = config.kind === 'adam' ? ['m', 'v'] : config.kind === 'sgd' ? ['velocity'] : ['ms', 'mom'];
  const slots: NamedVariable[][] = weights.map((w) =>
    // In a tidy so the zeros are freed; the variable keeps its own reference to the data.
    slotNames.map((s) => ({ name: `${w.name}/${s}`, variable: tf.tidy(() => tf.variable(tf.zerosLike(w.variable), false)) })),
  );
  let step = 0;
  /** Adam's moments (SGD's velocities) as plain arrays while the JS update runs (then they, not the slot variables, are current). */
  let jsSlots: Float32Array[][] | null = null;
  const inJs = (): boolean => config.kind !== 'rmsprop' && options.jsUpdate !== false && JS_UPDATE_BACKENDS.has(tf.getBackend());

  /** Writes the JS moments back into the slot variables and drops them (before a tf update, a save or a restore). */
  function flushJsSlots(): void {
    if (!jsSlots) return;
    const arrays = jsSlots;
    jsSlots = null;
    tf.tidy(() => slots.forEach((s, i) => s.forEach((slot, j) => slot.variable.assign(tf.tensor(arrays[i][j], slot.variable.shape)))));
  }

  function update(w: tf.Variable, g: tf.Tensor, s: readonly NamedVariable[], lr: number): void {
    switch (config.kind) {
      case 'adam': {
        const { beta1, beta2, epsilon } = config;
        const t = step + 1;
        const m = tf.add(tf.mul(s[0].variable, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(s[1].variable, beta2), tf.mul(tf.square(g), 1 - beta2));
        const lrT = adamRate(config, lr, t);
        s[0].variable.assign(m);
        s[1].variable.assign(v);
        w.assign(tf.sub(w, tf.mul(tf.div(m, tf.add(tf.sqrt(v), epsilon)), lrT)));
        return;
      }
      case 'sgd': {
        const vel = tf.add(tf.mul(s[0].variable, config.momentum), g);
        s[0].variable.assign(vel);
        const dir = config.nesterov ? tf.add(g, tf.mul(vel, config.momentum)) : vel;
        w.assign(tf.sub(w, tf.mul(dir, lr)));
        return;
      }
      case 'rmsprop': {
        const { decay, momentum, epsilon } = config;
        const ms = tf.add(tf.mul(s[0].variable, decay), tf.mul(tf.square(g), 1 - decay));
        const mom = tf.add(tf.mul(s[1].variable, momentum), tf.div(tf.mul(g, lr), tf.sqrt(tf.add(ms, epsilon))));
        s[0].variable.assign(ms);
        s[1].variable.assign(mom);
        w.assign(tf.sub(w, mom));
        return;
      }
    }
  }

  let disposed = false;
  return {
    kind: config.kind,
    get step() { return step; },
    get updatesInJs() {
      return inJs();
    },
    get updatesOnHeap() {
      return inJs() && heapUpdater() !== null;
    },
    apply(grads, learningRate, scale = 1) {
      if (disposed) throw new ModelError('disposed', 'this optimiser was disposed');
      if (grads.length !== weights.length) throw new ModelError('invalid-input', `${grads.length} gradients for ${weights.length} weights`);
      if (!(Number.isFinite(learningRate) && learningRate >= 0)) throw new ModelError('invalid-input', `learning rate must be >= 0, got ${learningRate}`);
      if (!Number.isFinite(scale)) throw new ModelError('invalid-input', `gradient scale must be finite, got ${scale}`);
      const js = inJs();
      const heap = js ? heapUpdater() : null;
      if (heap && config.kind !== 'rmsprop') {
        // Our module on the wasm heap: the same bits as the JS loop below, four lanes at a time (heapUpdate.ts).
        flushJsSlots();
        const c = config;
        const p: HeapUpdate = c.kind === 'adam'
          ? { kind: 'adam', beta1: c.beta1, beta2: c.beta2, epsilon: c.epsilon, lrT: adamRate(c, learningRate, step + 1), scale }
          : { kind: 'sgd', momentum: c.momentum, nesterov: c.nesterov, lr: learningRate, scale };
        weights.forEach((w, i) => updateOnHeap(heap, w.variable, grads[i], slots[i].map((s) => s.variable), p));
      } else if (js && config.kind !== 'rmsprop') {
        jsSlots ??= slots.map((s) => s.map((slot) => Float32Array.from(slot.variable.dataSync() as Float32Array)));
        const moments = jsSlots;
        const c = config;
        const lrT = c.kind === 'adam' ? adamRate(c, learningRate, step + 1) : 0;
        const next = (w: Float32Array, g: Float32Array, i: number): Float32Array => (c.kind === 'adam'
          ? adamInJs(w, g, moments[i][0], moments[i][1], { ...c, lrT, scale })
          : sgdInJs(w, g, moments[i][0], { ...c, lr: learningRate, scale }));
        tf.tidy(() => {
          weights.forEach((w, i) => {
            w.variable.assign(tf.tensor(next(w.variable.dataSync() as Float32Array, grads[i].dataSync() as Float32Array, i), w.variable.shape));
          });
        });
      } else {
        flushJsSlots();
        tf.tidy(() => {
          weights.forEach((w, i) => update(w.variable, scale === 1 ? grads[i] : tf.mul(grads[i], scale), slots[i], learningRate));
        });
      }
      step++;
    },
    async state() {
      flushJsSlots();
      return { kind: config.kind, step, slots: await packTensors(slots.flat().map((s) => ({ name: s.name, tensor: s.variable }))) };
    },
    restore(state) {
      if (state.kind !== config.kind) throw new ModelError('bad-model-file', `the checkpoint's optimiser is '${state.kind}', the config says '${config.kind}'`);
      jsSlots = null;
      assignFromBlob(state.slots, slots.flat(), 'the checkpoint\'s optimiser state');
      step = state.step;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      jsSlots = null;
      for (const s of slots.flat()) s.variable.dispose();
    },
  };
}

/** Adam's bias-corrected learning rate at update t (1-based), one expression for every path (the same bits). */
function adamRate(c: { readonly beta1: number; readonly beta2: number }, lr: number, t: number): number {
  return (lr * Math.sqrt(1 - c.beta2 ** t)) / (1 - c.beta1 ** t);
}

/** Backends whose tensors live in CPU memory, where reading a gradient is a copy, not a GPU readback. */
const JS_UPDATE_BACKENDS: ReadonlySet<string> = new Set(['cpu', 'wasm']);

/**
 * One Adam update of one weight in plain JS: the moments `m`, `v` in place (NOTE mutates them),
 * the new weight values returned. Every operation is rounded to float32 as the tf ops of
 * `update` round it (float32 products, sums and quotients of float32 values are correctly
 * rounded in doubles), so it gives their bits: ~14 tensor ops per weight become one loop
 * (optimizers.test compares the bits on cpu and wasm).
 */
export function adamInJs(
  w: Float32Array,
  g: Float32Array,
  m: Float32Array,
  v: Float32Array,
  p: { readonly beta1: number; readonly beta2: number; readonly epsilon: number; readonly lrT: number; readonly scale: number },
): Float32Array {
  const f = Math.fround;
  const b1 = f(p.beta1), c1 = f(1 - p.beta1), b2 = f(p.beta2), c2 = f(1 - p.beta2);
  const eps = f(p.epsilon), lr = f(p.lrT), scale = f(p.scale);
  const out = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const gi = scale === 1 ? g[i] : f(g[i] * scale);
    const mi = f(f(m[i] * b1) + f(gi * c1));
    const vi = f(f(v[i] * b2) + f(f(gi * gi) * c2));
    m[i] = mi;
    v[i] = vi;
    out[i] = f(w[i] - f(f(mi / f(f(Math.sqrt(vi)) + eps)) * lr));
  }
  return out;
}

/**
 * One SGD-with-momentum update of one weight in plain JS: the velocity `vel` in place (NOTE
 * mutates it), the new weight values returned, every operation rounded to float32 as the tf ops
 * of `update` round it (the same bits; optimizers.test compares them).
 */
export function sgdInJs(
  w: Float32Array,
  g: Float32Array,
  vel: Float32Array,
  p: { readonly momentum: number; readonly nesterov: boolean; readonly lr: number; readonly scale: number },
): Float32Array {
  const f = Math.fround;
  const mom = f(p.momentum), lr = f(p.lr), scale = f(p.scale);
  const out = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const gi = scale === 1 ? g[i] : f(g[i] * scale);
    const v = f(f(vel[i] * mom) + gi);
    vel[i] = v;
    const dir = p.nesterov ? f(gi + f(v * mom)) : v;
    out[i] = f(w[i] - f(dir * lr));
  }
  return out;
}

/** Where training is, for the schedule: the global step (0-based) and the steps in one epoch. */
export interface SchedulePosition {
  readonly step: number;
  readonly stepsPerEpoch: number;
}

/** The learning rate of one step under the config's schedule and warm-up. */
export function scheduledLearningRate(training: ModelConfig['training'], at: SchedulePosition): number {
  const { learningRate: lr, schedule, epochs, warmupSteps } = training;
  const perEpoch = Math.max(1, at.stepsPerEpoch);
  const epoch = at.step / perEpoch;
  let rate: number;
  switch (schedule.kind) {
    case 'constant':
      rate = lr;
      break;
    case 'step':
      rate = lr * schedule.gamma ** Math.floor(Math.floor(epoch) / schedule.everyEpochs);
      break;
    case 'cosine': {
      const p = Math.min(1, at.step / (epochs * perEpoch));
      rate = schedule.minLearningRate + ((lr - schedule.minLearningRate) * (1 + Math.cos(Math.PI * p))) / 2;
      break;
    }
    case 'exponential':
      rate = lr * schedule.decayPerEpoch ** epoch;
      break;
  }
  return warmupSteps > 0 && at.step < warmupSteps ? (rate * (at.step + 1)) / warmupSteps : rate;
}

/** Each layer's weights as a range of indices into the gradient list. */
type LayerRanges = readonly { readonly from: number; readonly to: number }[];

/** The norms clipAndApply reports, as tensors the caller's tidy owns. */
interface ClipNorms {
  layerNorms: tf.Tensor[];
  globalNorm: tf.Tensor;
  appliedNorm: tf.Tensor;
}

/**
 * Clips the gradients `list` (one per weight, in the optimiser's order) as `clip` says and
 * applies them at `lr` (NOTE mutates the weights and the optimiser). Returns, as tensors the
 * caller's tidy owns: the norm of each layer's gradient (`layerRanges` index `list`), the global
 * norm before clipping and the norm applied. Call inside a tf.tidy.
 */
export function clipAndApply(optimizer: SteeringOptimizer, list: readonly tf.Tensor[], layerRanges: LayerRanges, clip: GradientClipConfig, lr: number): ClipNorms {
  const heap = heapUpdater();
  if (heap) return clipAndApplyOnHeap(heap, optimizer, list, layerRanges, clip, lr);
  const squares = list.map((g) => tf.sum(tf.square(g)));
  const layerNorms = layerRanges.map((r) => tf.sqrt(tf.addN(squares.slice(r.from, r.to))));
  const globalNorm = tf.sqrt(tf.addN(squares));
  let applied: readonly tf.Tensor[] = list;
  let appliedNorm: tf.Tensor = globalNorm;
  if (clip.kind === 'global-norm') {
    const factor = tf.div(clip.maxNorm, tf.maximum(globalNorm, clip.maxNorm));
    appliedNorm = tf.mul(globalNorm, factor);
    // An update in JS takes the factor as a number (one read on a CPU backend) instead of a product per weight.
    if (optimizer.updatesInJs) {
      optimizer.apply(list, lr, factor.dataSync()[0]);
      return { layerNorms, globalNorm, appliedNorm };
    }
    applied = list.map((g) => tf.mul(g, factor));
  } else if (clip.kind === 'value') {
    applied = list.map((g) => tf.clipByValue(g, -clip.maxValue, clip.maxValue));
    appliedNorm = tf.sqrt(tf.addN(applied.map((g) => tf.sum(tf.square(g)))));
  }
  optimizer.apply(applied as tf.Tensor[], lr);
  return { layerNorms, globalNorm, appliedNorm };
}

/**
 * clipAndApply on the wasm backend with our module: each gradient's sum of squares read on the
 * heap in float64 (one call each, where the tf ops took a Square, a Sum and their share of the
 * Sqrt and AddN: ~60 ops a step), the norms and the clip factor as numbers (float32 where they
 * meet the weights, as the tf ops compute them), then the same update.
 */
function clipAndApplyOnHeap(heap: NonNullable<ReturnType<typeof heapUpdater>>, ...[optimizer, list, layerRanges, clip, lr]: Parameters<typeof clipAndApply>): ClipNorms {
  const f = Math.fround;
  const total = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
  const squares = squaresOnHeap(heap, list);
  const layerNorms = layerRanges.map((r) => tf.scalar(Math.sqrt(total(squares.slice(r.from, r.to)))));
  const norm = Math.sqrt(total(squares));
  let appliedNorm = norm;
  if (clip.kind === 'global-norm') {
    const max = f(clip.maxNorm);
    const factor = f(max / f(Math.max(f(norm), max)));
    appliedNorm = f(f(norm) * factor);
    if (optimizer.updatesInJs) optimizer.apply(list, lr, factor);
    else optimizer.apply(list.map((g) => tf.mul(g, factor)), lr);
  } else if (clip.kind === 'value') {
    const applied = list.map((g) => tf.clipByValue(g, -clip.maxValue, clip.maxValue));
    appliedNorm = Math.sqrt(total(squaresOnHeap(heap, applied)));
    optimizer.apply(applied, lr);
  } else {
    optimizer.apply(list as tf.Tensor[], lr);
  }
  return { layerNorms, globalNorm: tf.scalar(norm), appliedNorm: tf.scalar(appliedNorm) };
}
