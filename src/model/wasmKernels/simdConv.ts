// Convolutions and their gradients in wasm SIMD of our own (simd/convKernels.c, built to
// simd/convKernels.wasm).
// The module is instantiated over the wasm backend's own memory, so it reads and writes tensors
// on the backend's heap in place: the kernels below allocate every buffer there (scratch
// TensorInfos, released before they return) and pass byte offsets.
//
// Why: tfjs's XNNPACK runs these small convolutions (3-24 input channels) at 3-6 GMAC/s here,
// a third of what its own GEMM reaches; a 4x8 register tile over the taps (dW) or the pixels (dx)
// reaches ~2x that (docs/training-on-wasm.md, "Our own SIMD kernels"). Where the module does not
// start (a threaded backend, an unexpected heap, a failed fetch), conv2d.ts,
// conv2dBackpropFilter.ts and conv2dBackpropInput.ts keep their XNNPACK paths.
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { PatchGeometry } from './patches.ts';
import { allocate, heapView, release, transpose } from './wasmHeap.ts';

type I = number;
interface ConvExports {
  pad_nhwc(src: I, dst: I, n: I, h: I, w: I, c: I, hp: I, wp: I, cp: I, top: I, left: I): void;
  crop_nhwc(src: I, dst: I, n: I, h: I, w: I, c: I, hp: I, wp: I, cp: I, top: I, left: I): void;
  conv_fwd(x: I, w: I, out: I, n: I, hp: I, wp: I, ci: I, kh: I, kw: I, sh: I, sw: I, oh: I, ow: I, co: I, cop: I): void;
  conv_dw(x: I, dy: I, dwp: I, n: I, hp: I, wp: I, ci: I, kh: I, kw: I, sh: I, sw: I, oh: I, ow: I, co: I, ldy: I, cop: I): void;
  conv_dx(dy: I, wt: I, dxp: I, n: I, hp: I, wp: I, cip: I, kh: I, kw: I, sh: I, sw: I, oh: I, ow: I, co: I, ldy: I): void;
}

/** Where the module's bytes come from: Node reads the file, the browser fetches vite's URL. */
export type SimdBytes = () => Promise<BufferSource>;

/** Per backend, the kernels, or why they did not start (asked once: initBackend runs on every backend switch). */
const started = new WeakMap<BackendWasm, ConvExports | string>();

/** Switch for benchmarks and tests: false runs the XNNPACK paths even where the module started. */
export const simdConvSettings = { enabled: true };

/** The backend's WebAssembly.Memory (emscripten keeps it on the module as asm.memory). */
function backendMemory(backend: BackendWasm): WebAssembly.Memory | null {
  const memory = (backend.wasm as unknown as { asm?: { memory?: unknown } }).asm?.memory;
  return memory instanceof WebAssembly.Memory ? memory : null;
}

/**
 * Instantiates the kernels over this backend's memory, once. Returns null when they run, else
 * why not (the XNNPACK paths stay in use). The kernels run on one thread: a backend started with
 * a pool of XNNPACK threads keeps XNNPACK's convolutions, which use the pool.
 */
export async function startSimdConv(backend: BackendWasm, bytes: SimdBytes, threads: number): Promise<string | null> {
  if (!started.has(backend)) started.set(backend, await instantiate(backend, bytes, threads));
  const outcome = started.get(backend)!;
  return typeof outcome === 'string' ? outcome : null;
}

async function instantiate(backend: BackendWasm, bytes: SimdBytes, threads: number): Promise<ConvExports | string> {
  if (threads > 1) return `the backend runs ${threads} XNNPACK threads, whose convolutions use them all`;
  const memory = backendMemory(backend);
  if (!memory) return 'the wasm backend does not expose its memory';
  if (typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer) return 'the wasm backend\'s memory is shared';
  try {
    const { instance } = await WebAssembly.instantiate(await bytes(), { env: { memory } });
    return instance.exports as unknown as ConvExports;
  } catch (e) {
    return `our SIMD conv kernels did not start: ${e instanceof Error ? e.message : String(e)}`;
  }
}

/** The kernels for this backend, or null (not started, or switched off). */
export function simdConvFor(backend: BackendWasm): ConvExports | null {
  const outcome = started.get(backend);
  return simdConvSettings.enabled && outcome !== undefined && typeof outcome !== 'string' ? outcome : null;
}

const offsetOf = (backend: BackendWasm, t: TensorInfo): number => backend.dataIdMap.get(t.dataId)!.memoryOffset;
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
export function simdConvForward(backend: BackendWasm, k: ConvExports, x: TensorInfo, w: TensorInfo, g: PatchGeometry): TensorInfo {
  const xp = paddedInput(backend, k, x, g);
  const co = g.outChannels;
  const cop = (co + 7) & ~7;
  const taps = g.filterHeight * g.filterWidth * g.inChannels;
  const wp = padRows(backend, k, w, taps, co, cop);
  const y = allocate(backend, [g.batch, g.outHeight, g.outWidth, co]);
  k.conv_fwd(offsetOf(backend, xp.t), offsetOf(backend, wp), offsetOf(backend, y), g.batch, xp.hp, xp.wp, g.inChannels,
    g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.outHeight, g.outWidth, co, cop);
  if (xp.copy) release(backend, xp.t);
  release(backend, wp);
  return y;
}

/** dW [KH, KW, Ci, Co] of a conv with geometry g (at least one output pixel). */
export function simdBackpropFilter(backend: BackendWasm, k: ConvExports, x: TensorInfo, dy: TensorInfo, g: PatchGeometry): TensorInfo {
  const xp = paddedInput(backend, k, x, g);
  const rows = dyRows(backend, k, dy, g);
  // The sums go to rows of cop floats (whole 8-lane tiles), then the Co lanes of each to dW.
  const taps = g.filterHeight * g.filterWidth * g.inChannels;
  const cop = (g.outChannels + 7) & ~7;
  const dWp = allocate(backend, [taps, cop]);
  heapView(backend, dWp).fill(0);
  k.conv_dw(offsetOf(backend, xp.t), offsetOf(backend, rows.t), offsetOf(backend, dWp), g.batch, xp.hp, xp.wp, g.inChannels,
    g.filterHeight, g.filterWidth, g.strideHeight, g.strideWidth, g.outHeight, g.outWidth, g.outChannels, rows.ldy, cop);
  const dW = allocate(backend, [g.filterHeight, g.filterWidth, g.inChannels, g.outChannels]);
  k.crop_nhwc(offsetOf(backend, dWp), offsetOf(backend, dW), 1, 1, taps, g.outChannels, 1, taps, cop, 0, 0);
  release(backend, dWp);
  if (xp.copy) release(backend, xp.t);
  if (rows.copy) release(backend, rows.t);
  return dW;
}

/** dx [N, H, W, Ci] of a conv with geometry g (at least one output pixel) and filter w [KH, KW, Ci, Co]. */
export function simdBackpropInput(backend: BackendWasm, k: ConvExports, dy: TensorInfo, w: TensorInfo, g: PatchGeometry): TensorInfo {
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
  k.conv_dx(offsetOf(backend, dy), offsetOf(backend, wt), offsetOf(backend, dxp), g.batch, hp, wp, cip,
    KH, KW, g.strideHeight, g.strideWidth, g.outHeight, g.outWidth, CO, CO);
  k.crop_nhwc(offsetOf(backend, dxp), offsetOf(backend, dx), g.batch, g.inHeight, g.inWidth, CI, hp, wp, cip, g.padTop, g.padLeft);
  release(backend, wt);
  release(backend, dxp);
  return dx;
}
