// Conv2DBackpropInput for the wasm backend. The one it ships is a scalar C++ loop (about
// 0.4 s for PilotNet's second layer at batch 32); this one is, per chunk of images, one
// XNNPACK matMul into patch space, dPatches = dy x W^T, then col2im folds the patches back
// onto the image.
import { backend_util, Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { col2imAdd, imageChunks, patchCols, patchGeometry, patchRows } from './patches.ts';
import { allocate, copyRows, heapView, matMul, convKernelTuning, release, transpose, withShape } from './wasmHeap.ts';

function conv2DBackpropInput(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Conv2DBackpropInputAttrs }): TensorInfo {
  const { inputs: { dy, filter }, backend, attrs } = args;
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad,
    attrs.dimRoundingMode, false, backend_util.convertConv2DDataFormat(attrs.dataFormat));
  const g = patchGeometry(info);
  const cols = patchCols(g);
  const dx = allocate(backend, [...info.inShape]);
  heapView(backend, dx).fill(0);
  if (patchRows(g) === 0) return dx; // empty output map: no gradient flows back

  // [KH, KW, Ci, Co] -> [Co, KH, KW, Ci], which is W^T as a [Co, K] matrix. XNNPACK packs it
  // once: the backend caches the packed operand by tensor, across the chunks below.
  const filterT = transpose(backend, filter, [3, 0, 1, 2]);
  const filterTMatrix = withShape(filterT, [g.outChannels, cols]);
  for (const chunk of imageChunks(g, convKernelTuning.patchChunkElements)) {
    const rows = patchRows(g, chunk.count);
    const dyRows = copyRows(backend, dy, g.outChannels, patchRows(g, chunk.first), rows);
    const dPatches = matMul(backend, dyRows, filterTMatrix);
    release(backend, dyRows);
    col2imAdd(heapView(backend, dPatches), heapView(backend, dx), g, chunk);
    release(backend, dPatches);
  }
  release(backend, filterT);
  return dx;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
