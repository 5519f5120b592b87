// Conv2DBackpropInput for the wasm backend. The one it ships is a scalar C++ loop (about
// 0.5 s for PilotNet's second layer at batch 32); this one is one XNNPACK matMul into patch
// space, dPatches = dy x W^T, then col2im folds the patches back onto the image.
import { backend_util, Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { col2imAdd, patchCols, patchGeometry, patchRows } from './patches.ts';
import { allocate, heapView, matMul, release, transpose, withShape } from './wasmHeap.ts';

function conv2DBackpropInput(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Conv2DBackpropInputAttrs }): TensorInfo {
  const { inputs: { dy, filter }, backend, attrs } = args;
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad,
    attrs.dimRoundingMode, false, backend_util.convertConv2DDataFormat(attrs.dataFormat));
  const g = patchGeometry(info);
  const rows = patchRows(g);
  const cols = patchCols(g);

  if (rows === 0 || info.inShape.includes(0)) {
    // An empty output map sends no gradient back: dx is all zeros.
    const zeros = allocate(backend, [...info.inShape]);
    heapView(backend, zeros).fill(0);
    return zeros;
  }
  // [KH, KW, Ci, Co] -> [Co, KH, KW, Ci], which is W^T as a [Co, K] matrix.
  const filterT = transpose(backend, filter, [3, 0, 1, 2]);
  const dPatches = matMul(backend, withShape(dy, [rows, g.outChannels]), withShape(filterT, [g.outChannels, cols]));
  release(backend, filterT);
  const dx = allocate(backend, [...info.inShape]);
  const dxView = heapView(backend, dx);
  dxView.fill(0);
  col2imAdd(heapView(backend, dPatches), dxView, g);
  release(backend, dPatches);
  return dx;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
