// Conv2DBackpropInput for the wasm backend. The one it ships is a scalar C++ loop (about
// 0.4 s for PilotNet's second layer at batch 32). Ours runs the backend's compiled (XNNPACK)
// Conv2D: the input gradient of a stride-s convolution, split by stride phase, is s x s stride-1
// convolutions of dy (axisPhases below), each giving the image pixels of one phase, which a JS
// loop scatters into place (stride 1: one convolution, the whole image). Layers whose patch
// matrix is small (convKernelTuning.phaseDxMinElements) take the path this replaced for large
// ones: one XNNPACK matMul into patch space per chunk of images, dPatches = dy x W^T, and col2im
// folding the patches back onto the image, the same arithmetic, but col2im is a JS loop over
// KH*KW times the image's floats (layer 2 of the default encoder: 6.9 of 15.4 CPU ms of its
// layer's step, bench/node/layerRates.mts).
import { backend_util, Conv2DBackpropInput, type Conv2DBackpropInputAttrs, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { col2imAdd, imageChunks, patchCols, patchGeometry, patchRows, type PatchGeometry } from './patches.ts';
import { simdBackpropInput, simdConvFor } from './simdConv.ts';
import { allocate, copyRows, heapView, matMul, convKernelTuning, release, runWasmKernel, transpose, withShape } from './wasmHeap.ts';

/**
 * One stride phase of one axis. Image rows i with (i + pad) % stride == p take their gradient
 * from taps p, p + s, p + 2s, ... (`taps` of them): row first + t*s (t < count) is
 * sum over j < taps of dy[qlo + t - (taps-1) + j] * W[p + s*(taps-1-j)], a stride-1 convolution of
 * dy padded by padBefore/padAfter with the phase's taps in reverse order, whose rows from `skip`
 * on are the phase's (where the layer's padding reaches past its taps, the convolution starts
 * or ends with rows no image row takes).
 */
export interface AxisPhase {
  readonly p: number;
  readonly taps: number;
  /** The phase's first image row, and how many rows it has. */
  readonly first: number;
  readonly count: number;
  readonly padBefore: number;
  readonly padAfter: number;
  /** The convolution's rows: `skip` before the phase's, and `rows` in all. */
  readonly skip: number;
  readonly rows: number;
}

/** The stride phases of one axis: `size` image rows, `outSize` output rows. */
export function axisPhases(size: number, outSize: number, kernel: number, stride: number, pad: number): AxisPhase[] {
  const phases: AxisPhase[] = [];
  for (let p = 0; p < stride; p++) {
    const taps = p < kernel ? Math.ceil((kernel - p) / stride) : 0;
    const qlo = Math.ceil((pad - p) / stride);
    const qhi = Math.floor((size - 1 + pad - p) / stride);
    const count = Math.max(0, qhi - qlo + 1);
    const before = taps - 1 - qlo;
    const after = qhi - (outSize - 1);
    const padBefore = Math.max(0, before);
    const padAfter = Math.max(0, after);
    phases.push({ p, taps, first: qlo * stride + p - pad, count, padBefore, padAfter, skip: padBefore - before, rows: outSize + padBefore + padAfter - taps + 1 });
  }
  return phases;
}

function phaseDx(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, g: PatchGeometry): TensorInfo {
  const { batch: B, inHeight: H, inWidth: W, inChannels: C, outChannels: CO, filterWidth: KW, strideHeight: SH, strideWidth: SW } = g;
  const phases = {
    rows: axisPhases(H, g.outHeight, g.filterHeight, SH, g.padTop),
    cols: axisPhases(W, g.outWidth, KW, SW, g.padLeft),
  };
  const single = phases.rows.length === 1 && phases.cols.length === 1;
  let dx: TensorInfo | null = null;
  for (const r of phases.rows) {
    for (const c of phases.cols) {
      if (r.count === 0 || c.count === 0) continue;
      if (r.taps === 0 || c.taps === 0) {
        // Taps beyond the kernel (stride > kernel): these pixels feed no output.
        dx ??= allocate(backend, [B, H, W, C]);
        const out = heapView(backend, dx);
        for (let b = 0; b < B; b++) {
          for (let t = 0; t < r.count; t++) {
            for (let u = 0; u < c.count; u++) {
              const o = ((b * H + r.first + t * SH) * W + c.first + u * SW) * C;
              out.fill(0, o, o + C);
            }
          }
        }
        continue;
      }
      // The phase's filter [taps_h, taps_w, CO, C]: the layer's taps of this phase, reversed, in and out swapped.
      const f = allocate(backend, [r.taps, c.taps, CO, C]);
      const src = heapView(backend, filter);
      const fv = heapView(backend, f);
      let o = 0;
      for (let jh = 0; jh < r.taps; jh++) {
        for (let jw = 0; jw < c.taps; jw++) {
          const tap = ((r.p + SH * (r.taps - 1 - jh)) * KW + c.p + SW * (c.taps - 1 - jw)) * C * CO;
          for (let co = 0; co < CO; co++) {
            for (let ci = 0; ci < C; ci++) fv[o++] = src[tap + ci * CO + co];
          }
        }
      }
      const part = runWasmKernel(backend, 'Conv2D', { x: dy, filter: f }, {
        strides: [1, 1], pad: [[0, 0], [r.padBefore, r.padAfter], [c.padBefore, c.padAfter], [0, 0]], dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined,
      } as unknown as Record<string, never>);
      release(backend, f);
      if (single && r.rows === r.count && c.rows === c.count) return part; // stride 1: the phase is the whole image
      dx ??= allocate(backend, [B, H, W, C]);
      // Scatter the phase's rows of [B, rows_h, rows_w, C] onto its pixels, every s-th row and column.
      const pv = heapView(backend, part);
      const out = heapView(backend, dx);
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < r.count; t++) {
          let d = ((b * H + r.first + t * SH) * W + c.first) * C;
          let s = ((b * r.rows + r.skip + t) * c.rows + c.skip) * C;
          for (let u = 0; u < c.count; u++, d += SW * C) {
            for (let ci = 0; ci < C; ci++) out[d + ci] = pv[s++];
          }
        }
      }
      release(backend, part);
    }
  }
  return dx ?? allocate(backend, [B, H, W, C]);
}

function conv2DBackpropInput(args: { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Conv2DBackpropInputAttrs }): TensorInfo {
  const { inputs: { dy, filter }, backend, attrs } = args;
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad,
    attrs.dimRoundingMode, false, backend_util.convertConv2DDataFormat(attrs.dataFormat));
  const g = patchGeometry(info);
  if (patchRows(g) === 0) {
    const dx = allocate(backend, [...info.inShape]);
    heapView(backend, dx).fill(0);
    return dx; // empty output map: no gradient flows back
  }
  const simd = simdConvFor(backend);
  if (simd) return simdBackpropInput(backend, simd, dy, filter, g);
  const cols = patchCols(g);
  if (patchRows(g) * cols >= convKernelTuning.phaseDxMinElements) return phaseDx(backend, dy, filter, g);

  const dx = allocate(backend, [...info.inShape]);
  heapView(backend, dx).fill(0);
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
