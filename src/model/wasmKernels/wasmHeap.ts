// The narrow slice of the wasm backend's internals that our kernels touch: allocating
// outputs on its heap, viewing tensors as Float32Arrays in place, releasing scratch tensors,
// and calling the backend's own compiled kernels (XNNPACK matMul, transpose) on them.
// Everything here runs inside a kernel function, so no tfjs tensors (and no tidy) are involved:
// only TensorInfos that the caller owns and must release with `release`.
import { getKernel, type DataType, type KernelBackend, type KernelConfig, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * The wasm package's own kernels that ours replaced, by kernel name (index.ts fills it when it
 * registers ours): benchmarks compare against them, and a kernel of ours may delegate to one.
 */
export const shippedWasmKernels = new Map<string, KernelConfig>();

/** Runs the wasm package's own kernel that ours replaced (ours delegate the cases they do not take). */
export function runShippedKernel(kernelName: string, args: unknown): TensorInfo {
  const kernel = shippedWasmKernels.get(kernelName);
  if (!kernel) throw new Error(`the wasm backend registered no ${kernelName} of its own`);
  return kernel.kernelFunc(args as Parameters<KernelConfig['kernelFunc']>[0]) as TensorInfo;
}

/** Allocates an uninitialised tensor on the wasm heap. Caller owns it. */
export function allocate(backend: BackendWasm, shape: number[], dtype: DataType = 'float32'): TensorInfo {
  return backend.makeOutput(shape, dtype);
}

/**
 * A Float32Array over the tensor's bytes on the wasm heap (no copy).
 * NOTE the view dies when the heap grows, which any allocation may do: take views after the
 * last `allocate` or kernel call of a step, and never keep them.
 */
export function heapView(backend: BackendWasm, t: TensorInfo): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`expected a float32 tensor, got ${t.dtype}`);
  return backend.typedArrayFromHeap(t) as Float32Array;
}

/** Drops the caller's reference to a scratch tensor. */
export function release(backend: BackendWasm, t: TensorInfo): void {
  backend.disposeData(t.dataId);
}

/** The same data seen with another shape of equal size (no copy, no new reference). */
export function withShape(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Runs one of the wasm backend's registered kernels, returning the single output it makes. */
export function runWasmKernel(backend: BackendWasm, kernelName: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap): TensorInfo {
  const kernel = getKernel(kernelName, 'wasm');
  if (!kernel) throw new Error(`wasm backend has no '${kernelName}' kernel`);
  const out = kernel.kernelFunc({ inputs, backend: backend as unknown as KernelBackend, attrs });
  if (Array.isArray(out)) throw new Error(`'${kernelName}' returned ${out.length} outputs, expected one`);
  return out;
}

/**
 * a[m, k] x b[k, n] with both untransposed: the only shape the wasm backend sends to
 * XNNPACK (its transposed and batched matMuls fall back to a scalar loop, ~50x slower).
 */
export function matMul(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  if (a.shape.length !== 2 || b.shape.length !== 2) throw new Error('matMul here takes 2-D operands');
  return runWasmKernel(backend, 'BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
}

/** Permutes axes with the backend's compiled transpose. */
export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return runWasmKernel(backend, 'Transpose', { x }, { perm });
}

/**
 * Copies rows [firstRow, firstRow + rows) of a row-major [*, rowLength] tensor into a new
 * [rows, rowLength] tensor (a tensor cannot alias another's memory: disposing it frees it).
 */
export function copyRows(backend: BackendWasm, src: TensorInfo, rowLength: number, firstRow: number, rows: number): TensorInfo {
  const out = allocate(backend, [rows, rowLength]);
  heapView(backend, out).set(heapView(backend, src).subarray(firstRow * rowLength, (firstRow + rows) * rowLength));
  return out;
}

/** Tuning of the conv kernels (tests shrink the chunk to run the multi-chunk path on tiny inputs). */
export const convKernelTuning = {
  /**
   * Most floats a patch matrix chunk may hold (whole images per chunk, at least one). 1M
   * floats (4 MB) keeps it in cache here, and caps the extra wasm heap a training step needs.
   */
  patchChunkElements: 1 << 20,
  /**
   * Conv2DBackpropInput runs as one stride-1 XNNPACK convolution per stride phase
   * (conv2dBackpropInput.ts) where its patch matrix would hold at least this many floats, else as
   * the patch-space matMul + col2im: below it, building s*s small XNNPACK operators costs more than
   * col2im's loop (the default encoder's layer 3: 2.2 against 0.9 CPU ms; layer 2, 1.27M floats:
   * 4.8 against 7.0). Tests set 0 and Infinity to run both paths.
   */
  phaseDxMinElements: 1 << 19,
};
