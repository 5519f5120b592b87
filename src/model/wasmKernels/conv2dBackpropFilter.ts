// Conv2DBackpropFilter for the wasm backend, which ships without it (so conv layers cannot
// train there). dW[kh,kw,ci,co] = sum over (b,oh,ow) of x[b, oh*s+kh-pad, ow*s+kw-pad, ci] * dy[b,oh,ow,co]:
// built as one patch matrix and one big XNNPACK matMul rather than anything per tap.
import { backend_util, Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { im2col, patchCols, patchGeometry, patchRows } from './patches.ts';
import { allocate, heapView, matMul, release, transpose, withShape } from './wasmHeap.ts';

function conv2DBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: BackendWasm; attrs: Conv2DBackpropFilterAttrs }): TensorInfo {
  const { inputs: { x, dy }, backend, attrs } = args;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad,
    attrs.dimRoundingMode, false, backend_util.convertConv2DDataFormat(attrs.dataFormat));
  const g = patchGeometry(info);
  const rows = patchRows(g);
  const cols = patchCols(g);

  if (rows === 0) {
    // An empty output map (filter larger than a 'valid' input): no tap saw any gradient.
    const zeros = allocate(backend, [...info.filterShape]);
    heapView(backend, zeros).fill(0);
    return zeros;
  }
  const patches = allocate(backend, [rows, cols]);
  im2col(heapView(backend, x), heapView(backend, patches), g);
  // dW = patches^T x dy. The backend only runs untransposed matMuls fast, so transpose the
  // patch matrix once (compiled code) and multiply [K, M] x [M, Co].
  const patchesT = transpose(backend, patches, [1, 0]);
  release(backend, patches);
  const dW = matMul(backend, patchesT, withShape(dy, [rows, g.outChannels]));
  release(backend, patchesT);
  return withShape(dW, [...info.filterShape]);
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
