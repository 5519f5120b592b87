// Frames and targets in and out of the model: Uint8 RGB frames at any clip size -> float
// tensors at the model's input size (area or bilinear resize, pixels scaled to -1..1); target
// normalisation (mean/std per head, stored with the model); and the seeded training
// augmentation (brightness/contrast, shadows, mirror with the steering sign flipped, small
// shifts), drawn once per frame group so every frame of a window or run shares one draw.
//
// Ownership: functions that return a tensor hand it to the caller (who disposes it); their
// intermediates are freed inside tf.tidy.

import type { Rng } from '../core/rng.ts';
import { HEAD_NAMES, type AugmentationConfig, type HeadValues, type ModelConfig, type ResizeMethod } from './config.ts';
import { areaResizeBytes, areaWeights } from './areaResize.ts';
import { ModelError } from './modelErrors.ts';
import { standardizeFrames, standardizeValues } from './standardize.ts';
import { tf } from './tfSetup.ts';

/** Pixels of a frame. */
export interface FrameSize {
  readonly width: number;
  readonly height: number;
}

/** Targets (labels) per example, in HEAD_NAMES order: steering -1..1 (+ left), speed m/s, torque -1..1. */
export const TARGETS_PER_EXAMPLE = HEAD_NAMES.length;

/**
 * `count` RGB frames (count x height x width x 3 bytes, row 0 at the top) -> float32
 * [count, H, W, 3] at the model's input size, pixels scaled to -1..1, then standardised per frame
 * and channel where `input.standardize` says so (standardize.ts). Caller disposes it.
 */
export function framesToTensor(frames: Uint8Array, count: number, size: FrameSize, input: ModelConfig['input']): tf.Tensor4D {
  const values = frameValues(frames, count, size, input);
  if (values) {
    if (input.standardize) standardizeValues(values, count);
    return tf.tensor4d(values, [count, input.height, input.width, 3]);
  }
  return standardizedIf(input, scaledFramesTensor(frames, count, size, input));
}

/** `x` standardised where `input.standardize` says so (x disposed), else `x` itself. */
function standardizedIf(input: ModelConfig['input'], x: tf.Tensor4D): tf.Tensor4D {
  if (!input.standardize) return x;
  const y = standardizeFrames(x);
  x.dispose();
  return y;
}

/** framesToTensor before any standardisation (bilinear resizing, tensor ops). Caller disposes it. */
function scaledFramesTensor(frames: Uint8Array, count: number, size: FrameSize, input: ModelConfig['input']): tf.Tensor4D {
  const to = { width: input.width, height: input.height };
  // Bilinear: scaled at the clip's size, then resized by tfjs.
  const { width, height } = size;
  const x = tf.tensor4d(scaledBytes(frames), [count, height, width, 3]);
  const out = resizeFrames(x, to, input.resize);
  x.dispose();
  return out;
}

/**
 * What framesToTensor returns, as a plain array, where it can be made without tensor ops (same
 * size, or area resizing); null where it needs tfjs (bilinear resizing). Checks the frames.
 */
function frameValues(frames: Uint8Array, count: number, size: FrameSize, input: ModelConfig['input']): Float32Array | null {
  const { width, height } = size;
  if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(width) && width >= 1 && Number.isInteger(height) && height >= 1)) {
    throw new ModelError('invalid-input', `frames need count, width and height >= 1, got ${count} x ${width}x${height}`);
  }
  const n = count * width * height * 3;
  if (frames.length !== n) {
    throw new ModelError('invalid-input', `expected ${count} RGB frames of ${width}x${height} (${n} bytes), got ${frames.length} bytes`);
  }
  const to = { width: input.width, height: input.height };
  if (width === to.width && height === to.height) return scaledBytes(frames);
  // Area resampling straight from the bytes, in JS: one pass over them, and a tensor of the
  // model's size to upload (the tensor path uploaded the full frames, transposed them twice and
  // multiplied by two mostly-zero weight matrices: 45 of a 150 ms training step on wasm).
  if (input.resize === 'area') return areaResizeBytes(frames, count, size, to);
  return null;
}

