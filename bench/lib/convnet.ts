// ConvNetJS (Karpathy's plain-JS deep learning library, the engine of MIT 6.S094's DeepTesla)
// set up to train the SAME network as the project's single-frame CNN, so the bench can put the
// two engines side by side. From a ModelConfig with sequence.kind 'cnn':
//   conv layers (same filters, kernels, strides, activations) -> hidden dense layers ->
//   embedding -> one 3-unit linear layer (our three 1-unit heads side by side) -> L2 regression.
// ConvNetJS zero-pads every side of a conv input alike: 'valid' is pad 0, and 'same' works
// when TF's padding before the first row and column is the same number p on both axes and pad p
// gives TF's output size (true for the default stack's 3x3 stride-1 'same' convs: p = 1);
// anything else is refused rather than approximated. Both flatten in (row, column, channel)
// order, so copyWeights makes the two compute the same function (bench/lib/convnet.test.ts
// checks outputs, and one training step).
//
// Training equivalence: ConvNetJS's regression loss is 1/2 sum (y - t)^2 per example and its
// SGD averages gradients over the batch; ours is sum over heads of lossWeight * mean (y - t)^2.
// With equal loss weights w the gradients differ by the factor 2w, so the ConvNetJS learning
// rate is 2w times ours and SGD with momentum then makes the same updates. ConvNetJS 0.3.0
// has no Adam, no gradient clipping and no augmentation: configs that use them are refused.
import convnetjs, { type LayerDef, type Net, type Trainer, type Vol } from 'convnetjs';
import { createConfig, HEAD_NAMES, mergeConfig, type Activation, type ConfigOverrides, type ModelConfig } from '../../src/model/config.ts';
import { convPlan, encoderHiddenWidths } from '../../src/model/configSizes.ts';
import type { SteeringNet } from '../../src/model/factory.ts';
import type { TargetNormalization } from '../../src/model/preprocess.ts';

/**
 * The project's single-frame CNN (DEFAULT_CONFIG's input, conv stack, width and dense layers)
 * trained the way ConvNetJS can train it too: SGD with momentum 0.9 at a constant rate, equal
 * head weights, linear heads, no dropout, clipping, augmentation or balancing, and frames only
 * (no speedometer input: a ConvNetJS net has one input) scaled to -1..1 but not standardised, whatever
 * the default says about those.
 * `overrides` go on top (e.g. the bench's epochs).
 */
export function comparableCnnConfig(overrides: ConfigOverrides = {}): ModelConfig {
  const base: ConfigOverrides = {
    // Frames scaled to -1..1 and no more: ConvNetJS's input is the same array (frameToVol).
    input: { speed: false, standardize: false },
    sequence: { kind: 'cnn' },
    encoder: { dropout: 0 },
    heads: { hidden: 0, steering: { lossWeight: 1 }, speed: { lossWeight: 1 }, torque: { lossWeight: 1 } },
    training: {
      optimizer: { kind: 'sgd', momentum: 0.9, nesterov: false }, gradientClip: { kind: 'none' }, schedule: { kind: 'constant' }, warmupSteps: 0,
    },
    augmentation: { brightness: 0, contrast: 0, shadowProbability: 0, flipProbability: 0, shiftX: 0, shiftY: 0 },
    balance: { kind: 'none' },
  };
  return createConfig(mergeConfig(base, overrides));
}

function activation(a: Activation, where: string): 'relu' | 'tanh' | 'sigmoid' | undefined {
  if (a === 'linear') return undefined;
  if (a === 'elu') throw new Error(`${where}: ConvNetJS has no elu`);
  return a;
}

