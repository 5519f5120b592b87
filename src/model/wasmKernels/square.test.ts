// Our wasm Square (the backend's Multiply of x by itself, from 2 XNNPACK threads; here, on one,
// forced with squareTuning.minThreads = 0) against the shipped Square it replaces: the same bits, for small and large tensors, negative, tiny, huge (overflowing to infinity),
// infinite and NaN values; int32 goes to the shipped kernel; no tensor left on the heap.
import { describe, expect, it, onTestFinished } from 'vitest';
import { getKernel, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { initBackend, tf } from '../tfSetup.ts';
import { replacedWasmKernel } from './index.ts';
import { squareConfig, squareTuning } from './square.ts';

function shippedSquare(x: tf.Tensor): Float32Array | Int32Array {
  const shipped = replacedWasmKernel('Square');
  if (!shipped) throw new Error('the shipped Square was not kept');
  const backend = tf.engine().backend as unknown as BackendWasm;
  const out = (shipped.kernelFunc as unknown as (a: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: object }) => TensorInfo)({ inputs: { x }, backend, attrs: {} });
  const values = backend.readSync(out.dataId) as Float32Array | Int32Array;
  backend.disposeData(out.dataId);
  return values.slice();
}

describe('Square on wasm (ours: x * x)', () => {
  it('is the kernel the wasm backend runs', async () => {
    await initBackend('wasm');
    expect(getKernel('Square', 'wasm')).toBe(squareConfig);
    expect(typeof (squareConfig.kernelFunc as KernelFunc)).toBe('function');
  });

  it.each([1, 7, 2112, 100_000].flatMap((n) => [[n, 0], [n, 2]]))('gives the shipped kernel\'s bits (%i values, as Multiply from %i threads)', async (n, minThreads) => {
    await initBackend('wasm');
    squareTuning.minThreads = minThreads;
    onTestFinished(() => {
      squareTuning.minThreads = 2;
    });
    let s = n;
    const values = Float32Array.from({ length: n }, (_, i) => {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const u = s / 0x7fffffff - 0.5;
      return i % 5 === 0 ? u * 1e-20 : i % 7 === 0 ? u * 3e19 : u * 10;
    });
    const special = [0, -0, Infinity, -Infinity, NaN, 3.4e38, -1.5e-45];
    values.set(special.slice(0, Math.min(n, special.length)));
    const x = tf.tensor1d(values);
    const before = tf.engine().backend.numDataIds();
    const ours = tf.square(x);
    const got = ours.dataSync() as Float32Array;
    const want = shippedSquare(x);
    expect(Array.from(new Uint32Array(got.buffer, got.byteOffset, got.length))).toEqual(Array.from(new Uint32Array(want.buffer, want.byteOffset, want.length)));
    ours.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(before);
    x.dispose();
  });

  it('squares int32 with the shipped kernel', async () => {
    await initBackend('wasm');
    const x = tf.tensor1d([-3, 0, 4, 46340], 'int32');
    const y = tf.square(x);
    expect(y.dtype).toBe('int32');
    expect(Array.from(y.dataSync())).toEqual([9, 0, 16, 46340 * 46340]);
    tf.dispose([x, y]);
  });
});
