// BatchMatMul for the wasm backend. A product of one matrix by one (a batch of 1) runs on our
// SIMD conv kernels (simdConv.ts) where they started: [m, k] x [k, n] is a 1x1 convolution of m
// one-pixel images with k channels, and its two transposed forms are that convolution's filter
// and input gradients (A^T B = dW of images A with gradients B; A B^T = dx of gradients A through
// filter B). The shipped kernel sends only untransposed batch-1 products to XNNPACK, which
// repacks the weights on every call (0.28 ms for a dense layer's [32, 288] x [288, 50] in a
// training step's profile, under 2 GMAC/s), and runs every other product in a scalar loop.
// Where our kernels do not run, or both operands are transposed, a transposed operand is
// transposed first (the backend's compiled Transpose) and XNNPACK multiplies untransposed
// (0.6-0.7 ms each for the LSTM's [33, 256] x [256, 64] in the scalar loop, a few hundredths
// of that so). Same products, summed in another order: equal to float rounding. Batches of more
// than one matrix go to the shipped kernel unchanged.
import { BatchMatMul, util, type BatchMatMulAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { PatchGeometry } from './patches.ts';
import { simdBackpropFilter, simdBackpropInput, simdConvFor, simdConvForward, simdConvSettings, type SimdModule } from './simdConv.ts';
import { release, runShippedKernel, transpose, withShape } from './wasmHeap.ts';

/** Products that ran on our SIMD kernels (tests see which path a case took). */
export const matMulCalls = { simd: 0 };

/** The 1x1 convolution of `pixels` one-pixel images of `cin` channels to `cout`: the product [pixels, cin] x [cin, cout]. */
const pointwise = (pixels: number, cin: number, cout: number): PatchGeometry => ({
  batch: pixels, inHeight: 1, inWidth: 1, inChannels: cin, outHeight: 1, outWidth: 1, outChannels: cout,
  filterHeight: 1, filterWidth: 1, strideHeight: 1, strideWidth: 1, padTop: 0, padLeft: 0,
});

/** a x b (each stored transposed where asked, not both) of one matrix each, on our kernels: [m, n] under a's leading axes. */
function simdProduct(backend: BackendWasm, simd: SimdModule, a: TensorInfo, b: TensorInfo, tA: boolean, tB: boolean): TensorInfo {
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const [m, k, n] = [tA ? ac : ar, tA ? ar : ac, tB ? br : bc];
  let out: TensorInfo;
  // Each operand seen as the convolution's NHWC images or [1, 1, in, out] filter (the same bytes).
  if (tA) out = simdBackpropFilter(backend, simd, withShape(a, [k, 1, 1, m]), withShape(b, [k, 1, 1, n]), pointwise(k, m, n)); // dW [m, n]
  else if (tB) out = simdBackpropInput(backend, simd, withShape(a, [m, 1, 1, k]), withShape(b, [1, 1, n, k]), pointwise(m, n, k)); // dx [m, n]
  else out = simdConvForward(backend, simd, withShape(a, [m, 1, 1, k]), withShape(b, [1, 1, k, n]), pointwise(m, k, n));
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
  const sizes = [...a.shape.slice(-2), ...b.shape.slice(-2)];
  if (simd && simdConvSettings.matMul && !(transposeA && transposeB) && sizes.every((d) => d > 0)) return simdProduct(backend, simd, a, b, transposeA, transposeB);
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
