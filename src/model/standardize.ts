// input.standardize: each frame's channels to zero mean and unit spread before the encoder, in JS
// (the cpu and wasm training path, where frames are prepared as arrays) and with tensor ops (the
// other backends, bilinear resizing); the two agree to float rounding (trainingFrames.test.ts).

import { tf } from './tfSetup.ts';

/** Below this a channel's spread counts as flat: a blank frame stays near 0 instead of blowing up its noise. */
const MIN_PIXEL_SPREAD = 1 / 64;

/**
 * input.standardize: each frame's channel to zero mean and unit spread (its std, at least
 * MIN_PIXEL_SPREAD), so the light of the scene (day, dusk, overcast, night) moves no pixel's
 * value by itself and only the frame's own contrasts remain. NOTE mutates `values` ([n, H, W, 3]).
 */
export function standardizeValues(values: Float32Array, count: number): void {
  const F = values.length / count;
  const px = F / 3;
  for (let i = 0; i < count; i++) {
    const base = i * F;
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      let sq = 0;
      for (let k = base + c; k < base + F; k += 3) {
        sum += values[k];
        sq += values[k] * values[k];
      }
      const mean = sum / px;
      const inv = 1 / Math.max(Math.sqrt(Math.max(0, sq / px - mean * mean)), MIN_PIXEL_SPREAD);
      for (let k = base + c; k < base + F; k += 3) values[k] = (values[k] - mean) * inv;
    }
  }
}

/** standardizeValues with tensor ops: a new tensor, the caller disposes it. */
export function standardizeFrames(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2], true);
    return tf.div(tf.sub(x, mean), tf.maximum(tf.sqrt(variance), MIN_PIXEL_SPREAD));
  });
}
