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
  /** One update at this learning rate; grads in the order of the weights. NOTE mutates the weights. */
  apply(grads: readonly tf.Tensor[], learningRate: number): void;
  state(): Promise<OptimizerState>;
  restore(state: OptimizerState): void;
  dispose(): void;
}

export function createOptimizer(config: OptimizerConfig, weights: readonly NamedVariable[]): SteeringOptimizer {
  const slotNames = config.kind === 'adam' ? ['m', 'v'] : config.kind === 'sgd' ? ['velocity'] : ['ms', 'mom'];
  const slots: NamedVariable[][] = weights.map((w) =>
    // In a tidy so the zeros are freed; the variable keeps its own reference to the data.
    slotNames.map((s) => ({ name: `${w.name}/${s}`, variable: tf.tidy(() => tf.variable(tf.zerosLike(w.variable), false)) })),
  );
  let step = 0;

  function update(w: tf.Variable, g: tf.Tensor, s: readonly NamedVariable[], lr: number): void {
    switch (config.kind) {
      case 'adam': {
        const { beta1, beta2, epsilon } = config;
        const t = step + 1;
        const m = tf.add(tf.mul(s[0].variable, beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(s[1].variable, beta2), tf.mul(tf.square(g), 1 - beta2));
        const lrT = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
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
    apply(grads, learningRate) {
      if (disposed) throw new ModelError('disposed', 'this optimiser was disposed');
      if (grads.length !== weights.length) throw new ModelError('invalid-input', `${grads.length} gradients for ${weights.length} weights`);
      if (!(Number.isFinite(learningRate) && learningRate >= 0)) throw new ModelError('invalid-input', `learning rate must be >= 0, got ${learningRate}`);
      tf.tidy(() => {
        weights.forEach((w, i) => update(w.variable, grads[i], slots[i], learningRate));
      });
      step++;
    },
    async state() {
      return { kind: config.kind, step, slots: await packTensors(slots.flat().map((s) => ({ name: s.name, tensor: s.variable }))) };
    },
    restore(state) {
      if (state.kind !== config.kind) throw new ModelError('bad-model-file', `the checkpoint's optimiser is '${state.kind}', the config says '${config.kind}'`);
      assignFromBlob(state.slots, slots.flat(), 'the checkpoint\'s optimiser state');
      step = state.step;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const s of slots.flat()) s.variable.dispose();
    },
  };
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

/**
 * Clips the gradients `list` (one per weight, in the optimiser's order) as `clip` says and
 * applies them at `lr` (NOTE mutates the weights and the optimiser). Returns, as tensors the
 * caller's tidy owns: the norm of each layer's gradient (`layerRanges` index `list`), the global
 * norm before clipping and the norm applied. Call inside a tf.tidy.
 */
export function clipAndApply(
  optimizer: SteeringOptimizer,
  list: readonly tf.Tensor[],
  layerRanges: readonly { readonly from: number; readonly to: number }[],
  clip: GradientClipConfig,
  lr: number,
): { layerNorms: tf.Tensor[]; globalNorm: tf.Tensor; appliedNorm: tf.Tensor } {
  const squares = list.map((g) => tf.sum(tf.square(g)));
  const layerNorms = layerRanges.map((r) => tf.sqrt(tf.addN(squares.slice(r.from, r.to))));
  const globalNorm = tf.sqrt(tf.addN(squares));
  let applied: readonly tf.Tensor[] = list;
  let appliedNorm: tf.Tensor = globalNorm;
  if (clip.kind === 'global-norm') {
    const factor = tf.div(clip.maxNorm, tf.maximum(globalNorm, clip.maxNorm));
    applied = list.map((g) => tf.mul(g, factor));
    appliedNorm = tf.mul(globalNorm, factor);
  } else if (clip.kind === 'value') {
    applied = list.map((g) => tf.clipByValue(g, -clip.maxValue, clip.maxValue));
    appliedNorm = tf.sqrt(tf.addN(applied.map((g) => tf.sum(tf.square(g)))));
  }
  optimizer.apply(applied as tf.Tensor[], lr);
  return { layerNorms, globalNorm, appliedNorm };
}
