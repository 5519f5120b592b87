// Area resampling (each output pixel the mean of the input pixels it covers): the weights, and
// the resize of RGB byte frames straight to -1..1 floats in JS that framesToTensor and a training
// batch use on cpu and wasm (preprocess.ts); resizeFrames' 'area' applies the same weights with
// tensor ops. Pure.
import type { FrameSize } from './preprocess.ts';

const areaCache = new Map<string, Float32Array>();

/** [to x from] weights: output pixel i averages input pixels over [i*s, (i+1)*s), s = from/to. */
export function areaWeights(from: number, to: number): Float32Array {
  const key = `${from}>${to}`;
  const hit = areaCache.get(key);
  if (hit) return hit;
  const m = new Float32Array(to * from);
  const s = from / to;
  for (let i = 0; i < to; i++) {
    const lo = i * s;
    const hi = lo + s;
    for (let j = Math.floor(lo); j < Math.min(from, Math.ceil(hi)); j++) {
      const overlap = Math.min(hi, j + 1) - Math.max(lo, j);
      if (overlap > 0) m[i * from + j] = overlap / s;
    }
  }
  areaCache.set(key, m);
  return m;
}

/** The nonzero entries of each row of an areaWeights matrix: first input index and weights. */
interface AreaTaps {
  readonly first: Int32Array;
  readonly count: Int32Array;
  /** Weights of output i at weights[i * stride ...]. */
  readonly weights: Float64Array;
  readonly stride: number;
}

const tapsCache = new Map<string, AreaTaps>();

function areaTaps(from: number, to: number): AreaTaps {
  const key = `${from}>${to}`;
  const hit = tapsCache.get(key);
  if (hit) return hit;
  const m = areaWeights(from, to);
  const first = new Int32Array(to);
  const count = new Int32Array(to);
  let stride = 1;
  for (let i = 0; i < to; i++) {
    let lo = 0;
    while (lo < from && m[i * from + lo] === 0) lo++;
    let hi = from;
    while (hi > lo && m[i * from + hi - 1] === 0) hi--;
    first[i] = lo;
    count[i] = hi - lo;
    stride = Math.max(stride, hi - lo);
  }
  const weights = new Float64Array(to * stride);
  for (let i = 0; i < to; i++) for (let k = 0; k < count[i]; k++) weights[i * stride + k] = m[i * from + first[i] + k];
  const taps = { first, count, weights, stride };
  tapsCache.set(key, taps);
  return taps;
}

/**
 * `count` RGB byte frames of `from` -> float32 [count, to.height, to.width, 3] in -1..1, area
 * resampled with areaWeights (rows, then columns): the values resizeFrames' 'area' gives the
 * scaled frames, to float rounding, without a tensor op. Exported for the tests.
 */
export function areaResizeBytes(frames: Uint8Array, count: number, from: FrameSize, to: FrameSize): Float32Array {
  const sy = boxFactor(from.height, to.height);
  const sx = boxFactor(from.width, to.width);
  return sy && sx ? boxResizeBytes(frames, count, from, sy, sx) : areaTapsResize(frames, count, from, to);
}

/**
 * `from / to` where it is a power of two (1, 2, 4, ...), else 0. Then every area weight is
 * 1 / factor, exact in binary, and the weighted sums of areaTapsResize are exactly the byte sums
 * over the box divided by its size: boxResizeBytes adds whole bytes instead and gives the same bits.
 */
function boxFactor(from: number, to: number): number {
  const s = from / to;
  return Number.isInteger(s) && (s & (s - 1)) === 0 ? s : 0;
}

/**
 * areaResizeBytes where both factors are powers of two (the dash camera's 200x66 to the model's
 * 100x33): each output value is the sum of an sy x sx box of bytes, times 1 / (sy * sx), scaled
 * to -1..1 as areaTapsResize scales it (sum / 127.5 - 1, in float64, rounded once to float32),
 * so the two give the same bits (areaResize.test checks it); in integer adds, 4x faster.
 */
