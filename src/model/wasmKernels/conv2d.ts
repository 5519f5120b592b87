// Conv2D on the wasm backend: our SIMD kernel (simdConv.ts) for float32 NHWC at dilation 1, the
// forward pass of every conv layer while training (tfjs runs a fused conv only outside a
// gradient, so inference keeps the shipped FusedConv2D). Anything else, or where the module did
// not start, goes to the shipped XNNPACK kernel, which our Conv2DBackpropFilter also calls with
// dilations.
import { backend_util, Conv2D, type Conv2DAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { patchGeometry } from './patches.ts';
import { simdConvForward, simdConvFor } from './simdConv.ts';
import { runShippedKernel } from './wasmHeap.ts';

type Conv2DArgs = { inputs: { x: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Conv2DAttrs };

const shipped = (args: Conv2DArgs): TensorInfo => runShippedKernel(Conv2D, args);

function conv2D(args: Conv2DArgs): TensorInfo {
  const { inputs: { x, filter }, backend, attrs } = args;
  const simd = simdConvFor(backend);
  if (!simd || x.dtype !== 'float32' || filter.dtype !== 'float32') return shipped(args);
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filter.shape as [number, number, number, number], attrs.strides, attrs.dilations,
    attrs.pad, attrs.dimRoundingMode, false, backend_util.convertConv2DDataFormat(attrs.dataFormat));
  if (info.dataFormat !== 'channelsLast' || info.dilationHeight !== 1 || info.dilationWidth !== 1 || info.outHeight <= 0 || info.outWidth <= 0) return shipped(args);
  return simdConvForward(backend, simd, x, filter, patchGeometry(info));
}

export const conv2DConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: 'wasm',
  kernelFunc: conv2D as unknown as KernelFunc,
};
