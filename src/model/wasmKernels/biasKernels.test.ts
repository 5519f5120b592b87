// Our wasm Add of a bias vector and Sum over every axis but the last (biasKernels.ts): the bias
// add gives the shipped kernel's bits, the column sums the float64 sums rounded once (so within
// float32 rounding of the cpu backend's), on shapes with leftover lanes; every other case goes to
// the shipped kernels; a conv layer's gradients (whose bias gradient is such a Sum) still match the
// cpu backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { Add, registerKernel, Sum, unregisterKernel } from '@tensorflow/tfjs-core';
import { initBackend, tf } from '../tfSetup.ts';
import { addConfig, biasKernelCalls, sumConfig } from './biasKernels.ts';
import { replacedWasmKernel } from './index.ts';
import { seededTensor } from './parity.ts';

/** Runs f with the wasm package's own kernel in place of ours. */
function withShipped<T>(name: string, f: () => T): T {
  const ours = name === Add ? addConfig : sumConfig;
  unregisterKernel(name, 'wasm');
  registerKernel(replacedWasmKernel(name)!);
  try {
    return f();
  } finally {
    unregisterKernel(name, 'wasm');
    registerKernel(ours);
  }
}

const values = (t: tf.Tensor): Float32Array => { const v = t.dataSync() as Float32Array; t.dispose(); return v; };

describe('wasm bias kernels', () => {
  beforeAll(async () => { await initBackend('wasm'); });

  it.each([
    [[32, 15, 48, 12], false],
    [[2, 40, 60, 13], false],
    [[64, 100], true],
    [[5000, 3], true],
  ])('Add of %j and its last axis\'s bias (bias first: %s) is ours, with the shipped kernel\'s bits', (shape, biasFirst) => {
    const x = seededTensor(shape as number[], `bias/x/${shape}`);
    const b = seededTensor([shape[shape.length - 1] as number], `bias/b/${shape}`);
    const before = biasKernelCalls.add;
    const ours = values(biasFirst ? tf.add(b, x) : tf.add(x, b));
    expect(biasKernelCalls.add).toBe(before + 1);
    expect(ours).toEqual(withShipped(Add, () => values(biasFirst ? tf.add(b, x) : tf.add(x, b))));
    tf.dispose([x, b]);
  });

  it('leaves every other Add to the shipped kernel', () => {
    const before = biasKernelCalls.add;
    const cases: [number[], number[]][] = [[[64, 100], [64, 100]], [[64, 100], [1, 100]], [[64, 100], [64, 1]], [[3, 5], [5]], [[6000], [6000]]];
    for (const [sa, sb] of cases) {
      const a = seededTensor(sa, `add/a/${sa}`), b = seededTensor(sb, `add/b/${sb}`);
      expect(values(tf.add(a, b)), `${sa} + ${sb}`).toEqual(withShipped(Add, () => values(tf.add(a, b))));
      tf.dispose([a, b]);
    }
    const i = tf.ones([64, 100], 'int32'), j = tf.ones([100], 'int32');
    expect(Array.from(values(tf.add(i, j)).slice(0, 3))).toEqual([2, 2, 2]);
    tf.dispose([i, j]);
    expect(biasKernelCalls.add).toBe(before);
  });

  it.each([
    [[32, 15, 48, 12], [0, 1, 2], false],
    [[32, 15, 48, 12], [2, 0, 1], true],
    [[2, 40, 60, 13], [-2, -3, -4], false],
    [[5000, 3], [0], false],
  ])('Sum of %j over %j (keepDims %s) is ours: float64 sums, rounded once', (shape, axes, keepDims) => {
    const x = seededTensor(shape as number[], `sum/x/${shape}`);
    const c = shape[shape.length - 1] as number;
    const xs = x.dataSync() as Float32Array;
    const ref = new Float64Array(c);
    for (let i = 0; i < xs.length; i++) ref[i % c] += xs[i];
    const before = biasKernelCalls.sum;
    const out = tf.sum(x, axes as number[], keepDims as boolean);
    expect(biasKernelCalls.sum).toBe(before + 1);
    expect(out.shape).toEqual(keepDims ? [...(shape as number[]).slice(0, -1).map(() => 1), c] : [c]);
    expect(Array.from(values(out))).toEqual(Array.from(ref, (v) => Math.fround(v)));
    x.dispose();
  });

  it('leaves every other Sum to the shipped kernel', () => {
    const before = biasKernelCalls.sum;
    const x = seededTensor([32, 15, 48, 12], 'sum/other');
    for (const axes of [[0], [1, 2], [3], [0, 1, 2, 3], [1, 2, 3]]) {
      expect(values(tf.sum(x, axes)), `axes ${axes}`).toEqual(withShipped(Sum, () => values(tf.sum(x, axes))));
    }
    const small = seededTensor([10, 12], 'sum/small');
    expect(values(tf.sum(small, 0))).toEqual(withShipped(Sum, () => values(tf.sum(small, 0))));
    const ints = tf.ones([64, 100], 'int32');
    expect(Array.from(values(tf.sum(ints, 0)).slice(0, 2))).toEqual([64, 64]);
    tf.dispose([x, small, ints]);
    expect(biasKernelCalls.sum).toBe(before);
  });

  it('gives a biased conv layer the cpu backend\'s gradients, and leaves no tensor behind', async () => {
    const grads = (): Float32Array[] => tf.tidy(() => {
      const x = seededTensor([4, 20, 30, 3], 'conv/x') as tf.Tensor4D;
      const w = seededTensor([3, 3, 3, 12], 'conv/w') as tf.Tensor4D;
      const b = seededTensor([12], 'conv/b');
      const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.square(tf.relu(tf.add(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, 'same'), bb))));
      return tf.grads(f)([x, w, b]).map((g) => g.dataSync() as Float32Array);
    });
    const before = { ...biasKernelCalls };
    const tensors = tf.memory().numTensors;
    const ours = grads();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(biasKernelCalls.add).toBeGreaterThan(before.add);
    expect(biasKernelCalls.sum).toBeGreaterThan(before.sum);
    await initBackend('cpu');
    const cpu = grads();
    await initBackend('wasm');
    ours.forEach((g, i) => {
      const scale = Math.max(...cpu[i].map(Math.abs));
      g.forEach((v, j) => expect(Math.abs(v - cpu[i][j]) / scale).toBeLessThan(1e-5));
    });
  });
});
