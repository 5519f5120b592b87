// Test support for the model layer (used by *.test.ts and benchmarks only): tiny configs that
// train in a second on the Node cpu backend, and synthetic driving sequences whose frames
// show their own labels (a bar at the steering position, one at the speed, a patch whose
// brightness is the torque), so a small network can learn them.

import { createConfig, mergeConfig, type ConfigOverrides, type ModelConfig } from './config.ts';
import type { ClipSource } from '../data/clipStore.ts';
import { createDatasetBatchSource, type FrameSequence } from './batchSource.ts';
import { usesSpeedResidual } from './configSizes.ts';
import { loadModel, saveModel } from './artifacts.ts';
import { createSteeringNet, netWeights, type SteeringNet } from './factory.ts';
import { forwardGroups } from './forward.ts';
import { createNaivePredictor, createStreamingPredictor, type Predictor } from './predictor.ts';
import { denormalizeOutputs, framesToTensor, normalizeSpeeds, type FrameSize, type TargetNormalization } from './preprocess.ts';
import { tf } from './tfSetup.ts';
import { trainModel } from './train.ts';
import type { TrainingResult } from './trainProtocol.ts';

const TINY: ConfigOverrides = {
  input: { height: 12, width: 16, resize: 'area', speed: false },
  encoder: {
    layers: [
      { filters: 4, kernel: 3, stride: 2, padding: 'valid', activation: 'relu' },
      { filters: 6, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
    ],
    hidden: [],
    embedding: 8,
    widthMultiplier: 1,
  },
  sequence: { units: 6, window: 3, runLength: 6 },
  training: { batchSize: 8, epochs: 3, earlyStopping: { patience: 0, minDelta: 0, restoreBest: false } },
  augmentation: { brightness: 0, contrast: 0, shadowProbability: 0, flipProbability: 0, shiftX: 0, shiftY: 0 },
  // Pinned here so that tests do not move when the product's defaults do.
  balance: { kind: 'none' },
  heads: { speedAheadS: 0, speedResidual: false, torqueSpeedChanges: 0 },
};

/** A tiny model config (12x16 input, two convs, 6 recurrent units) with `overrides` on top. */
export function tinyConfig(overrides: ConfigOverrides = {}): ModelConfig {
  return createConfig(mergeConfig(TINY, overrides));
}

export interface SyntheticOptions {
  readonly count: number;
  readonly width: number;
  readonly height: number;
  /** Phase offset, so sequences differ. */
  readonly seed?: number;
  readonly withCurvature?: boolean;
}

/** Labels of step i: smooth steering -0.8..0.8, speed 5..15 m/s, torque -0.5..0.5. */
export function syntheticTargets(i: number, seed = 0): [number, number, number] {
  const p = i + seed * 17;
  return [0.8 * Math.sin(p * 0.31), 10 + 5 * Math.cos(p * 0.17), 0.5 * Math.sin(p * 0.53 + 1)];
}

/** A sequence whose frames draw their labels. */
export function syntheticSequence(options: SyntheticOptions): FrameSequence {
  const { count, width: W, height: H, seed = 0 } = options;
  const frames = new Uint8Array(count * W * H * 3);
  const targets = new Float32Array(count * 3);
  const curvature = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const [steer, speed, torque] = syntheticTargets(i, seed);
    targets.set([steer, speed, torque], i * 3);
    curvature[i] = steer * 0.02;
    const steerCol = Math.round(((steer + 1) / 2) * (W - 1));
    const speedCol = Math.round(((speed - 5) / 10) * (W - 1));
    const patch = Math.round(((torque + 0.5) / 1) * 255);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const o = ((i * H + y) * W + x) * 3;
        let r = 60;
        let g = 60;
        let b = 60;
        if (y < H / 2 && Math.abs(x - steerCol) <= 1) r = g = b = 250;
        if (y >= H / 2 && Math.abs(x - speedCol) <= 1) g = 220;
        if (y >= H - 3 && x < 3) b = patch;
        frames[o] = r;
        frames[o + 1] = g;
        frames[o + 2] = b;
      }
    }
  }
  return options.withCurvature ? { frames, targets, curvature } : { frames, targets };
}

