// Patch (im2col) geometry and the two loops that move pixels between an NHWC image and its
// patch matrix. Pure functions on Float32Arrays: the wasm kernels run them on views of the
// wasm heap, the tests run them on plain arrays.
import type { backend_util } from '@tensorflow/tfjs-core';

/**
 * Where every filter tap of a 2-D convolution lands, in elements (not bytes).
 * The patch matrix has one row per output pixel, (batch, outRow, outCol), and one column per
 * filter tap, (filterRow, filterCol, inChannel): the same order as a [KH, KW, Ci, Co] filter
 * reshaped to [KH*KW*Ci, Co], so `patches x filter` is the convolution.
 */
export interface PatchGeometry {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly inChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly outChannels: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  /** Rows of zeros above the image (SAME padding puts the odd one below). */
  readonly padTop: number;
  /** Columns of zeros left of the image. */
  readonly padLeft: number;
}

/** Rows of the patch matrix: one per output pixel (of `images` images, default all). */
export const patchRows = (g: PatchGeometry, images = g.batch): number => images * g.outHeight * g.outWidth;
/** Columns of the patch matrix: one per filter tap and input channel. */
export const patchCols = (g: PatchGeometry): number => g.filterHeight * g.filterWidth * g.inChannels;

/** Geometry from tfjs' own convolution bookkeeping, so padding and rounding match every backend. */
export function patchGeometry(info: backend_util.Conv2DInfo): PatchGeometry {
  if (info.dataFormat !== 'channelsLast') throw new Error('wasm training kernels support NHWC (channelsLast) only');
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) throw new Error('wasm training kernels support dilation 1 only');
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    inChannels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    outChannels: info.outChannels,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * Runs at least this long are copied with TypedArray.set (a memcpy), shorter ones in a JS loop:
 * measured 4x faster at 120 floats per run (PilotNet layer 2), a little slower at 15 (layer 1).
 */
const NATIVE_COPY_MIN = 48;

/** A run of whole images of the batch: the kernels work in chunks of images to stay in cache. */
export interface ImageRange {
  readonly first: number;
  readonly count: number;
}

/**
 * Fills `patches` ([rows, cols] as above, rows of the images in `range` only) from the NHWC
 * batch `x`. Taps that fall in the padding get 0. NOTE mutates `patches` (every element of
 * those rows is written).
 * For one output pixel and one filter row, the taps are a contiguous run of
 * filterWidth*inChannels values in both arrays, so the loop is a series of short copies.
 */
export function im2col(x: Float32Array, patches: Float32Array, g: PatchGeometry, range: ImageRange = { first: 0, count: g.batch }): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const { filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW, padTop, padLeft } = g;
  const rowLen = KW * C;
  const K = KH * rowLen;
  let dst = 0;
  for (let b = range.first; b < range.first + range.count; b++) {
    const xBatch = b * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * SH - padTop;
      for (let ow = 0; ow < OW; ow++) {
        const iw0 = ow * SW - padLeft;
        // Valid filter columns for this pixel: [kwLo, kwHi).
        const kwLo = iw0 < 0 ? -iw0 : 0;
        const kwHi = iw0 + KW > W ? W - iw0 : KW;
        for (let kh = 0; kh < KH; kh++) {
          const ih = ih0 + kh;
          const rowDst = dst + kh * rowLen;
          if (ih < 0 || ih >= H || kwHi <= kwLo) {
            patches.fill(0, rowDst, rowDst + rowLen);
            continue;
          }
          const lo = kwLo * C;
          const hi = kwHi * C;
          const src = xBatch + (ih * W + iw0) * C;
          if (lo === 0 && hi === rowLen && rowLen >= NATIVE_COPY_MIN) {
            patches.set(x.subarray(src, src + rowLen), rowDst);
            continue;
          }
          for (let i = 0; i < lo; i++) patches[rowDst + i] = 0;
          for (let i = lo; i < hi; i++) patches[rowDst + i] = x[src + i];
          for (let i = hi; i < rowLen; i++) patches[rowDst + i] = 0;
        }
        dst += K;
      }
    }
  }
}

/**
 * The adjoint of im2col: adds every patch value (rows of the images in `range`) back onto the
 * pixel of the NHWC batch `dx` it came from (taps in the padding are dropped).
 * NOTE mutates `dx`, which must hold zeros (or a value to add to) on entry.
 */
export function col2imAdd(patches: Float32Array, dx: Float32Array, g: PatchGeometry, range: ImageRange = { first: 0, count: g.batch }): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = g;
  const { filterHeight: KH, filterWidth: KW, strideHeight: SH, strideWidth: SW, padTop, padLeft } = g;
  const rowLen = KW * C;
  const K = KH * rowLen;
  let src = 0;
  for (let b = range.first; b < range.first + range.count; b++) {
    const xBatch = b * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * SH - padTop;
      for (let ow = 0; ow < OW; ow++) {
        const iw0 = ow * SW - padLeft;
        const lo = (iw0 < 0 ? -iw0 : 0) * C;
        const hi = (iw0 + KW > W ? W - iw0 : KW) * C;
        for (let kh = 0; kh < KH; kh++) {
          const ih = ih0 + kh;
          if (ih < 0 || ih >= H) continue;
          const rowSrc = src + kh * rowLen;
          const dst = xBatch + (ih * W + iw0) * C;
          for (let i = lo; i < hi; i++) dx[dst + i] += patches[rowSrc + i];
        }
        src += K;
      }
    }
  }
}

/**
 * Splits the batch into runs of whole images whose patch rows hold at most `maxElements`
 * floats (at least one image per run), so the patch matrix of a run stays in cache and the
 * wasm heap never needs the whole batch's patches at once.
 */
export function imageChunks(g: PatchGeometry, maxElements: number): ImageRange[] {
  const perImage = patchRows(g, 1) * patchCols(g);
  const size = Math.max(1, Math.floor(maxElements / Math.max(1, perImage)));
  const chunks: ImageRange[] = [];
  for (let first = 0; first < g.batch; first += size) chunks.push({ first, count: Math.min(size, g.batch - first) });
  return chunks;
}
