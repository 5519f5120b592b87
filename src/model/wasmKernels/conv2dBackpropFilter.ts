// Conv2DBackpropFilter for the wasm backend, which ships without it (so conv layers cannot
// train there). dW[kh,kw,ci,co] = sum over (b,oh,ow) of x[b, oh*sh+kh-padTop, ow*sw+kw-padLeft, ci] * dy[b,oh,ow,co]
// is itself a convolution, run on the backend's compiled (XNNPACK) Conv2D: the image with its
// channels as the batch and its batch as the channels, x^T [Ci, H, W, B], convolved with the
// output gradient as the filter, dy^T [OH, OW, B, Co], at dilation (sh, sw) and stride 1, gives
// [Ci, KH, KW, Co]. XNNPACK walks the taps through its indirection buffer, so no patch matrix is
// written in JS and none is transposed (the im2col + transpose + matMul this replaced spent more
// time building the patch matrix than multiplying it: 11.7 -> 8.8 CPU ms for the default
// encoder's first layer at 48 frames, 8.5 -> 5.8 for its second, in one run under load).
import { backend_util, Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { patchGeometry, patchRows } from './patches.ts';
import { simdBackpropFilter, simdConvFor } from './simdConv.ts';
import { allocate, heapView, release, runWasmKernel, transpose } from './wasmHeap.ts';

function conv2DBackpropFilter(args: { inputs: { x: TensorInfo; dy: TensorInfo }; backend: BackendWasm; attrs: Conv2DBackpropFilterAttrs }): TensorInfo {
  const { inputs: { x, dy }, backend, attrs } = args;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], attrs.filterShape, attrs.strides, 1, attrs.pad,
    attrs.dimRoundingMode, false, backend_util.convertConv2DDataFormat(attrs.dataFormat));
  const g = patchGeometry(info);
  if (patchRows(g) === 0) {
    const dW = allocate(backend, [...info.filterShape]);
    heapView(backend, dW).fill(0); // empty output map: no tap saw any gradient
    return dW;
  }
  const simd = simdConvFor(backend);
  if (simd) return simdBackpropFilter(backend, simd, x, dy, g);
  const dW = allocate(backend, [...info.filterShape]);
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, outChannels: CO } = g;
  const { filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW, padTop, padLeft } = g;
  // The last tap of the last output pixel is at row (OH-1)*SH + KH-1 of the padded image: pad the
  // bottom (and right) up to it. Rows past it (a 'valid' conv that left some unused) only add
  // output rows below KH, which are not copied.
  const padBottom = Math.max(0, (OH - 1) * SH + KH - H - padTop);
  const padRight = Math.max(0, (OW - 1) * SW + KW - W - padLeft);
  const xT = transpose(backend, x, [3, 1, 2, 0]);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const r = runWasmKernel(backend, 'Conv2D', { x: xT, filter: dyT }, {
    strides: [1, 1], pad: [[0, 0], [padTop, padBottom], [padLeft, padRight], [0, 0]], dataFormat: 'NHWC', dilations: [SH, SW], dimRoundingMode: undefined,
  } as unknown as Record<string, never>);
  release(backend, xT);
  release(backend, dyT);
  const [, RH, RW] = r.shape;
  if (RH < KH || RW < KW) throw new Error(`Conv2DBackpropFilter: the filter-gradient convolution gave ${RH}x${RW} taps for a ${KH}x${KW} filter`);
  // [Ci, RH, RW, Co] (first KH rows, KW columns) -> [KH, KW, Ci, Co]: runs of Co floats.
  const src = heapView(backend, r);
  const out = heapView(backend, dW);
  let o = 0;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      for (let ci = 0; ci < C; ci++, o += CO) {
        const s = ((ci * RH + kh) * RW + kw) * CO;
        out.set(src.subarray(s, s + CO), o);
      }
    }
  }
  release(backend, r);
  return dW;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