/** Trains a fresh net of `config` on stored clips, validated on others (not shuffled); the net is disposed after. */
export async function trainOnClips(source: ClipSource, config: ModelConfig, trainIds: string[], valIds: string[]): Promise<TrainingResult> {
  const net = createSteeringNet(config);
  try {
    return await trainModel({
      net, yieldToEventLoop: async () => {},
      train: await createDatasetBatchSource({ source, clipIds: trainIds, config, shuffle: true }),
      validation: await createDatasetBatchSource({ source, clipIds: valIds, config, shuffle: false }),
    });
  } finally {
    net.dispose();
  }
}

/**
 * What a predictor must answer at frame i of a stream of frames (count x size RGB) and measured
 * speeds (m/s): the tfjs model on the window it holds (before T frames the oldest frame and speed
 * stand in), denormalised, a speed-residual model's last speed added back. [steering, speed, torque].
 */
export function modelOnStream(net: SteeringNet, normalization: TargetNormalization, size: FrameSize, frames: Uint8Array, speeds: readonly number[], i: number): number[] {
  const T = net.window;
  const fb = size.width * size.height * 3;
  const window = new Uint8Array(T * fb);
  const ws: number[] = [];
  for (let t = 0; t < T; t++) {
    const j = Math.max(0, i - T + 1 + t);
    window.set(frames.subarray(j * fb, (j + 1) * fb), t * fb);
    ws.push(speeds[j]);
  }
  return tf.tidy(() => {
    const x = framesToTensor(window, T, size, net.config.input);
    const sp = normalizeSpeeds(ws, normalization);
    const input = T === 1 ? [x, tf.tensor2d(sp, [1, 1])] : [tf.expandDims(x, 0), tf.tensor3d(sp, [1, T, 1])];
    const raw = Float32Array.from((net.model.predict(input) as tf.Tensor).dataSync());
    if (usesSpeedResidual(net.config)) raw[1] += sp[T - 1]; // the speed head predicts the change from the last frame's speed
    return Array.from(denormalizeOutputs(raw, normalization));
  });
}

/**
 * The tfjs model on every window of frame groups laid end to end ([sum(lengths), H, W, 3] frames,
 * [sum(lengths), 1] normalised speeds), a speed-residual model's last speed added back: what
 * `forwardGroups` must give. Call inside a tf.tidy.
 */
export function modelOnGroups(net: SteeringNet, frames: tf.Tensor4D, speeds: tf.Tensor2D, lengths: readonly number[]): tf.Tensor2D {
  const T = net.window;
  const xs: tf.Tensor[] = [];
  const ss: tf.Tensor[] = [];
  let o = 0;
  for (const n of lengths) {
    for (let s = 0; s + T <= n; s++) {
      xs.push(T === 1 ? tf.squeeze(tf.slice(frames, [o + s], [1]), [0]) : tf.slice(frames, [o + s], [T]));
      ss.push(T === 1 ? tf.squeeze(tf.slice(speeds, [o + s], [1]), [0]) : tf.slice(speeds, [o + s], [T]));
    }
    o += n;
  }
  // The tfjs model is the net without the residual: its speed column plus the last frame's speed.
  const raw = net.model.predict([tf.stack(xs), tf.stack(ss)]) as tf.Tensor2D;
  if (!usesSpeedResidual(net.config)) return raw;
  const lastSpeed = T === 1 ? tf.stack(ss) : tf.squeeze(tf.slice(tf.stack(ss), [0, T - 1, 0], [-1, 1, 1]), [2]);
  return tf.add(raw, tf.mul(lastSpeed, tf.tensor2d([[0, 1, 0]]))) as tf.Tensor2D;
}

/**
 * Random frames (12x16) and normalised speeds for frame groups of these lengths, the fused training
 * forward on them, and its largest difference from the tfjs model (`modelOnGroups`). Call inside a
 * tf.tidy.
 */
