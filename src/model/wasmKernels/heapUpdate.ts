// The optimisers' updates on the wasm heap, by our module (simd/convKernels.c: adam_update,
// sgd_update): the weight, its gradient and its slots are read where they lie and the new values
// are written to new tensors there, in place of optimizers.ts adamInJs / sgdInJs (a JS loop over
// copies of each, 22 ns a weight here, most of it float64 division and square roots). The same
// float32 operations in the same order, so the same bits (optimizers.test.ts).
import { backend as currentBackend, engine, getBackend, type Tensor, type Variable } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { offsetOf, simdConvFor, simdConvSettings, type SimdModule } from './simdConv.ts';
import { allocate } from './wasmHeap.ts';

/** The step's constants: Adam's (lrT is the bias-corrected rate) or SGD's. */
export type HeapUpdate =
  | { readonly kind: 'adam'; readonly beta1: number; readonly beta2: number; readonly epsilon: number; readonly lrT: number; readonly scale: number }
  | { readonly kind: 'sgd'; readonly momentum: number; readonly nesterov: boolean; readonly lr: number; readonly scale: number };

/** Our module on the current backend when it can run the updates (the wasm backend, our module started), else null. */
export function heapUpdater(): { backend: BackendWasm; simd: SimdModule } | null {
  if (!simdConvSettings.optimizer || getBackend() !== 'wasm') return null;
  const backend = currentBackend() as unknown as BackendWasm;
  const simd = simdConvFor(backend);
  return simd ? { backend, simd } : null;
}

/**
 * One update of weight `w` by gradient `g` (float32, w's size), with its slots (Adam: m, v; SGD:
 * the velocity): NOTE assigns new values to w and each slot. `on` is heapUpdater()'s answer.
 */
export function updateOnHeap(on: { backend: BackendWasm; simd: SimdModule }, w: Variable, g: Tensor, slots: readonly Variable[], p: HeapUpdate): void {
  const { backend, simd } = on;
  const n = w.size;
  if (g.size !== n || g.dtype !== 'float32' || w.dtype !== 'float32') throw new Error(`a ${g.dtype} gradient of ${g.size} values for a ${w.dtype} weight of ${n}`);
  const outs = [w, ...slots].map((t) => allocate(backend, [...t.shape]));
  const [wAt, gAt, ...slotAt] = [w, g, ...slots].map((t) => offsetOf(backend, t));
  const outAt = outs.map((o) => offsetOf(backend, o));
  if (p.kind === 'adam') {
    simd.k.adam_update(wAt, gAt, slotAt[0], slotAt[1], outAt[0], outAt[1], outAt[2], n, p.beta1, 1 - p.beta1, p.beta2, 1 - p.beta2, p.epsilon, p.lrT, p.scale);
  } else {
    simd.k.sgd_update(wAt, gAt, slotAt[0], outAt[0], outAt[1], n, p.momentum, p.lr, p.scale, p.nesterov ? 1 : 0);
  }
  const made = outs.map((o) => engine().makeTensorFromTensorInfo(o));
  [w, ...slots].forEach((t, i) => t.assign(made[i]));
  for (const t of made) t.dispose();
}

/** Each tensor's sum of squares in float64, read where it lies on the heap (float32 tensors; `on` is heapUpdater()'s answer). */
export function squaresOnHeap(on: { backend: BackendWasm; simd: SimdModule }, tensors: readonly Tensor[]): number[] {
  return tensors.map((t) => {
    if (t.dtype !== 'float32') throw new Error(`expected a float32 gradient, got ${t.dtype}`);
    return t.size === 0 ? 0 : on.simd.k.sum_squares(offsetOf(on.backend, t), t.size);
  });
}
