// Convolutions and their gradients in wasm SIMD of our own (simd/convKernels.c, built to
// simd/convKernels.wasm, and simd/convKernelsShared.wasm for a shared memory; each also with
// relaxed SIMD's fused multiply-add, convKernelsFma.wasm and convKernelsSharedFma.wasm, which
// start where the engine has relaxed SIMD: Chromium since 114, Node behind a flag).
// The module is instantiated over the wasm backend's own memory, so it reads and writes tensors
// on the backend's heap in place: the kernels below allocate every buffer there (scratch
// TensorInfos, released before they return) and pass byte offsets.
//
// Why: tfjs's XNNPACK runs these small convolutions (3-24 input channels) at 3-6 GMAC/s here,
// a third of what its own GEMM reaches; a 4x8 register tile over the taps (dW) or the pixels (dx)
// reaches ~2x that (docs/training-on-wasm.md, "Our own SIMD kernels").
//
// Threads: in a threaded backend (shared memory, a cross-origin isolated page, asked for 2 or
// more threads) a helper thread (simdHelper.ts) shares each call: the batch is cut into chunks of
// images that both threads take until none are left. Images are independent in the forward pass
// and dx, and dW sums each chunk into a block of its own, added in chunk order.
//
// Where the module does not start (an unexpected heap, a failed fetch), conv2d.ts,
// conv2dBackpropFilter.ts and conv2dBackpropInput.ts keep their XNNPACK paths.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { PatchGeometry } from './patches.ts';
import { chunkCount, createConvHelper, type ChunkedJob, type ConvHelper } from './simdHelper.ts';
import { allocate, heapView, release, transpose } from './wasmHeap.ts';

type I = number;
interface ConvExports {
  pad_nhwc(src: I, dst: I, n: I, h: I, w: I, c: I, hp: I, wp: I, cp: I, top: I, left: I): void;
  crop_nhwc(src: I, dst: I, n: I, h: I, w: I, c: I, hp: I, wp: I, cp: I, top: I, left: I): void;
  conv_fwd(x: I, w: I, out: I, n: I, hp: I, wp: I, ci: I, kh: I, kw: I, sh: I, sw: I, oh: I, ow: I, co: I, cop: I): void;
  conv_dw(x: I, dy: I, dwp: I, n: I, hp: I, wp: I, ci: I, kh: I, kw: I, sh: I, sw: I, oh: I, ow: I, co: I, ldy: I, cop: I): void;
  conv_dx(dy: I, wt: I, dxp: I, n: I, hp: I, wp: I, cip: I, kh: I, kw: I, sh: I, sw: I, oh: I, ow: I, co: I, ldy: I): void;
  bias_add(x: I, b: I, out: I, rows: I, c: I): void;
  col_sum(x: I, out: I, acc: I, rows: I, c: I): void;
  bytes_to_floats(src: I, table: I, dst: I, n: I): void;
  box2_bytes(src: I, table: I, dst: I, count: I, h: I, w: I): void;
  adam_update(w: I, g: I, m: I, v: I, wOut: I, mOut: I, vOut: I, n: I, b1: number, c1: number, b2: number, c2: number, eps: number, lr: number, scale: number): void;
  sgd_update(w: I, g: I, vel: I, wOut: I, velOut: I, n: I, mom: number, lr: number, scale: number, nesterov: I): void;
  relu_grad(dy: I, x: I, out: I, n: I): void;
  sum_squares(x: I, n: I): number;
}

/** The module built for a memory of its own kind: an unshared one, or a shared one (a threaded backend). */
export type SimdBinary = 'convKernels.wasm' | 'convKernelsShared.wasm' | 'convKernelsFma.wasm' | 'convKernelsSharedFma.wasm';

/**
 * The builds for a memory of each kind, best first: with relaxed SIMD's multiply-add (11% less
 * time over the plain CNN's convolutions here), then without, for engines that refuse relaxed SIMD.
 */
const BUILDS: Readonly<Record<'shared' | 'unshared', readonly SimdBinary[]>> = {
  unshared: ['convKernelsFma.wasm', 'convKernels.wasm'],
  shared: ['convKernelsSharedFma.wasm', 'convKernelsShared.wasm'],
};

/** Where the module's bytes come from: Node reads the file, the browser fetches vite's URL. */
export type SimdBytes = (file: SimdBinary) => Promise<BufferSource>;

/** The kernels started on one backend, and the helper thread that shares each call (null: none). */
export interface SimdModule {
  readonly k: ConvExports;
  /** Whether the relaxed-SIMD build runs (a fused multiply-add where the CPU has one). */
  readonly fma: boolean;
  readonly helper: ConvHelper | null;
}

