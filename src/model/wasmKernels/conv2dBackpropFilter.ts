// Conv2DBackpropFilter for the wasm backend, which ships without it (so conv layers cannot
// train there). dW[kh,kw,ci,co] = sum over (b,oh,ow) of x[b, oh*s+kh-pad, ow*s+kw-pad, ci] * dy[b,oh,ow,co]:
// a patch matrix (im2col) per chunk of images and one XNNPACK matMul per chunk, instead of
// anything per filter tap.
import { backend_util, Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { im2col, imageChunks, patchCols, patchGeometry, patchRows } from './patches.ts';
import { allocate, copyRows, heapView, matMul, convKernelTuning, release, transpose, withShape } from './wasmHeap.ts';

function conv2DBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: BackendWasm; attrs: Conv2DBackpropFilterAttrs }): TensorInfo {
  const { inputs: { x, dy }, backend, attrs } = args;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad,
    attrs.dimRoundingMode, false, backend_util.convertConv2DDataFormat(attrs.dataFormat));
  const g = patchGeometry(info);
  const cols = patchCols(g);
  const dW = allocate(backend, [...info.filterShape]);
  heapView(backend, dW).fill(0);
  if (patchRows(g) === 0) return dW; // empty output map: no tap saw any gradient

  const chunks = imageChunks(g, convKernelTuning.patchChunkElements);
  const patches = allocate(backend, [patchRows(g, chunks[0].count), cols]);
  for (const chunk of chunks) {
    const rows = patchRows(g, chunk.count);
    im2col(heapView(backend, x), heapView(backend, patches), g, chunk);
    // dW += patches^T x dy. The backend runs only untransposed matMuls fast (XNNPACK), so
    // transpose the patches (compiled code) and multiply [K, rows] x [rows, Co].
    const patchesT = transpose(backend, withShape(patches, [rows, cols]), [1, 0]);
    const dyRows = copyRows(backend, dy, g.outChannels, patchRows(g, chunk.first), rows);
    const part = matMul(backend, patchesT, dyRows);
    release(backend, patchesT);
    release(backend, dyRows);
    const acc = heapView(backend, dW);
    const add = heapView(backend, part);
    for (let i = 0; i < acc.length; i++) acc[i] += add[i];
    release(backend, part);
  }
  release(backend, patches);
  return dW;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