/** Bytes scaled to -1..1 in one JS loop (instead of cast + mul + sub). */
function scaledBytes(frames: Uint8Array): Float32Array {
  const values = new Float32Array(frames.length);
  for (let i = 0; i < frames.length; i++) values[i] = frames[i] / 127.5 - 1;
  return values;
}

/**
 * A training batch's input: framesToTensor, then augmentFrames with `draws` (null: none). On
 * cpu and wasm, where the frames are prepared in JS anyway, the augmentation is applied to the
 * array before the one upload (augmentValues, the same arithmetic in float64 rounded once,
 * instead of about 30 tensor ops and a read back); elsewhere, and for bilinear resizing, with
 * tensor ops on the device. Caller disposes the result.
 */
export function trainingFrames(
  frames: Uint8Array, count: number, size: FrameSize, input: ModelConfig['input'], draws: readonly AugmentDraw[] | null, lengths: readonly number[],
): tf.Tensor4D {
  const js = defaultGeometryMethod() === 'js' ? frameValues(frames, count, size, input) : null;
  if (js) {
    if (draws) augmentValues(js, [count, input.height, input.width, 3], draws, lengths);
    if (input.standardize) standardizeValues(js, count);
    return tf.tensor4d(js, [count, input.height, input.width, 3]);
  }
  // The augmentation acts on the scaled frames; the standardisation comes after it, as in inference.
  const x0 = framesValuesOrTensor(frames, count, size, input);
  const x = draws ? augmentFrames(x0, draws, lengths) : x0;
  if (x !== x0) x0.dispose();
  return standardizedIf(input, x);
}

/** The scaled frames as a tensor, never standardised. Caller disposes it. */
function framesValuesOrTensor(frames: Uint8Array, count: number, size: FrameSize, input: ModelConfig['input']): tf.Tensor4D {
  const values = frameValues(frames, count, size, input);
  return values ? tf.tensor4d(values, [count, input.height, input.width, 3]) : scaledFramesTensor(frames, count, size, input);
}

/** Resizes [n, h, w, c] to `to`. Caller disposes the result (and still owns `x`). */
export function resizeFrames(x: tf.Tensor4D, to: FrameSize, method: ResizeMethod): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (h === to.height && w === to.width) return tf.clone(x);
  if (method === 'bilinear') return tf.image.resizeBilinear(x, [to.height, to.width], false, true);
  return tf.tidy(() => {
    // Area resampling as two small matrix products: rows, then columns.
    let y: tf.Tensor = x;
    let rows = h;
    if (h !== to.height) {
      const a = tf.tensor2d(areaWeights(h, to.height), [to.height, h]);
      y = tf.matMul(a, tf.reshape(tf.transpose(y, [1, 0, 2, 3]), [h, n * w * c]));
      y = tf.transpose(tf.reshape(y, [to.height, n, w, c]), [1, 0, 2, 3]);
      rows = to.height;
    }
    if (w !== to.width) {
      const a = tf.tensor2d(areaWeights(w, to.width), [to.width, w]);
      y = tf.matMul(a, tf.reshape(tf.transpose(y, [2, 0, 1, 3]), [w, n * rows * c]));
      y = tf.transpose(tf.reshape(y, [to.width, n, rows, c]), [1, 2, 0, 3]);
    }
    return y as tf.Tensor4D;
  });
}

// ---- targets ----

/** Mean and standard deviation of each head's targets over the training set (stored with the model). */
export interface TargetNormalization {
  readonly mean: HeadValues;
  readonly std: HeadValues;
}

/** Below this a head's spread counts as constant: its normalised targets stay near 0, never blow up. */
const MIN_STD = 1e-3;