/** ConvNetJS's pad for a conv of the plan, or an error saying why none matches TF's. */
function padFor(c: { kernel: number; stride: number; padding: string }, inH: number, inW: number, i: number): number {
  if (c.padding === 'valid') return 0;
  const axis = (n: number) => {
    const out = Math.ceil(n / c.stride);
    const total = Math.max((out - 1) * c.stride + c.kernel - n, 0);
    return { out, before: Math.floor(total / 2) };
  };
  const [h, w] = [axis(inH), axis(inW)];
  const p = h.before;
  const outWith = (n: number) => Math.floor((n + 2 * p - c.kernel) / c.stride) + 1;
  if (w.before !== p || outWith(inH) !== h.out || outWith(inW) !== w.out) {
    throw new Error(`encoder.layers[${i}]: TF's 'same' padding (${h.before} rows, ${w.before} columns before) has no ConvNetJS equivalent (one pad for every side)`);
  }
  return p;
}

/** Refuses what ConvNetJS cannot train the same way (see the header). */
export function checkConvnetCompatible(config: ModelConfig, opts: { training: boolean }): void {
  const problems: string[] = [];
  if (config.sequence.kind !== 'cnn') problems.push("sequence.kind must be 'cnn' (ConvNetJS has no recurrent layers)");
  if (config.heads.hidden > 0) problems.push('heads.hidden must be 0 (three separate hidden layers are not one ConvNetJS layer)');
  if (config.encoder.dropout > 0) problems.push('encoder.dropout must be 0');
  if (config.input.standardize) problems.push('input.standardize must be off (the ConvNetJS net reads the frames as scaled, frameToVol)');
  if (opts.training) {
    const t = config.training;
    if (t.optimizer.kind !== 'sgd' || t.optimizer.nesterov) problems.push('training.optimizer must be SGD without Nesterov (ConvNetJS 0.3.0 has no Adam)');
    if (t.gradientClip.kind !== 'none') problems.push('training.gradientClip must be none');
    if (t.schedule.kind !== 'constant' || t.warmupSteps > 0) problems.push('the learning rate must be constant');
    if (new Set(HEAD_NAMES.map((h) => config.heads[h].lossWeight)).size !== 1) problems.push('every head needs the same lossWeight');
    const a = config.augmentation;
    if (a.brightness || a.contrast || (a.shadowProbability && a.shadowDarkness) || a.flipProbability || a.shiftX || a.shiftY) problems.push('augmentation must be off');
    if (config.balance.kind !== 'none') problems.push("balance must be 'none'");
  }
  if (problems.length) throw new Error(`ConvNetJS cannot train this config the same way: ${problems.join('; ')}`);
}

/** The ConvNetJS layer definitions of a single-frame CNN config. */
export function convnetLayerDefs(config: ModelConfig): LayerDef[] {
  checkConvnetCompatible(config, { training: false });
  const { height, width } = config.input;
  const defs: LayerDef[] = [{ type: 'input', out_sx: width, out_sy: height, out_depth: 3 }];
  let [h, w] = [height, width];
  for (const [i, c] of convPlan(config).layers.entries()) {
    defs.push({ type: 'conv', sx: c.kernel, filters: c.filters, stride: c.stride, pad: padFor(c, h, w, i), activation: activation(c.activation, `encoder.layers[${i}]`) });
    [h, w] = [c.outHeight, c.outWidth];
  }
  const act = activation(config.encoder.activation, 'encoder.activation');
  for (const units of [...encoderHiddenWidths(config), config.encoder.embedding]) defs.push({ type: 'fc', num_neurons: units, activation: act });
  defs.push({ type: 'regression', num_neurons: HEAD_NAMES.length });
  return defs;
}

/** A ConvNetJS net for the config, its conv output sizes checked against our plan. */
export function createConvnet(config: ModelConfig): Net {
  const net = new convnetjs.Net();
  net.makeLayers(convnetLayerDefs(config));
  const convs = net.layers.filter((l) => l.layer_type === 'conv');
  convPlan(config).layers.forEach((c, i) => {
    const l = convs[i];
    if (l.out_sy !== c.outHeight || l.out_sx !== c.outWidth || l.out_depth !== c.filters) {
      throw new Error(`ConvNetJS conv ${i + 1} gives ${l.out_sy}x${l.out_sx}x${l.out_depth}, ours ${c.outHeight}x${c.outWidth}x${c.filters}`);
    }
  });
  return net;
}

