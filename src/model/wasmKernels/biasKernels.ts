// A layer's bias and its gradient on the wasm backend, on our SIMD module (simdConv.ts):
// - Add of a [..., C] tensor and a [C] vector (either order): the bias of every conv and dense
//   layer while training (tfjs fuses it into the conv or matMul only outside a gradient). The
//   backend's broadcasting Add runs it as a scalar loop (0.7 ms for conv1's 276K floats in a
//   step's profile); `bias_add` is one SIMD pass, the same bits.
// - Sum over every axis but the last: the bias's gradient. The backend transposes the tensor to
//   put the summed axes last, then sums (0.5 ms for conv1's); `col_sum` sums the rows in place,
//   in float64.
// Anything else, small tensors, or where the module did not start, goes to the shipped kernels.
import { Add, backend_util, Sum, util, type KernelConfig, type KernelFunc, type SumAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { offsetOf, simdConvFor } from './simdConv.ts';
import { allocate, release, runShippedKernel } from './wasmHeap.ts';

/** Tensors smaller than this keep the shipped kernels (a call of ours costs a few microseconds of setup). */
export const biasKernelTuning = { minElements: 4096 };

/** Calls that ran on our module (tests and benchmarks see which path a case took). */
export const biasKernelCalls = { add: 0, sum: 0 };

type AddArgs = { inputs: { a: TensorInfo; b: TensorInfo }; backend: BackendWasm };

function add(args: AddArgs): TensorInfo {
  const { inputs: { a, b }, backend } = args;
  const simd = simdConvFor(backend);
  const [x, bias] = b.shape.length === 1 ? [a, b] : [b, a];
  const c = bias.shape[0];
  if (!simd || a.dtype !== 'float32' || b.dtype !== 'float32' || bias.shape.length !== 1 || x.shape.length < 2
    || x.shape[x.shape.length - 1] !== c || c === 0 || util.sizeFromShape(x.shape) < biasKernelTuning.minElements) return runShippedKernel(Add, args);
  const out = allocate(backend, x.shape.slice());
  biasKernelCalls.add++;
  simd.k.bias_add(offsetOf(backend, x), offsetOf(backend, bias), offsetOf(backend, out), util.sizeFromShape(x.shape) / c, c);
  return out;
}

type SumArgs = { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: SumAttrs };

function sum(args: SumArgs): TensorInfo {
  const { inputs: { x }, backend, attrs } = args;
  const simd = simdConvFor(backend);
  const rank = x.shape.length;
  if (!simd || x.dtype !== 'float32' || rank < 2 || util.sizeFromShape(x.shape) < biasKernelTuning.minElements) return runShippedKernel(Sum, args);
  const axes = [...new Set(util.parseAxisParam(attrs.axis, x.shape))].sort((p, q) => p - q);
  if (axes.length !== rank - 1 || axes.some((ax, i) => ax !== i)) return runShippedKernel(Sum, args);
  const c = x.shape[rank - 1];
  const out = allocate(backend, attrs.keepDims ? backend_util.expandShapeToKeepDim([c], axes) : [c]);
  if (c === 0) return out;
  // Scratch for the float64 sums: 2 floats per channel (the heap's blocks are 8-byte aligned).
  const acc = allocate(backend, [2 * c]);
  biasKernelCalls.sum++;
  simd.k.col_sum(offsetOf(backend, x), offsetOf(backend, out), offsetOf(backend, acc), util.sizeFromShape(x.shape) / c, c);
  release(backend, acc);
  return out;
}

export const addConfig: KernelConfig = { kernelName: Add, backendName: 'wasm', kernelFunc: add as unknown as KernelFunc };
export const sumConfig: KernelConfig = { kernelName: Sum, backendName: 'wasm', kernelFunc: sum as unknown as KernelFunc };