/** Statistics of targets (n x 3, HEAD_NAMES order, real units). */
export function computeTargetNormalization(targets: Float32Array): TargetNormalization {
  const k = TARGETS_PER_EXAMPLE;
  const n = targets.length / k;
  if (!(Number.isInteger(n) && n >= 1)) throw new ModelError('invalid-input', `targets must hold n x ${k} values with n >= 1, got ${targets.length}`);
  const mean = [0, 0, 0];
  const m2 = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    for (let h = 0; h < k; h++) {
      const v = targets[i * k + h];
      if (!Number.isFinite(v)) throw new ModelError('invalid-input', `target ${i} (${HEAD_NAMES[h]}) is ${v}, not a finite number`);
      // Welford: stable for long sets of similar values.
      const d = v - mean[h];
      mean[h] += d / (i + 1);
      m2[h] += d * (v - mean[h]);
    }
  }
  const std = m2.map((s) => Math.max(MIN_STD, Math.sqrt(s / n)));
  return { mean: headValues(mean), std: headValues(std) };
}

export function headValues(v: readonly number[]): HeadValues {
  return { steering: v[0], speed: v[1], torque: v[2] };
}

/** (targets - mean) / std, per head. */
export function normalizeTargets(targets: Float32Array, norm: TargetNormalization): Float32Array {
  const out = new Float32Array(targets.length);
  for (let i = 0; i < targets.length; i++) {
    const h = HEAD_NAMES[i % TARGETS_PER_EXAMPLE];
    out[i] = (targets[i] - norm.mean[h]) / norm.std[h];
  }
  return out;
}

/**
 * Measured speeds (m/s) as a model that reads the speed takes them: normalised with the speed
 * head's mean and std, so the input and the output speak the same units.
 */
export function normalizeSpeeds(speeds: ArrayLike<number>, norm: TargetNormalization): Float32Array {
  const out = new Float32Array(speeds.length);
  for (let i = 0; i < speeds.length; i++) out[i] = (speeds[i] - norm.mean.speed) / norm.std.speed;
  return out;
}

/** Model outputs (normalised) back to real units. */
export function denormalizeOutputs(values: ArrayLike<number>, norm: TargetNormalization): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const h = HEAD_NAMES[i % TARGETS_PER_EXAMPLE];
    out[i] = values[i] * norm.std[h] + norm.mean[h];
  }
  return out;
}

// ---- augmentation ----

/** One group's augmentation (a window, a run or a single frame). */
export interface AugmentDraw {
  readonly flip: boolean;
  /** Offset added to pixels in -1..1 units. */
  readonly brightness: number;
  /** Factor around the frame's mean. */
  readonly contrast: number;
  /** Dark side of the line from (top, 0) to (bottom, H-1), x in pixels; null = no shadow. */
  readonly shadow: { readonly top: number; readonly bottom: number; readonly left: boolean; readonly darkness: number } | null;
  /** Shift of the content right / down, whole model-input pixels. */
  readonly dx: number;
  readonly dy: number;
}

const NO_AUGMENTATION: AugmentDraw = { flip: false, brightness: 0, contrast: 1, shadow: null, dx: 0, dy: 0 };

/** True when the config changes nothing. */
export function augmentationIsOff(a: AugmentationConfig): boolean {
  return a.brightness === 0 && a.contrast === 0 && (a.shadowProbability === 0 || a.shadowDarkness === 0) && a.flipProbability === 0 && a.shiftX === 0 && a.shiftY === 0;
}

/** Draws `count` augmentations from `rng` (NOTE advances rng). */
export function drawAugmentations(a: AugmentationConfig, input: FrameSize, rng: Rng, count: number): AugmentDraw[] {
  const out: AugmentDraw[] = [];
  for (let i = 0; i < count; i++) {
    // Always draw every number, so one switch does not shift the others' random streams.
    const flip = rng.next() < a.flipProbability;
    const brightness = rng.range(-a.brightness, a.brightness) * 2; // 2 = the width of -1..1
    const contrast = 1 + rng.range(-a.contrast, a.contrast);
    const hasShadow = rng.next() < a.shadowProbability;
    const top = rng.range(0, input.width);
    const bottom = rng.range(0, input.width);
    const left = rng.next() < 0.5;
    const darkness = rng.range(0.3, 1) * a.shadowDarkness;
    const dx = Math.round(rng.range(-a.shiftX, a.shiftX));
    const dy = Math.round(rng.range(-a.shiftY, a.shiftY));
    out.push({ flip, brightness, contrast, shadow: hasShadow && darkness > 0 ? { top, bottom, left, darkness } : null, dx, dy });
  }
  return out;
}

