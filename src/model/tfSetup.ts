// The one place that picks and starts a tfjs backend, in Node and in the browser (page or
// worker). Everything else in model/ imports tfjs from here, so the kernels that make the
// wasm backend able to train (./wasmKernels) are always registered before the first step.
//
// Node: cpu and wasm (wasm binaries read from the installed package folder).
// Browser: cpu, wasm (binaries from vite `?url` imports), webgl, webgpu (loaded on first use:
// the webgpu package is only imported when asked for, so Node never sees it).
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type * as NodeModule from 'node:module';
import type * as NodeFs from 'node:fs/promises';
import type * as NodePath from 'node:path';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './wasmKernels/index.ts';
import { simdConvFma, simdConvThreads, startSimdConv, type SimdBinary } from './wasmKernels/simdConv.ts';

export { tf };

export type BackendName = 'cpu' | 'wasm' | 'webgl' | 'webgpu';
export const BACKEND_NAMES: readonly BackendName[] = ['cpu', 'wasm', 'webgl', 'webgpu'];

/** What initBackend started, for logs and benchmark reports. */
export interface BackendInfo {
  readonly name: BackendName;
  readonly runtime: 'node' | 'browser';
  /** wasm only: whether the SIMD binary runs (it is several times faster). */
  readonly wasmSimd?: boolean;
  /** wasm only: threads it trains on (1 unless asked for more in a cross-origin isolated page: BackendOptions). */
  readonly wasmThreads?: number;
  /** Kernels we registered on this backend (names from tfjs' kernel registry). */
  readonly ourKernels: readonly string[];
  /** wasm only: null when our SIMD conv kernels run (wasmKernels/simdConv.ts), else why not. */
  readonly simdConv?: string | null;
  /** wasm only: threads our SIMD conv kernels run on (2 with the helper thread of a threaded backend), 0 when they do not run. */
  readonly simdConvThreads?: number;
  /** wasm only: whether our SIMD conv kernels are the relaxed-SIMD build (fused multiply-adds). */
  readonly simdConvFma?: boolean;
}

export const isNode = (): boolean =>
  typeof process !== 'undefined' && typeof process.versions === 'object' && !!process.versions.node;

let wasmPathsSet = false;
let webgpuLoaded = false;

/** Points the wasm backend at its .wasm files; must run before the backend first starts. */
async function setWasmBinaryPaths(): Promise<void> {
  if (wasmPathsSet) return;
  if (isNode()) {
    // Specifiers hidden from vite: the browser bundle must not try to include node builtins.
    const nodeModule = 'node:module';
    const nodePath = 'node:path';
    const { createRequire } = (await import(/* @vite-ignore */ nodeModule)) as typeof NodeModule;
    const { dirname } = (await import(/* @vite-ignore */ nodePath)) as typeof NodePath;
    const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(`${dirname(entry)}/`);
  } else {
    const { WASM_BINARY_URLS } = await import('./wasmBinaryUrls.ts');
    setWasmPaths({ ...WASM_BINARY_URLS });
  }
  wasmPathsSet = true;
}