/** Per backend, the kernels, or why they did not start (asked once: initBackend runs on every backend switch). */
const started = new WeakMap<BackendWasm, SimdModule | string>();

/** Switch for benchmarks and tests: false runs the XNNPACK paths even where the module started. */
export const simdConvSettings = {
  enabled: true,
  /** Each of the module's uses beyond the convolutions, on its own (benchmarks time a step with and without one, alternating). */
  matMul: true,
  reluGrad: true,
  optimizer: true,
  /** Calls of fewer multiply-adds run whole: waking the helper costs tens of microseconds. */
  minSplitMacs: 1_000_000,
};

/** The backend's WebAssembly.Memory: emscripten keeps it on the module as asm.memory, or (threaded build, which imports it) as wasmMemory. */
function backendMemory(backend: BackendWasm): WebAssembly.Memory | null {
  const module = backend.wasm as unknown as { asm?: { memory?: unknown }; wasmMemory?: unknown };
  const memory = module.asm?.memory ?? module.wasmMemory;
  return memory instanceof WebAssembly.Memory ? memory : null;
}

/**
 * Instantiates the kernels over this backend's memory, once. Returns null when they run, else
 * why not (the XNNPACK paths stay in use). `threads` is the backend's: with 2 or more (a
 * threaded backend, whose memory is shared) a helper thread shares each call.
 */
export async function startSimdConv(backend: BackendWasm, bytes: SimdBytes, threads: number): Promise<string | null> {
  if (!started.has(backend)) started.set(backend, await instantiate(backend, bytes, threads));
  const outcome = started.get(backend)!;
  return typeof outcome === 'string' ? outcome : null;
}