/**
 * Applies per-group draws to normalised frames [sum(lengths), H, W, 3] (group g is
 * lengths[g] consecutive frames). Returns a new tensor; caller disposes it.
 */
export function augmentFrames(
  x: tf.Tensor4D,
  draws: readonly AugmentDraw[],
  lengths: readonly number[],
  geometry: GeometryMethod = defaultGeometryMethod(),
): tf.Tensor4D {
  const [n, H, W] = x.shape;
  if (draws.length !== lengths.length || lengths.reduce((s, l) => s + l, 0) !== n) {
    throw new ModelError('invalid-input', `${draws.length} draws for ${lengths.length} groups of ${lengths.reduce((s, l) => s + l, 0)} frames (${n} given)`);
  }
  const perFrame: AugmentDraw[] = [];
  draws.forEach((d, g) => {
    for (let i = 0; i < lengths[g]; i++) perFrame.push(d);
  });
  return tf.tidy(() => {
    let y: tf.Tensor4D = x;
    if (perFrame.some((d) => d.flip || d.dx !== 0 || d.dy !== 0)) y = mirrorAndShift(y, perFrame, geometry);
    const column = (f: (d: AugmentDraw) => number): tf.Tensor4D => tf.tensor4d(Float32Array.from(perFrame, f), [n, 1, 1, 1]);
    if (perFrame.some((d) => d.contrast !== 1)) {
      const mean = tf.mean(y, [1, 2, 3], true);
      y = tf.add(tf.mul(tf.sub(y, mean), column((d) => d.contrast)), mean);
    }
    if (perFrame.some((d) => d.brightness !== 0)) y = tf.add(y, column((d) => d.brightness));
    if (perFrame.some((d) => d.shadow)) {
      // side > 0 on the dark side of the line u = top + (bottom - top) * v / (H - 1).
      const u = tf.reshape(tf.range(0, W), [1, 1, W, 1]);
      const v = tf.reshape(tf.range(0, H), [1, H, 1, 1]);
      const top = column((d) => d.shadow?.top ?? 0);
      const slope = column((d) => (d.shadow ? (d.shadow.bottom - d.shadow.top) / Math.max(1, H - 1) : 0));
      const sign = column((d) => (d.shadow?.left ? -1 : 1));
      const side = tf.mul(tf.sub(u, tf.add(top, tf.mul(slope, v))), sign);
      const dark = tf.mul(tf.step(side), column((d) => d.shadow?.darkness ?? 0));
      // Darken towards black (-1): (y + 1) * (1 - dark) - 1.
      y = tf.sub(tf.mul(tf.add(y, 1), tf.sub(1, dark)), 1);
    }
    return y === x ? tf.clone(x) : tf.clipByValue(y, -1, 1);
  });
}

/**
 * augmentFrames on a plain array of normalised frames [n, H, W, 3] (group g is lengths[g]
 * consecutive frames), in the same order of operations: mirror and shift, contrast around the
 * frame's mean, brightness, shadow, clip to -1..1; each step only where some frame of the batch
 * asks for it, as there. NOTE mutates `values`.
 */