function boxResizeBytes(frames: Uint8Array, count: number, from: FrameSize, sy: number, sx: number): Float32Array {
  const { width: w, height: h } = from;
  const W = w / sx;
  const H = h / sy;
  const inRow = w * 3;
  const inv = 1 / (sy * sx);
  const out = new Float32Array(count * H * W * 3);
  let o = 0;
  for (let f = 0; f < count; f++) {
    for (let i = 0; i < H; i++) {
      const row = f * h * inRow + i * sy * inRow;
      if (sy === 2 && sx === 2) {
        // The default halving, unrolled: two rows of two pixels per output pixel.
        for (let a = row, b = row + inRow, end = row + inRow; a < end; a += 6, b += 6, o += 3) {
          out[o] = (frames[a] + frames[a + 3] + frames[b] + frames[b + 3]) * inv / 127.5 - 1;
          out[o + 1] = (frames[a + 1] + frames[a + 4] + frames[b + 1] + frames[b + 4]) * inv / 127.5 - 1;
          out[o + 2] = (frames[a + 2] + frames[a + 5] + frames[b + 2] + frames[b + 5]) * inv / 127.5 - 1;
        }
        continue;
      }
      for (let u = 0; u < W; u++, o += 3) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let dy = 0; dy < sy; dy++) {
          for (let k = row + dy * inRow + u * sx * 3, end = k + sx * 3; k < end; k += 3) {
            r += frames[k];
            g += frames[k + 1];
            b += frames[k + 2];
          }
        }
        out[o] = r * inv / 127.5 - 1;
        out[o + 1] = g * inv / 127.5 - 1;
        out[o + 2] = b * inv / 127.5 - 1;
      }
    }
  }
  return out;
}

/** areaResizeBytes for any factors: weighted sums over the areaTaps of rows, then columns. Exported for the tests. */
export function areaTapsResize(frames: Uint8Array, count: number, from: FrameSize, to: FrameSize): Float32Array {
  const { width: w, height: h } = from;
  const { width: W, height: H } = to;
  const { first: rFirst, count: rCount, weights: rW, stride: rStride } = areaTaps(h, H);
  const { first: cFirst, count: cCount, weights: cW, stride: cStride } = areaTaps(w, W);
  // Resampled bytes, then scaled: sum(w * (b / 127.5 - 1)) = sum(w * b) / 127.5 - sum(w).
  const cSum = new Float64Array(W);
  for (let u = 0; u < W; u++) for (let k = 0; k < cCount[u]; k++) cSum[u] += cW[u * cStride + k];
  const inRow = w * 3;
  const out = new Float32Array(count * H * W * 3);
  const tmp = new Float64Array(inRow); // one output row at the input's width, in byte units
  let o = 0;
  for (let f = 0; f < count; f++) {
    const base = f * h * inRow;
    for (let i = 0; i < H; i++) {
      const taps = rCount[i];
      const wo = i * rStride;
      let rSum = rW[wo];
      let src = base + rFirst[i] * inRow;
      let wt = rW[wo];
      for (let x = 0; x < inRow; x++) tmp[x] = wt * frames[src + x];
      for (let k = 1; k < taps; k++) {
        wt = rW[wo + k];
        rSum += wt;
        src += inRow;
        for (let x = 0; x < inRow; x++) tmp[x] += wt * frames[src + x];
      }
      for (let u = 0; u < W; u++, o += 3) {
        let r = 0;
        let g = 0;
        let b = 0;
        let s = cFirst[u] * 3;
        const co = u * cStride;
        for (let k = 0; k < cCount[u]; k++, s += 3) {
          const cw = cW[co + k];
          r += cw * tmp[s];
          g += cw * tmp[s + 1];
          b += cw * tmp[s + 2];
        }
        const offset = rSum * cSum[u];
        out[o] = r / 127.5 - offset;
        out[o + 1] = g / 127.5 - offset;
        out[o + 2] = b / 127.5 - offset;
      }
    }
  }
  return out;
}
