// initBackend in Node: cpu and wasm start (wasm with our training kernels), browser-only
// backends refuse clearly, and the webgpu package is never loaded here.
import { describe, expect, it } from 'vitest';
import { initBackend, isNode, tf } from './tfSetup.ts';

describe('initBackend (Node)', () => {
  it('knows it runs in Node', () => expect(isNode()).toBe(true));

  it('starts cpu', async () => {
    const info = await initBackend('cpu');
    expect(info).toMatchObject({ name: 'cpu', runtime: 'node', ourKernels: [] });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('starts wasm from the package folder, with SIMD and our training kernels', async () => {
    const info = await initBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.wasmSimd).toBe(true);
    expect(info.wasmThreads).toBe(1);
    expect(info.ourKernels).toEqual(['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'BatchMatMul', 'Conv2D', 'Identity', 'Add', 'Sum', 'DeepSteerReluGrad']);
    expect(info.simdConv).toBeNull();
  });

  it('switches back and forth, and wasm can then differentiate a conv layer', async () => {
    await initBackend('cpu');
    const x = tf.ones([1, 5, 6, 2]) as tf.Tensor4D;
    await initBackend('wasm');
    const w = tf.ones([3, 3, 2, 1]) as tf.Tensor4D;
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid')))([x, w]);
    // Every tap of a 3x3 valid conv over 5x6 sees 3*4 output pixels of value-1 input.
    expect(Array.from(dw.dataSync())).toEqual(new Array(18).fill(12));
    expect(dx.shape).toEqual([1, 5, 6, 2]);
    tf.dispose([x, w, dx, dw]);
  });

  it('refuses webgl and webgpu in Node without loading the webgpu package', async () => {
    await expect(initBackend('webgl')).rejects.toThrow(/needs a browser/);
    await expect(initBackend('webgpu')).rejects.toThrow(/needs a browser/);
    expect(tf.findBackendFactory('webgpu')).toBeNull();
  });
});