export function augmentValues(values: Float32Array, shape: readonly [number, number, number, number], draws: readonly AugmentDraw[], lengths: readonly number[]): void {
  const [n, H, W, C] = shape;
  if (values.length !== n * H * W * C) throw new ModelError('invalid-input', `${values.length} values for frames of [${shape.join(', ')}]`);
  if (draws.length !== lengths.length || lengths.reduce((s, l) => s + l, 0) !== n) {
    throw new ModelError('invalid-input', `${draws.length} draws for ${lengths.length} groups of ${lengths.reduce((s, l) => s + l, 0)} frames (${n} given)`);
  }
  const perFrame: AugmentDraw[] = [];
  draws.forEach((d, g) => {
    for (let i = 0; i < lengths[g]; i++) perFrame.push(d);
  });
  const any = (f: (d: AugmentDraw) => boolean): boolean => perFrame.some(f);
  const geometry = any((d) => d.flip || d.dx !== 0 || d.dy !== 0);
  const contrast = any((d) => d.contrast !== 1);
  const brightness = any((d) => d.brightness !== 0);
  const shadow = any((d) => d.shadow !== null);
  if (!(geometry || contrast || brightness || shadow)) return;
  const F = H * W * C;
  const row = W * C;
  // One frame's values before its mirror and shift (a frame that does neither is left in place).
  const src = geometry ? new Float32Array(F) : null;
  const cols = new Int32Array(W);
  /** Frame `base` of `values` from its copy `src`, mirrored and shifted pixel by pixel. */
  const remap = (values: Float32Array, src: Float32Array, base: number, d: AugmentDraw): void => {
    for (let u = 0; u < W; u++) {
      const su = Math.min(W - 1, Math.max(0, u - d.dx));
      cols[u] = (d.flip ? W - 1 - su : su) * C;
    }
    for (let v = 0; v < H; v++) {
      const from = Math.min(H - 1, Math.max(0, v - d.dy)) * row;
      let to = base + v * row;
      for (let u = 0; u < W; u++, to += C) {
        const f = from + cols[u];
        for (let c = 0; c < C; c++) values[to + c] = src[f + c];
      }
    }
  };
  for (let i = 0; i < n; i++) {
    const d = perFrame[i];
    const base = i * F;
    if (src && (d.flip || d.dx !== 0 || d.dy !== 0)) {
      src.set(values.subarray(base, base + F));
      if (!d.flip && d.dx === 0) {
        // Rows moved whole (the default augmentation shifts vertically only).
        for (let v = 0; v < H; v++) {
          const from = Math.min(H - 1, Math.max(0, v - d.dy)) * row;
          values.set(src.subarray(from, from + row), base + v * row);
        }
      } else {
        remap(values, src, base, d);
      }
    }
    let mean = 0;
    if (contrast) {
      for (let k = base; k < base + F; k++) mean += values[k];
      mean = Math.fround(mean / F);
    }
    const k = Math.fround(d.contrast);
    const b = Math.fround(brightness ? d.brightness : 0);
    const sh = shadow ? d.shadow : null;
    if (!sh) {
      // No shadow on this frame: one flat pass (the same arithmetic as below with dark = 0 skipped).
      if (contrast) {
        for (let at = base; at < base + F; at++) {
          const y = (values[at] - mean) * k + mean + b;
          values[at] = y < -1 ? -1 : y > 1 ? 1 : y;
        }
      } else {
        for (let at = base; at < base + F; at++) {
          const y = values[at] + b;
          values[at] = y < -1 ? -1 : y > 1 ? 1 : y;
        }
      }
      continue;
    }
    // The side of the shadow's line in float32, op by op as augmentFrames computes it, so a pixel
    // on the line falls on the same side (Math.fround of one float32 op's exact result is that op).
    const top = Math.fround(sh.top);
    const slope = Math.fround((sh.bottom - sh.top) / Math.max(1, H - 1));
    const sign = sh.left ? -1 : 1;
    const lit = 1 - Math.fround(sh.darkness);
    for (let v = 0; v < H; v++) {
      const line = Math.fround(top + Math.fround(slope * v));
      for (let u = 0, at = base + v * row; u < W; u++) {
        // tf.step: 1 where the side is > 0.
        const f = Math.fround(u - line) * sign > 0 ? lit : 1;
        for (let c = 0; c < C; c++, at++) {
          let y = values[at];
          if (contrast) y = (y - mean) * k + mean;
          y = (y + b + 1) * f - 1;
          values[at] = y < -1 ? -1 : y > 1 ? 1 : y;
        }
      }
    }
  }
}