async function instantiate(backend: BackendWasm, bytes: SimdBytes, threads: number): Promise<SimdModule | string> {
  const memory = backendMemory(backend);
  if (!memory) return 'the wasm backend does not expose its memory';
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  let built: { k: ConvExports; source: BufferSource; fma: boolean } | null = null;
  const failures: string[] = [];
  for (const file of BUILDS[shared ? 'shared' : 'unshared']) {
    try {
      const source = await bytes(file);
      const { instance } = await WebAssembly.instantiate(source, { env: { memory } });
      built = { k: instance.exports as unknown as ConvExports, source, fma: file.endsWith('Fma.wasm') };
      break;
    } catch (e) {
      failures.push(`${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (!built) return `our SIMD conv kernels did not start: ${failures.join('; ')}`;
  const { k, source, fma } = built;
  if (!shared || threads < 2) return { k, fma, helper: null };
  const copy = ArrayBuffer.isView(source) ? source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength) : (source as ArrayBuffer).slice(0);
  const helper = await createConvHelper(memory, copy as ArrayBuffer);
  // Without a helper (createConvHelper says why) the kernels run on this thread alone.
  return { k, fma, helper: typeof helper === 'string' ? null : helper };
}

/** The kernels for this backend, or null (not started, or switched off). */
export function simdConvFor(backend: BackendWasm): SimdModule | null {
  const outcome = started.get(backend);
  return simdConvSettings.enabled && outcome !== undefined && typeof outcome !== 'string' ? outcome : null;
}

/** Threads our kernels run on for this backend: 2 with a running helper, 1 without, 0 when they do not run. */
export function simdConvThreads(backend: BackendWasm): number {
  const outcome = started.get(backend);
  if (outcome === undefined || typeof outcome === 'string') return 0;
  return outcome.helper && outcome.helper.stopped === null ? 2 : 1;
}

/** Whether our kernels on this backend are the relaxed-SIMD build (false also when they do not run). */
export function simdConvFma(backend: BackendWasm): boolean {
  const outcome = started.get(backend);
  return outcome !== undefined && typeof outcome !== 'string' && outcome.fma;
}

/** Whether a call of `images` images and `macs` multiply-adds is shared with the helper thread (chunked), else run whole here. */
function chunked(m: SimdModule, images: number, macs: number): boolean {
  return m.helper !== null && images >= 2 && macs >= simdConvSettings.minSplitMacs;
}

/**
 * Runs the job in chunks of images on this thread and the helper (simdHelper.ts); if the helper
 * fails a chunk, `redo(chunk)` clears that chunk's output before this thread runs it again, and
 * the module goes on without the helper's help (the same chunks, on this thread).
 */
function runChunked(m: SimdModule, job: ChunkedJob, redo: (chunk: number) => void): void {
  m.helper!.run(m.k, job, redo);
}

/** The images of chunk `chunk` of a call over `images` images (as simdHelper.ts cuts it). */
function chunkImages(images: number, chunk: number): { first: number; count: number } {
  const chunks = chunkCount(images);
  const first = Math.floor((chunk * images) / chunks);
  return { first, count: Math.floor(((chunk + 1) * images) / chunks) - first };
}

export const offsetOf = (backend: BackendWasm, t: TensorInfo): number => backend.dataIdMap.get(t.dataId)!.memoryOffset;
const roundUp4 = (n: number): number => (n + 3) & ~3;

/** The padded image size every tap of every output pixel reads, and the image itself at (padTop, padLeft). */
function paddedSize(g: PatchGeometry): { hp: number; wp: number } {
  return {
    hp: Math.max((g.outHeight - 1) * g.strideHeight + g.filterHeight, g.padTop + g.inHeight),
    wp: Math.max((g.outWidth - 1) * g.strideWidth + g.filterWidth, g.padLeft + g.inWidth),
  };
}

/** A new [rows, ld] tensor: the rows of a [rows, cols] one, zeros in columns cols..ld. Caller releases it. */
function padRows(backend: BackendWasm, k: ConvExports, src: TensorInfo, rows: number, cols: number, ld: number): TensorInfo {
  const t = allocate(backend, [rows, ld]);
  k.pad_nhwc(offsetOf(backend, src), offsetOf(backend, t), 1, 1, rows, cols, 1, rows, ld, 0, 0);
  return t;
}

/** dy as rows of a multiple of 4 floats: itself, or a copy with zero lanes past Co. Caller releases a copy. */
function dyRows(backend: BackendWasm, k: ConvExports, dy: TensorInfo, g: PatchGeometry): { t: TensorInfo; ldy: number; copy: boolean } {
  const co = g.outChannels;
  const ldy = roundUp4(co);
  if (ldy === co) return { t: dy, ldy, copy: false };
  return { t: padRows(backend, k, dy, g.batch * g.outHeight * g.outWidth, co, ldy), ldy, copy: true };
}

/** x padded for g's taps: x itself when no border is needed, else a copy the caller releases. */
function paddedInput(backend: BackendWasm, k: ConvExports, x: TensorInfo, g: PatchGeometry): { t: TensorInfo; hp: number; wp: number; copy: boolean } {
  const { hp, wp } = paddedSize(g);
  if (hp === g.inHeight && wp === g.inWidth && g.padTop === 0 && g.padLeft === 0) return { t: x, hp, wp, copy: false };
  const t = allocate(backend, [g.batch, hp, wp, g.inChannels]);
  k.pad_nhwc(offsetOf(backend, x), offsetOf(backend, t), g.batch, g.inHeight, g.inWidth, g.inChannels, hp, wp, g.inChannels, g.padTop, g.padLeft);
  return { t, hp, wp, copy: true };
}

/** y [N, OH, OW, Co] of a conv with geometry g (at least one output pixel) and filter w [KH, KW, Ci, Co]. */
export function simdConvForward(backend: BackendWasm, m: SimdModule, x: TensorInfo, w: TensorInfo, g: PatchGeometry): TensorInfo {
  const { k } = m;
  const xp = paddedInput(backend, k, x, g);
  const co = g.outChannels;
  const cop = (co + 7) & ~7;
  const taps = g.filterHeight * g.filterWidth * g.inChannels;
  const wp = padRows(backend, k, w, taps, co, cop);
  const y = allocate(backend, [g.batch, g.outHeight, g.outWidth, co]);
  const [xAt, wAt, yAt] = [offsetOf(backend, xp.t), offsetOf(backend, wp), offsetOf(backend, y)];
  const args = [xAt, wAt, yAt, g.batch, xp.hp, xp.wp, g.inChannels, g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.outHeight, g.outWidth, co, cop];
  if (chunked(m, g.batch, macsOf(g))) {
    const xImage = 4 * xp.hp * xp.wp * g.inChannels, yImage = 4 * g.outHeight * g.outWidth * co;
    // Every image's output is written whole, so a chunk to redo needs no clearing.
    runChunked(m, { op: 'conv_fwd', args, countArg: 3, images: g.batch, imageStrides: [xImage, 0, yImage], chunkStrides: [] }, () => {});
  } else {
    k.conv_fwd(...(args as Parameters<ConvExports['conv_fwd']>));
  }
  if (xp.copy) release(backend, xp.t);
  release(backend, wp);
  return y;
}

/** Multiply-adds of one pass of a conv with geometry g (forward, dW and dx alike). */
const macsOf = (g: PatchGeometry): number => g.batch * g.outHeight * g.outWidth * g.outChannels * g.filterHeight * g.filterWidth * g.inChannels;

/** dW [KH, KW, Ci, Co] of a conv with geometry g (at least one output pixel). */
export function simdBackpropFilter(backend: BackendWasm, m: SimdModule, x: TensorInfo, dy: TensorInfo, g: PatchGeometry): TensorInfo {
  const { k } = m;
  const xp = paddedInput(backend, k, x, g);
  const rows = dyRows(backend, k, dy, g);
  // The sums go to rows of cop floats (whole 8-lane tiles), then the Co lanes of each to dW.
  // Shared with the helper thread, each chunk of images sums into a block of its own, and the
  // blocks are added in chunk order (the same bits whichever thread ran which chunk).
  const taps = g.filterHeight * g.filterWidth * g.inChannels;
  const cop = (g.outChannels + 7) & ~7;
  const split = chunked(m, g.batch, macsOf(g));
  const blocks = split ? chunkCount(g.batch) : 1;
  const dWp = allocate(backend, [blocks * taps, cop]);
  heapView(backend, dWp).fill(0);
  const [xAt, dyAt, dWAt] = [offsetOf(backend, xp.t), offsetOf(backend, rows.t), offsetOf(backend, dWp)];
  const args = [xAt, dyAt, dWAt, g.batch, xp.hp, xp.wp, g.inChannels, g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.outHeight, g.outWidth, g.outChannels, rows.ldy, cop];
  if (split) {
    const xImage = 4 * xp.hp * xp.wp * g.inChannels, dyImage = 4 * g.outHeight * g.outWidth * rows.ldy, block = taps * cop;
    runChunked(m, { op: 'conv_dw', args, countArg: 3, images: g.batch, imageStrides: [xImage, dyImage, 0], chunkStrides: [0, 0, 4 * block] },
      (chunk) => heapView(backend, dWp).fill(0, chunk * block, (chunk + 1) * block));
    const sums = heapView(backend, dWp);
    for (let b = 1; b < blocks; b++) for (let i = 0; i < block; i++) sums[i] += sums[b * block + i];
  } else {
    k.conv_dw(...(args as Parameters<ConvExports['conv_dw']>));
  }
  const dW = allocate(backend, [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels]);
  k.crop_nhwc(offsetOf(backend, dWp), offsetOf(backend, dW), 1, 1, taps, g.outChannels, 1, taps, cop, 0, 0);
  release(backend, dWp);
  if (xp.copy) release(backend, xp.t);
  if (rows.copy) release(backend, rows.t);
  return dW;
}

/** dx [N, H, W, Ci] of a conv with geometry g (at least one output pixel) and filter w [KH, KW, Ci, Co]. */
export function simdBackpropInput(backend: BackendWasm, m: SimdModule, dy: TensorInfo, w: TensorInfo, g: PatchGeometry): TensorInfo {
  const { k } = m;
  const { hp, wp } = paddedSize(g);
  const { filterHeight: KH, filterWidth: KW, inChannels: CI, outChannels: CO } = g;
  const cip = roundUp4(CI);
  // The filter with ci and co swapped (the backend's compiled transpose), ci padded with zeros to cip: [KH, KW, CO, cip].
  const swapped = transpose(backend, w, [0, 1, 3, 2]);
  const wt = padRows(backend, k, swapped, KH * KW * CO, CI, cip);
  release(backend, swapped);
  const dxp = allocate(backend, [g.batch, hp, wp, cip]);
  const dx = allocate(backend, [g.batch, g.inHeight, g.inWidth, CI]);
  heapView(backend, dxp).fill(0);
  const [dyAt, wtAt, dxAt] = [offsetOf(backend, dy), offsetOf(backend, wt), offsetOf(backend, dxp)];
  const args = [dyAt, wtAt, dxAt, g.batch, hp, wp, cip, KH, KW, g.strideHeight, g.strideWidth, g.outHeight, g.outWidth, CO, CO];
  if (chunked(m, g.batch, macsOf(g))) {
    const dyImage = g.outHeight * g.outWidth * CO, dxImage = hp * wp * cip;
    // dx is summed into its images: a chunk to redo starts from zeros again.
    runChunked(m, { op: 'conv_dx', args, countArg: 3, images: g.batch, imageStrides: [4 * dyImage, 0, 4 * dxImage], chunkStrides: [] }, (chunk) => {
      const { first, count } = chunkImages(g.batch, chunk);
      heapView(backend, dxp).fill(0, first * dxImage, (first + count) * dxImage);
    });
  } else {
    k.conv_dx(...(args as Parameters<ConvExports['conv_dx']>));
  }
  k.crop_nhwc(offsetOf(backend, dxp), offsetOf(backend, dx), g.batch, g.inHeight, g.inWidth, CI, hp, wp, cip, g.padTop, g.padLeft);
  release(backend, wt);
  release(backend, dxp);
  return dx;
}
