// Frames and targets in and out of the model: Uint8 RGB frames at any clip size -> float
// tensors at the model's input size (area or bilinear resize, pixels scaled to -1..1); target
// normalisation (mean/std per head, stored with the model); a training batch's frames with their
// augmentation (augment.ts) applied, and the targets that go with it (augmentTargets).
//
// Ownership: functions that return a tensor hand it to the caller (who disposes it); their
// intermediates are freed inside tf.tidy.

import { HEAD_NAMES, type HeadValues, type ModelConfig, type ResizeMethod } from './config.ts';
import { areaResizeBytes, areaWeights } from './areaResize.ts';
import { ModelError } from './modelErrors.ts';
import { augmentFrames, augmentValues, defaultGeometryMethod, type AugmentDraw } from './augment.ts';
import { standardizeFrames, standardizeValues } from './standardize.ts';
import { tf } from './tfSetup.ts';
import { heapFrames } from './wasmKernels/heapFrames.ts';

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
  const heap = framesOnHeap(frames, count, size, input);
  if (heap) return finishedOnHeap(heap, () => { if (input.standardize) standardizeValues(heap.values, count); });
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
  checkFrames(frames, count, size);
  const to = { width: input.width, height: input.height };
  if (size.width === to.width && size.height === to.height) return scaledBytes(frames);
  // Area resampling straight from the bytes, in JS: one pass over them, and a tensor of the
  // model's size to upload (the tensor path uploaded the full frames, transposed them twice and
  // multiplied by two mostly-zero weight matrices: 45 of a 150 ms training step on wasm).
  if (input.resize === 'area') return areaResizeBytes(frames, count, size, to);
  return null;
}

/**
 * What frameValues gives, as a tensor made on the wasm heap by our module, with a view of its
 * values (wasmKernels/heapFrames.ts: the same bits, without the JS array and its upload); null
 * where that path does not apply (then frameValues). Checks the frames.
 */
function framesOnHeap(frames: Uint8Array, count: number, size: FrameSize, input: ModelConfig['input']): { tensor: tf.Tensor4D; values: Float32Array } | null {
  checkFrames(frames, count, size);
  return heapFrames(frames, count, size, { width: input.width, height: input.height }, input.resize);
}

/** The heap tensor after `finish` changed its values in place; disposed if `finish` throws. */
function finishedOnHeap(heap: { tensor: tf.Tensor4D }, finish: () => void): tf.Tensor4D {
  try {
    finish();
  } catch (e) {
    heap.tensor.dispose();
    throw e;
  }
  return heap.tensor;
}

/** Throws unless `frames` holds `count` RGB frames of `size`. */
function checkFrames(frames: Uint8Array, count: number, size: FrameSize): void {
  const { width, height } = size;
  if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(width) && width >= 1 && Number.isInteger(height) && height >= 1)) {
    throw new ModelError('invalid-input', `frames need count, width and height >= 1, got ${count} x ${width}x${height}`);
  }
  const n = count * width * height * 3;
  if (frames.length !== n) {
    throw new ModelError('invalid-input', `expected ${count} RGB frames of ${width}x${height} (${n} bytes), got ${frames.length} bytes`);
  }
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
 * instead of about 30 tensor ops and a read back), or on wasm where our module runs to the
 * tensor it made on the heap, in place; elsewhere, and for bilinear resizing, with tensor ops
 * on the device. Caller disposes the result.
 */
export function trainingFrames(
  frames: Uint8Array, count: number, size: FrameSize, input: ModelConfig['input'], draws: readonly AugmentDraw[] | null, lengths: readonly number[],
): tf.Tensor4D {
  const inJs = defaultGeometryMethod() === 'js';
  const heap = inJs ? framesOnHeap(frames, count, size, input) : null;
  if (heap) {
    return finishedOnHeap(heap, () => {
      if (draws) augmentValues(heap.values, [count, input.height, input.width, 3], draws, lengths);
      if (input.standardize) standardizeValues(heap.values, count);
    });
  }
  const js = inJs ? frameValues(frames, count, size, input) : null;
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

// The augmentation lives in augment.ts; its API is also reachable from here, as before the split.
export { augmentationIsOff, augmentFrames, augmentValues, drawAugmentations, NO_AUGMENTATION, type AugmentDraw, type GeometryMethod } from './augment.ts';