/** Our SIMD conv module's bytes: the file beside its source in Node, vite's URL in a browser. */
async function simdConvBytes(file: SimdBinary): Promise<BufferSource> {
  if (isNode()) {
    const fsName = 'node:fs/promises';
    const dir = './wasmKernels/simd/';
    const { readFile } = (await import(/* @vite-ignore */ fsName)) as typeof NodeFs;
    return readFile(new URL(dir + file, import.meta.url));
  }
  const { SIMD_CONV_URLS } = await import('./wasmBinaryUrls.ts');
  const response = await fetch(SIMD_CONV_URLS[file]);
  if (!response.ok) throw new Error(`${file}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

export interface BackendOptions {
  /**
   * wasm in a browser: threads to train on, read at the backend's first start only (a module
   * cannot change its memory or thread pool later). 1 (the default) runs the single-threaded
   * SIMD binary. 2 or more run the threaded binary, which needs a cross-origin isolated page (the
   * game's servers send the headers, server/isolation.ts): its memory is shared, so our conv
   * kernels' helper thread (wasmKernels/simdHelper.ts) shares every convolution while
   * XNNPACK keeps one thread for the other kernels (with a pool of its own beside the helper it
   * measured slower than one thread: bench suite train_workers). Without isolation, one thread.
   */
  readonly wasmThreads?: number;
}

let wasmStarted = false;
/** Threads the wasm backend started for (the threaded binary: 2, our conv helper's and this one), 1 for the single-threaded binary. */
let wasmThreadsStarted = 1;

/**
 * Starts the wasm backend, on the threaded binary where `threads` > 1 and the page is
 * cross-origin isolated (XNNPACK on one thread: the second is our conv helper's). A threaded
 * start that fails is retried on the single-threaded binary.
 */
async function startWasm(threads: number): Promise<boolean> {
  const isolated = typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated;
  if (wasmStarted || isNode()) return tf.setBackend('wasm');
  wasmStarted = true;
  setThreadsCount(1);
  if (threads > 1 && isolated) {
    if (await tf.setBackend('wasm')) {
      wasmThreadsStarted = 2;
      return true;
    }
  }
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  return tf.setBackend('wasm');
}

/** Threads this thread's wasm backend trains on once it started (2: the threaded binary with our conv helper), else null. */
export function wasmTrainingThreads(): number | null {
  const xnnpack = wasmThreadCount();
  if (xnnpack === null) return null;
  const backend = tf.findBackend('wasm') as unknown as BackendWasm | null;
  return Math.max(xnnpack, backend ? simdConvThreads(backend) : 0);
}

/** This thread's wasm backend's XNNPACK threads once it started, else null. */
export function wasmThreadCount(): number | null {
  try {
    return getThreadsCount();
  } catch {
    return null; // not started yet
  }
}

/**
 * Makes `name` the active tfjs backend and waits until it is ready. Safe to call again (to
 * switch back and forth); tensors made on another backend are moved on first use.
 * Throws if the backend cannot start here (webgl and webgpu need a browser; webgpu also
 * needs navigator.gpu).
 */
export async function initBackend(name: BackendName, options: BackendOptions = {}): Promise<BackendInfo> {
  const runtime = isNode() ? 'node' : 'browser';
  if (name === 'wasm') {
    await setWasmBinaryPaths();
  } else if (name === 'webgpu') {
    if (runtime === 'node' || typeof navigator === 'undefined' || !('gpu' in navigator)) {
      throw new Error('webgpu backend needs a browser with navigator.gpu');
    }
    if (!webgpuLoaded) {
      await import('@tensorflow/tfjs-backend-webgpu');
      webgpuLoaded = true;
    }
  } else if (name === 'webgl' && runtime === 'node') {
    throw new Error('webgl backend needs a browser');
  }
  const ok = name === 'wasm' ? await startWasm(options.wasmThreads ?? 1) : await tf.setBackend(name);
  if (!ok) throw new Error(`tfjs backend '${name}' failed to start`);
  await tf.ready();
  if (name === 'wasm') {
    // After the backend started: it runs the setup of the kernels it shipped only then, and
    // the ones we replace stay usable (benchmarks compare against them).
    registerWasmTrainingKernels();
    const backend = tf.backend() as unknown as BackendWasm;
    const simdConv = await startSimdConv(backend, simdConvBytes, wasmThreadsStarted);
    return {
      name,
      runtime,
      wasmSimd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
      wasmThreads: wasmTrainingThreads() ?? 1,
      ourKernels: WASM_TRAINING_KERNELS.map((k) => k.kernelName),
      simdConv,
      simdConvThreads: simdConvThreads(backend),
      simdConvFma: simdConvFma(backend),
    };
  }
  return { name, runtime, ourKernels: [] };
}

/** The active backend's tensor bookkeeping, as plain data (leak checks and benchmarks). */
export interface TensorMemory {
  readonly tensors: number;
  readonly dataBuffers: number;
  readonly bytes: number;
}

export function tensorMemory(): TensorMemory {
  const m = tf.memory();
  return { tensors: m.numTensors, dataBuffers: m.numDataBuffers, bytes: m.numBytes };
}