export function fusedVsModel(net: SteeringNet, lengths: readonly number[]): { frames: tf.Tensor4D; speeds: tf.Tensor2D; fast: tf.Tensor2D; maxDiff: number } {
  const total = lengths.reduce((s, n) => s + n, 0);
  const frames = tf.randomUniform([total, 12, 16, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
  const speeds = tf.randomUniform([total, 1], -2, 2, 'float32', 8) as tf.Tensor2D;
  const fast = forwardGroups(net, frames, lengths, false, speeds);
  const ref = modelOnGroups(net, frames, speeds, lengths);
  if (fast.shape.join() !== ref.shape.join()) throw new Error(`fused forward [${fast.shape.join(', ')}], tfjs model [${ref.shape.join(', ')}]`);
  return { frames, speeds, fast, maxDiff: tf.max(tf.abs(tf.sub(fast, ref))).dataSync()[0] };
}

/**
 * The streaming and the naive predictor fed `frames` (one per speed) and `speeds` one by one,
 * against the tfjs model on each window (modelOnStream): the largest difference in any output,
 * and the streaming predictor's outputs. `use` sees the streaming predictor after the last frame,
 * before both are disposed.
 */
export async function predictorsVsModel(
  net: SteeringNet, normalization: TargetNormalization, size: FrameSize, frames: Uint8Array, speeds: readonly number[],
  use?: (streaming: Predictor) => Promise<void> | void,
): Promise<{ maxDiff: number; streamed: { steering: number; speed: number; torque: number }[] }> {
  const fb = size.width * size.height * 3;
  const streaming = createStreamingPredictor({ net, normalization, frame: size });
  const naive = createNaivePredictor({ net, normalization, frame: size });
  try {
    let maxDiff = 0;
    const streamed: { steering: number; speed: number; torque: number }[] = [];
    for (let i = 0; i < speeds.length; i++) {
      const frame = frames.subarray(i * fb, (i + 1) * fb);
      const s = await streaming.predict(frame, speeds[i]);
      const n = await naive.predict(frame, speeds[i]);
      const ref = modelOnStream(net, normalization, size, frames, speeds, i);
      [s, n].forEach((p) => [p.steering, p.speed, p.torque].forEach((v, h) => (maxDiff = Math.max(maxDiff, Math.abs(v - ref[h])))));
      streamed.push({ steering: s.steering, speed: s.speed, torque: s.torque });
    }
    await use?.(streaming);
    return { maxDiff, streamed };
  } finally {
    streaming.dispose();
    naive.dispose();
  }
}

/**
 * A T = 4, 12x16 model that reads the speed, saved and loaded back: the saved weight names and
 * the net's own (sorted), the largest difference between the two models' outputs on random
 * windows, and the reloaded config.
 */
export async function saveAndReload(net: SteeringNet, normalization: TargetNormalization): Promise<{ savedNames: string[]; netNames: string[]; maxDiff: number; config: ModelConfig }> {
  const saved = await saveModel(net, { normalization, metadata: { name: 't', createdAt: 0, clips: [], metrics: {}, backend: 'wasm' } as never });
  const { net: back } = await loadModel(saved);
  try {
    const maxDiff = tf.tidy(() => {
      const x = tf.randomUniform([2, 4, 12, 16, 3], -1, 1, 'float32', 3);
      const s = tf.randomUniform([2, 4, 1], -2, 2, 'float32', 4);
      const a = net.model.predict([x, s]) as tf.Tensor;
      const b = back.model.predict([x, s]) as tf.Tensor;
      return tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
    });
    return { savedNames: saved.weightSpecs.map((w) => w.name).sort(), netNames: netWeights(net).map((w) => w.originalName).sort(), maxDiff, config: back.config };
  } finally {
    back.dispose();
  }
}

/** Overwrites every weight of `net` with seeded normal values x `scale` (weight i from seed `firstSeed + i`): a net whose outputs vary. */
export function randomizeWeights(net: SteeringNet, firstSeed: number, scale: number): void {
  tf.tidy(() => netWeights(net).forEach((w, i) => w.write(tf.mul(tf.randomNormal(w.shape as number[], 0, 1, 'float32', firstSeed + i), scale))));
}