/** Trainable numbers in a ConvNetJS net. */
export function convnetParamCount(net: Net): number {
  return net.layers.reduce((s, l) => s + (l.filters ?? []).reduce((n, f) => n + f.w.length, 0) + (l.filters ? l.biases!.w.length : 0), 0);
}

/**
 * The trainer that makes our SGD's updates (see the header): SGD with the config's momentum,
 * learning rate times 2 * lossWeight, the config's batch size.
 */
export function convnetTrainer(net: Net, config: ModelConfig): Trainer {
  checkConvnetCompatible(config, { training: true });
  const opt = config.training.optimizer;
  if (opt.kind !== 'sgd') throw new Error('unreachable: checked above');
  return new convnetjs.Trainer(net, {
    method: 'sgd',
    momentum: opt.momentum,
    learning_rate: 2 * config.heads.steering.lossWeight * config.training.learningRate,
    batch_size: config.training.batchSize,
    l2_decay: 0,
  });
}

/** Copies our single-frame CNN's weights into the ConvNetJS net (NOTE mutates `to`). */
export function copyWeights(from: SteeringNet, to: Net): void {
  const ours = from.encoder.layers.filter((l) => l.getWeights().length > 0);
  const theirs = to.layers.filter((l) => l.layer_type === 'conv' || l.layer_type === 'fc');
  if (theirs.length !== ours.length + 1) throw new Error(`ConvNetJS has ${theirs.length} weight layers, ours ${ours.length} + heads`);
  ours.forEach((layer, i) => {
    const [k, b] = layer.getWeights();
    const kernel = k.dataSync();
    const bias = b.dataSync();
    const l = theirs[i];
    const co = k.shape[k.shape.length - 1]!;
    // conv kernel [kh, kw, ci, co] -> filter d at ((kw * y) + x) * ci + c; dense [in, out] -> filter d at j.
    const taps = kernel.length / co;
    l.filters!.forEach((f, d) => {
      for (let t = 0; t < taps; t++) f.w[t] = kernel[t * co + d];
    });
    l.biases!.w.set(bias);
  });
  const out = theirs[theirs.length - 1];
  from.heads.forEach((head, h) => {
    const [k, b] = head.out.getWeights();
    out.filters![h].w.set(k.dataSync());
    out.biases!.w[h] = b.dataSync()[0];
  });
}

/** Frame `index` of packed RGB frames as a ConvNetJS input, pixels scaled like ours (x / 127.5 - 1). */
export function frameToVol(frames: Uint8Array, index: number, width: number, height: number, into?: Vol): Vol {
  const v = into ?? new convnetjs.Vol(width, height, 3, 0);
  const n = width * height * 3;
  const off = index * n;
  for (let i = 0; i < n; i++) v.w[i] = frames[off + i] / 127.5 - 1;
  return v;
}

/** Example `index`'s targets, normalised like ours ((t - mean) / std per head), as ConvNetJS wants them. */
export function normalizedTargets(targets: Float32Array, index: number, norm: TargetNormalization): Float64Array {
  return Float64Array.from(HEAD_NAMES, (h, i) => (targets[index * HEAD_NAMES.length + i] - norm.mean[h]) / norm.std[h]);
}

/** Packed RGB frames with their targets (3 per frame). */
export interface PackedFrames {
  readonly width: number;
  readonly height: number;
  readonly frames: Uint8Array;
  readonly targets: Float32Array;
}

/**
 * ConvNetJS trains `n` examples (one update at its batch size), cycling through the frames from
 * example `from`, pixel conversion included; returns the milliseconds it took.
 */
export function convnetBatchMs(trainer: Trainer, f: PackedFrames, norm: TargetNormalization, n: number, from: number): number {
  const count = f.frames.length / (f.width * f.height * 3);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const k = (from + i) % count;
    trainer.train(frameToVol(f.frames, k, f.width, f.height), normalizedTargets(f.targets, k, norm));
  }
  return performance.now() - t0;
}