/**
 * How mirror and shift move pixels: 'js' remaps the values on the CPU (one read and one
 * upload; the wasm Gather kernel took ~300 ms for 64 frames of 66x200), 'gather' stays on the
 * device (for GPU backends, where reading back would stall). Both give the same pixels.
 */
export type GeometryMethod = 'js' | 'gather';

function defaultGeometryMethod(): GeometryMethod {
  const backend = tf.getBackend();
  return backend === 'cpu' || backend === 'wasm' ? 'js' : 'gather';
}

/**
 * Mirrors (first) then moves each frame's content dx right and dy down, repeating edge
 * pixels. tf.image.transform is not used: on cpu it is wrong past the first image.
 */
function mirrorAndShift(x: tf.Tensor4D, perFrame: readonly AugmentDraw[], method: GeometryMethod): tf.Tensor4D {
  const [n, H, W, C] = x.shape;
  /** Source row of output row v, source column of output column u (within one frame). */
  const rowOf = (d: AugmentDraw, v: number): number => Math.min(H - 1, Math.max(0, v - d.dy));
  const colOf = (d: AugmentDraw, u: number): number => {
    const su = Math.min(W - 1, Math.max(0, u - d.dx));
    return d.flip ? W - 1 - su : su;
  };
  if (method === 'gather') {
    const idx = new Int32Array(n * H * W);
    perFrame.forEach((d, i) => {
      for (let v = 0; v < H; v++) for (let u = 0; u < W; u++) idx[(i * H + v) * W + u] = (i * H + rowOf(d, v)) * W + colOf(d, u);
    });
    return tf.reshape(tf.gather(tf.reshape(x, [n * H * W, C]), tf.tensor1d(idx, 'int32')), [n, H, W, C]);
  }
  const src = x.dataSync();
  const out = new Float32Array(src.length);
  const cols = new Int32Array(W);
  perFrame.forEach((d, i) => {
    for (let u = 0; u < W; u++) cols[u] = colOf(d, u) * C; // the same on every row
    for (let v = 0; v < H; v++) {
      const from = (i * H + rowOf(d, v)) * W * C;
      let to = (i * H + v) * W * C;
      for (let u = 0; u < W; u++, to += C) {
        const f = from + cols[u];
        for (let c = 0; c < C; c++) out[to + c] = src[f + c];
      }
    }
  });
  return tf.tensor4d(out, [n, H, W, C]);
}

/**
 * The targets that go with augmented frames (raw units, n x 3 per example): a mirrored group's
 * steering changes sign, a shifted one gains shiftSteerPerPixel * dx (clamped to -1..1).
 * `examples[g]` is the number of examples group g gives. Returns a new array.
 */
export function augmentTargets(targets: Float32Array, draws: readonly AugmentDraw[], examples: readonly number[], shiftSteerPerPixel: number): Float32Array {
  const out = Float32Array.from(targets);
  let e = 0;
  draws.forEach((d, g) => {
    for (let i = 0; i < examples[g]; i++, e++) {
      const k = e * TARGETS_PER_EXAMPLE;
      let s = out[k];
      if (d.flip) s = -s;
      if (shiftSteerPerPixel !== 0) s = Math.max(-1, Math.min(1, s + shiftSteerPerPixel * d.dx));
      out[k] = s;
    }
  });
  if (e * TARGETS_PER_EXAMPLE !== targets.length) {
    throw new ModelError('invalid-input', `targets hold ${targets.length / TARGETS_PER_EXAMPLE} examples, the groups give ${e}`);
  }
  return out;
}

export { NO_AUGMENTATION };
