// BatchMatMul for the wasm backend: the shipped kernel, except that a product with a transposed
// operand and a batch of 1 transposes that operand first (the backend's compiled Transpose) and
// multiplies untransposed. The shipped kernel sends only untransposed batch-1 products to XNNPACK
// and runs every other one in a scalar loop; a training step's backward pass is full of them
// (dA = dy B^T and dB = A^T dy for every dense layer, the LSTM's recurrent and input kernels):
// 0.6-0.7 ms each for the LSTM's [33, 256] x [256, 64] there, a few hundredths of that here.
// Same products, summed in XNNPACK's order: equal to float rounding. Batches of more than one
// matrix go to the shipped kernel unchanged.
import { BatchMatMul, util, type BatchMatMulAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { release, runShippedKernel, transpose } from './wasmHeap.ts';

/** The permutation that swaps a tensor's last two axes. */
function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}

function batchMatMul(args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: BackendWasm; attrs: BatchMatMulAttrs }): TensorInfo {
  const run = (x: typeof args): TensorInfo => runShippedKernel(BatchMatMul, x);
  const { inputs: { a, b }, backend, attrs } = args;
  const { transposeA, transposeB } = attrs;
  const single = (t: TensorInfo): boolean => util.sizeFromShape(t.shape.slice(0, -2)) === 1;
  if (!(transposeA || transposeB) || !single(a) || !single(b) || a.dtype !== 'float32' || b.dtype !== 'float32') return run(args);
  const a2 = transposeA ? transpose(backend, a, swapLastTwo(a.shape.length)) : a;
  const b2 = transposeB ? transpose(backend, b, swapLastTwo(b.shape.length)) : b;
  try {
    return run({ inputs: { a: a2, b: b2 }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
  } finally {
    if (a2 !== a) release(backend, a2);
    if (b2 !== b) release(backend, b2);
  }
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMul as unknown as KernelFunc,
};
