// MaxPoolGrad for the wasm backend. The one tfjs-backend-wasm 4.22 ships seeds its running
// maximum with numeric_limits<float>::min() (the smallest positive float, not the lowest), so
// a window of values <= 0 (common after relu) routes its gradient to the wrong pixel, and it
// breaks ties towards the last maximum where cpu/webgl take the first. This one follows the
// cpu backend: the first strict maximum of each window, in row-major window order.
import { backend_util, MaxPoolGrad, type KernelConfig, type KernelFunc, type MaxPoolGradAttrs, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { allocate, heapView } from './wasmHeap.ts';

function maxPoolGrad(args: { inputs: { dy: TensorInfo; input: TensorInfo }; backend: BackendWasm; attrs: MaxPoolGradAttrs }): TensorInfo {
  const { inputs: { dy, input }, backend, attrs } = args;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const dx = allocate(backend, [...input.shape]);
  const x = heapView(backend, input);
  const g = heapView(backend, dy);
  const out = heapView(backend, dx);
  out.fill(0);
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: SH, strideWidth: SW, filterHeight: KH, filterWidth: KW } = info;
  const { top: padTop, left: padLeft } = info.padInfo;
  const best = new Float32Array(C);
  const where = new Int32Array(C);
  let dyIndex = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * SH - padTop;
      const ihLo = Math.max(0, ih0);
      const ihHi = Math.min(H, ih0 + KH);
      for (let ow = 0; ow < OW; ow++) {
        const iw0 = ow * SW - padLeft;
        const iwLo = Math.max(0, iw0);
        const iwHi = Math.min(W, iw0 + KW);
        best.fill(-Infinity);
        where.fill(-1);
        for (let ih = ihLo; ih < ihHi; ih++) {
          for (let iw = iwLo; iw < iwHi; iw++) {
            const base = ((b * H + ih) * W + iw) * C;
            for (let c = 0; c < C; c++) {
              const v = x[base + c];
              if (v > best[c]) {
                best[c] = v;
                where[c] = base + c;
              }
            }
          }
        }
        for (let c = 0; c < C; c++, dyIndex++) {
          if (where[c] >= 0) out[where[c]] += g[dyIndex];
        }
      }
    }
  }
  return dx;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
