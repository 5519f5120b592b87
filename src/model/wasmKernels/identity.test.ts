// Our wasm Identity shares its input's bytes: a clone is not a copy, yet each tensor keeps the
// values after the other is disposed, the bytes are freed with the last of them, a variable
// assigned from a clone keeps its own values, and a conv layer's gradient (whose saved tensors
// are clones) is the same as with the shipped copying kernel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getKernel, Identity, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { initBackend, tf } from '../tfSetup.ts';
import { identityConfig } from './identity.ts';
import { replacedWasmKernel } from './index.ts';

const bytesOf = (t: tf.Tensor): number => (tf.backend() as BackendWasm).dataIdMap.get(t.dataId)!.memoryOffset;

describe('wasm Identity (shared bytes)', () => {
  beforeAll(async () => { await initBackend('wasm'); });

  it('is ours on wasm', () => expect(getKernel(Identity, 'wasm')).toBe(identityConfig));

  it('clones without copying, and frees the bytes with the last holder', () => {
    const before = tf.memory().numBytes;
    const a = tf.tensor([1, 2, 3, 4], [2, 2]);
    const b = tf.clone(a);
    expect(bytesOf(b)).toBe(bytesOf(a));
    expect((tf.backend() as BackendWasm).refCount(a.dataId)).toBe(2);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3, 4]);
    expect(b.shape).toEqual([2, 2]);
    b.dispose();
    expect(tf.memory().numBytes).toBe(before);
    expect((tf.backend() as BackendWasm).dataIdMap.has(a.dataId)).toBe(false);
  });

  it('keeps a variable and its source apart when either changes', () => {
    const src = tf.tensor([5, 6, 7]);
    const v = tf.variable(tf.clone(src));
    v.assign(tf.tensor([0, 0, 1]));
    expect(Array.from(src.dataSync())).toEqual([5, 6, 7]);
    const keep = tf.clone(v);
    v.assign(tf.tensor([9, 9, 9]));
    expect(Array.from(keep.dataSync())).toEqual([0, 0, 1]);
    tf.dispose([src, v, keep]);
  });

  it('gives a conv layer the same gradients as the shipped copying Identity', () => {
    const grads = (): number[][] => tf.tidy(() => {
      const x = tf.randomNormal([2, 9, 11, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
      const b = tf.randomNormal([4], 0, 1, 'float32', 3);
      const f = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.square(tf.relu(tf.add(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 2, 'same'), bb))));
      return tf.grads(f)([x, w, b]).map((g) => Array.from(g.dataSync()));
    });
    const ours = grads();
    const shipped = replacedWasmKernel(Identity)!;
    unregisterKernel(Identity, 'wasm');
    registerKernel(shipped);
    try {
      expect(grads()).toEqual(ours);
    } finally {
      unregisterKernel(Identity, 'wasm');
      registerKernel(identityConfig);
    }
  });

  it('leaves no tensor and no bytes behind across many training-like steps', () => {
    const w = tf.variable(tf.ones([3, 3, 2, 4]));
    const step = () => tf.tidy(() => {
      const x = tf.ones([1, 6, 6, 2]) as tf.Tensor4D;
      const { grads } = tf.variableGrads(() => tf.sum(tf.relu(tf.conv2d(x, w as unknown as tf.Tensor4D, 1, 'valid'))));
      w.assign(tf.sub(w, tf.mul(grads[w.name], 0.001)));
    });
    step();
    const { numTensors, numBytes } = tf.memory();
    for (let i = 0; i < 50; i++) step();
    expect(tf.memory().numTensors).toBe(numTensors);
    expect(tf.memory().numBytes).toBe(numBytes);
    w.dispose();
  });

  afterAll(() => { /* the backend stays for the next file */ });
});
