// Relu's gradient on our kernel gives tfjs' own formula's bits (dy * cast(step(x))): positive,
// negative, zero, -0 and NaN inputs, sizes with and without a tail of fewer than 4 lanes; it
// runs on our module on wasm, and tfjs' formula where the module is off and on cpu.
import { afterEach, describe, expect, it } from 'vitest';
import { createRng } from '../../core/rng.ts';
import { initBackend, tf } from '../tfSetup.ts';
import { reluGradCalls } from './reluGrad.ts';
import { simdConvSettings } from './simdConv.ts';

/** Inputs around zero with the edge values among them, and gradients of both signs. */
function inputs(n: number, seed: number): { x: Float32Array; dy: Float32Array } {
  const rng = createRng(seed);
  const x = Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
  const edges = [0, -0, Number.NaN, 1e-30, -1e-30, Infinity, -Infinity];
  edges.forEach((e, i) => { if (i * 3 < n) x[i * 3] = e; });
  const dy = Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * 3);
  if (n > 5) dy[5] = Number.NaN;
  return { x, dy };
}

/** The gradient of relu at x against upstream dy, through the registered gradient. */
function viaGradient(x: tf.Tensor, dy: tf.Tensor): Uint32Array {
  const g = tf.tidy(() => tf.grad((t: tf.Tensor) => tf.relu(t))(x, dy));
  const bits = new Uint32Array(Float32Array.from(g.dataSync() as Float32Array).buffer);
  g.dispose();
  return bits;
}

/** The first index where two bit patterns differ, or -1 (a failure names it instead of diffing 276K values). */
function firstDifference(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  return a.findIndex((v, i) => v !== b[i]);
}

/** tfjs' own formula, on the current backend's kernels. */
function formula(x: tf.Tensor, dy: tf.Tensor): Uint32Array {
  const g = tf.tidy(() => tf.mul(dy, tf.cast(tf.step(x), 'float32')));
  const bits = new Uint32Array(Float32Array.from(g.dataSync() as Float32Array).buffer);
  g.dispose();
  return bits;
}

describe('Relu\'s gradient', () => {
  afterEach(() => { simdConvSettings.enabled = true; });

  it.each([[1], [3], [4], [7], [64], [4099], [32 * 15 * 48 * 12]])('on our kernel, %i values: tfjs\' bits', async (n) => {
    await initBackend('wasm');
    const { x, dy } = inputs(n, n);
    const [xt, dyt] = [tf.tensor(x), tf.tensor(dy)];
    const before = tf.memory().numTensors;
    const calls = reluGradCalls.simd;
    const ours = viaGradient(xt, dyt);
    expect(reluGradCalls.simd).toBe(calls + 1);
    expect(firstDifference(ours, formula(xt, dyt))).toBe(-1);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([xt, dyt]);
  });

  it('keeps tfjs\' formula where our module is off, and on cpu', async () => {
    for (const backend of ['wasm', 'cpu'] as const) {
      await initBackend(backend);
      simdConvSettings.enabled = backend !== 'wasm';
      const { x, dy } = inputs(101, 7);
      const [xt, dyt] = [tf.tensor(x, [101, 1]), tf.tensor(dy, [101, 1])];
      const calls = reluGradCalls.simd;
      expect(firstDifference(viaGradient(xt, dyt), formula(xt, dyt))).toBe(-1);
      expect(reluGradCalls.simd).toBe(calls);
      tf.dispose([xt, dyt]);
    }
  });

  it('gives a conv net\'s weight gradients the same bits as with our module off', async () => {
    await initBackend('wasm');
    const rng = createRng(3);
    const x = tf.tensor4d(Float32Array.from({ length: 2 * 9 * 11 * 3 }, () => rng.next() * 2 - 1), [2, 9, 11, 3]);
    const w = tf.variable(tf.tensor4d(Float32Array.from({ length: 3 * 3 * 3 * 5 }, () => rng.next() - 0.5), [3, 3, 3, 5]));
    const loss = (): tf.Scalar => tf.sum(tf.square(tf.relu(tf.conv2d(x, w as tf.Tensor4D, 1, 'same')))) as tf.Scalar;
    const gradOf = (): Float32Array => tf.tidy(() => Float32Array.from(tf.variableGrads(loss).grads[w.name].dataSync() as Float32Array));
    const calls = reluGradCalls.simd;
    const ours = gradOf();
    expect(reluGradCalls.simd).toBe(calls + 1);
    // The module off runs the whole step on tfjs' kernels: a different conv, so a tolerance, not bits.
    simdConvSettings.enabled = false;
    const theirs = gradOf();
    expect(ours.some((v) => v !== 0)).toBe(true);
    ours.forEach((v, i) => expect(Math.abs(v - theirs[i])).toBeLessThan(1e-4 * (1 + Math.abs(theirs[i]))));
    tf.dispose([x, w]);
  });
});
