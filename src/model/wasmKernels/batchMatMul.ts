// BatchMatMul for the wasm backend. A product A B^T of one matrix by one (a batch of 1, up to
// MAX_SIMD_MACS) runs on our SIMD conv kernels (simdConv.ts) where they started: it is the input
// gradient of a 1x1 convolution (gradients A [m, k] through filter B [n, k]), which our dx kernel
// computes without the transpose of B that XNNPACK needs first: the dense layers' and the LSTM's
// backward products. Every other product of one matrix by one with a transposed operand
// transposes that operand first (the backend's compiled Transpose) and multiplies untransposed
// in XNNPACK: the shipped kernel sends only untransposed batch-1 products to XNNPACK and runs
// every other one in a scalar loop (0.6-0.7 ms each for the LSTM's [33, 256] x [256, 64], a few
// hundredths of that so). Same products, summed in another order: equal to float rounding.
// Batches of more than one matrix go to the shipped kernel unchanged.
import { BatchMatMul, util, type BatchMatMulAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { PatchGeometry } from './patches.ts';
import { simdBackpropInput, simdConvFor, simdConvSettings, type SimdModule } from './simdConv.ts';
import { release, runShippedKernel, transpose, withShape } from './wasmHeap.ts';

/**
 * Largest product (multiply-adds) of the form A B^T that runs on our kernels. Timed alone in Node
 * with fresh operands each call (as in training), ours beat transpose + XNNPACK on the dense
 * layers' and the LSTM's A B^T (32x288x50: 3.1-4.6 -> 4.5-4.7 GMAC/s; 48x64x256: 5.8-6.1 -> 6.7-6.9)
 * and lose from about 4M multiply-adds up (256^3: 12 -> 7). XNNPACK's untransposed product and
 * A^T B (after a transpose) beat ours at every size tried (33x256x64: 12.2 against 6.5), so
 * those keep its path.
 */
export const MAX_SIMD_MACS = 1 << 22;

/** Products that ran on our SIMD kernels (tests see which path a case took). */
export const matMulCalls = { simd: 0 };

/** A [m, k] x B^T (B stored [n, k]) of one matrix each, on our dx kernel: [m, n] under the operands' leading axes. */
function simdProductBT(backend: BackendWasm, simd: SimdModule, a: TensorInfo, b: TensorInfo): TensorInfo {
  const [m, k] = a.shape.slice(-2);
  const n = b.shape[b.shape.length - 2];
  // The input gradient of a 1x1 convolution of m one-pixel images from n channels to k: dy = a, filter b as [1, 1, n, k].
  const g: PatchGeometry = {
    batch: m, inHeight: 1, inWidth: 1, inChannels: n, outHeight: 1, outWidth: 1, outChannels: k,
    filterHeight: 1, filterWidth: 1, strideHeight: 1, strideWidth: 1, padTop: 0, padLeft: 0,
  };
  const out = simdBackpropInput(backend, simd, withShape(a, [m, 1, 1, k]), withShape(b, [1, 1, n, k]), g);
  matMulCalls.simd++;
  const lead = a.shape.length >= b.shape.length ? a.shape.slice(0, -2) : b.shape.slice(0, -2);
  return withShape(out, [...lead, m, n]);
}

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
  if (!single(a) || !single(b) || a.dtype !== 'float32' || b.dtype !== 'float32') return run(args);
  const simd = simdConvFor(backend);
  const macs = util.sizeFromShape(a.shape) * b.shape[b.shape.length - 2];
  if (simd && simdConvSettings.matMul && transposeB && !transposeA && macs > 0 && macs <= MAX_SIMD_MACS) return simdProductBT(backend, simd, a, b);
  if (!(transposeA || transposeB)) return run(args);
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
