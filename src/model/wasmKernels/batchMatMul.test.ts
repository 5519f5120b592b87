// Our wasm BatchMatMul (batch-1 products A B^T on our SIMD conv kernels; with them off, and
// every other transposed form, transposed operands transposed first, then XNNPACK) against tfjs' cpu backend, for every transpose combination, ranks 2 and 3 and a batch of 2
// (which the shipped kernel keeps); the gradients of a dense layer and of the LSTM's recurrent
// product (the transposed products of a training step); no scratch buffer left on the heap.
import { describe, expect, it } from 'vitest';
import { getKernel } from '@tensorflow/tfjs-core';
import { initBackend, tf } from '../tfSetup.ts';
import { batchMatMulConfig, matMulCalls } from './batchMatMul.ts';
import { simdConvSettings } from './simdConv.ts';
import { compareBackends, seededTensor, takeValues, type ParityCase } from './parity.ts';

const TOLERANCE = 1e-5;

/** [m, k] x [k, n] with the operands stored transposed where asked, at the given batch (null: rank 2). */
function productCase(m: number, k: number, n: number, tA: boolean, tB: boolean, batch: number | null): ParityCase {
  const lead = batch === null ? [] : [batch];
  return {
    name: `matMul ${lead.join('')}${batch === null ? '' : 'x'}[${m}x${k}]${tA ? 'ᵀ' : ''} x [${k}x${n}]${tB ? 'ᵀ' : ''}`,
    run: () => {
      const a = seededTensor([...lead, ...(tA ? [k, m] : [m, k])], `mm/a/${m}/${k}`);
      const b = seededTensor([...lead, ...(tB ? [n, k] : [k, n])], `mm/b/${k}/${n}`);
      const out = takeValues([tf.matMul(a, b, tA, tB)]);
      tf.dispose([a, b]);
      return out;
    },
  };
}

const products: ParityCase[] = [];
for (const [m, k, n] of [[33, 256, 64], [64, 33, 256], [288, 48, 100], [1, 7, 5], [5, 1, 3]]) {
  for (const tA of [false, true]) for (const tB of [false, true]) for (const batch of [null, 1, 2]) products.push(productCase(m, k, n, tA, tB, batch));
}

const gradients: ParityCase[] = [
  {
    name: 'dense layer gradients (x W + b, relu)',
    run: () => {
      const x = seededTensor([48, 288], 'dense/x');
      const w = seededTensor([288, 100], 'dense/w', 0.1);
      const b = seededTensor([100], 'dense/b', 0.1);
      const g = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.square(tf.relu(tf.add(tf.matMul(xx, ww), bb)))))([x, w, b]);
      tf.dispose([x, w, b]);
      return takeValues(g);
    },
  },
  {
    name: 'recurrent product gradients (tanh(h U) over 3 steps)',
    run: () => {
      const h0 = seededTensor([33, 64], 'rec/h');
      const u = seededTensor([64, 64], 'rec/u', 0.2);
      const g = tf.grads((h: tf.Tensor, uu: tf.Tensor) => {
        let s = h;
        for (let t = 0; t < 3; t++) s = tf.tanh(tf.matMul(s, uu));
        return tf.sum(s);
      })([h0, u]);
      tf.dispose([h0, u]);
      return takeValues(g);
    },
  },
];

describe('BatchMatMul on wasm (ours) vs cpu', async () => {
  const results = await compareBackends([...products, ...gradients]);
  it.each(results.map((r) => [r.name, r] as const))('%s', (_, r) => {
    expect(r.relError).toBeLessThan(TOLERANCE);
  });

  it('runs batch-1 products A B^T up to MAX_SIMD_MACS on our kernels, and the rest on XNNPACK', async () => {
    await initBackend('wasm');
    const a = seededTensor([20, 30], 'path/a');
    const b = seededTensor([40, 30], 'path/b');
    const c = seededTensor([40, 20], 'path/c');
    const calls = matMulCalls.simd;
    tf.tidy(() => [tf.matMul(a, b, false, true), tf.matMul(tf.reshape(a, [1, 20, 30]), tf.reshape(b, [1, 40, 30]), false, true)]);
    expect(matMulCalls.simd).toBe(calls + 2);
    tf.tidy(() => [tf.matMul(c, b, true, false), tf.matMul(c, a), tf.matMul(a, c, true, true), tf.matMul(tf.stack([a, a]), tf.stack([b, b]), false, true)]);
    const big = tf.zeros([256, 128]);
    tf.tidy(() => tf.matMul(big, big, false, true)); // 256 x 128 x 256 = 8.4M multiply-adds
    expect(matMulCalls.simd).toBe(calls + 2);
    tf.dispose([a, b, c, big]);
  });

  it('is the kernel the wasm backend runs, and frees its scratch transposes', async () => {
    await initBackend('wasm');
    expect(getKernel('BatchMatMul', 'wasm')).toBe(batchMatMulConfig);
    const a = seededTensor([20, 30], 'free/a');
    const b = seededTensor([40, 30], 'free/b');
    const c = seededTensor([40, 20], 'free/c');
    const products = (): tf.Tensor[] => [tf.matMul(a, b, false, true), tf.matMul(a, c, true, true), tf.matMul(c, b, true, false)];
    tf.dispose(products()); // first calls may create long-lived XNNPACK state
    const before = tf.engine().backend.numDataIds();
    tf.dispose(products());
    expect(tf.engine().backend.numDataIds()).toBe(before);
    tf.dispose([a, b, c]);
  });
});

describe('BatchMatMul on wasm with our conv kernels off (XNNPACK) vs cpu', async () => {
  simdConvSettings.enabled = false;
  const calls = matMulCalls.simd;
  let results: Awaited<ReturnType<typeof compareBackends>>;
  try {
    results = await compareBackends([...products, ...gradients]);
  } finally {
    simdConvSettings.enabled = true;
  }
  const ours = matMulCalls.simd - calls;
  it('took the XNNPACK path', () => expect(ours).toBe(0));
  it.each(results.map((r) => [r.name, r] as const))('%s', (_, r) => {
    expect(r.relError).toBeLessThan(TOLERANCE);
  });
});
