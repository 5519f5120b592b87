// The seeded training augmentation: brightness and contrast, shadows, a mirror (the steering's
// sign flips with it, preprocess.ts augmentTargets) and small shifts, drawn once per frame group
// so every frame of a window or run shares one draw; applied with tensor ops (augmentFrames, any
// backend) or to a plain array before the upload (augmentValues, cpu and wasm: trainingFrames in
// preprocess.ts). Both give the same values (trainingFrames.test).
//
// Ownership: augmentFrames returns a new tensor the caller disposes; its intermediates are freed
// inside tf.tidy.

import type { Rng } from '../core/rng.ts';
import type { AugmentationConfig } from './config.ts';
import { ModelError } from './modelErrors.ts';
import type { FrameSize } from './preprocess.ts';
import { tf } from './tfSetup.ts';

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

export const NO_AUGMENTATION: AugmentDraw = { flip: false, brightness: 0, contrast: 1, shadow: null, dx: 0, dy: 0 };

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
        remapFrame(values, base, src, 0, d, [H, W, C], cols);
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

/** 'js' where the values live in CPU memory anyway (cpu, wasm), else 'gather'. */
export function defaultGeometryMethod(): GeometryMethod {
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
  const src = x.dataSync() as Float32Array;
  const out = new Float32Array(src.length);
  const cols = new Int32Array(W);
  const F = H * W * C;
  perFrame.forEach((d, i) => remapFrame(out, i * F, src, i * F, d, [H, W, C], cols));
  return tf.tensor4d(out, [n, H, W, C]);
}

/**
 * One frame [H, W, C] of `src` at `srcBase`, mirrored (first) then moved dx right and dy down
 * with edge pixels repeated, into `dst` at `dstBase`, pixel by pixel. `cols` is scratch of W.
 */
function remapFrame(
  dst: Float32Array, dstBase: number, src: Float32Array, srcBase: number, d: AugmentDraw, [H, W, C]: readonly [number, number, number], cols: Int32Array,
): void {
  for (let u = 0; u < W; u++) {
    const su = Math.min(W - 1, Math.max(0, u - d.dx));
    cols[u] = (d.flip ? W - 1 - su : su) * C; // the same on every row
  }
  const row = W * C;
  for (let v = 0; v < H; v++) {
    const from = srcBase + Math.min(H - 1, Math.max(0, v - d.dy)) * row;
    let to = dstBase + v * row;
    for (let u = 0; u < W; u++, to += C) {
      const f = from + cols[u];
      for (let c = 0; c < C; c++) dst[to + c] = src[f + c];
    }
  }
}
