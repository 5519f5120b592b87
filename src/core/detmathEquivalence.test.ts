// The deterministic math's speed-ups give the same bits as the versions the replays were
// recorded with: the original implementations (as of commit 7d7433b, verbatim below apart from
// `export`) against the shipped ones, on random doubles of every magnitude, on the simulation's
// ranges, and on the edges. Any difference in any bit fails.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as fast from './detmath.ts';

/* eslint-disable */
const PIO2_HI = 1.5707963267341256; // first 33 bits of pi/2
const PIO2_MID = 6.077100506506192e-11; // next 33 bits
const PIO2_LO = 2.0222662487959506e-21; // remainder
const TWO_OVER_PI = 0.6366197723675814;

const PI = 3.141592653589793;
const TAU = 6.283185307179586;
const HALF_PI = 1.5707963267948966;

// Taylor coefficients 1/n! with alternating signs, evaluated by Horner's rule on |r| <= pi/4.
function sinKernel(r: number): number {
  const z = r * r;
  return r + r * z * (-1 / 6 + z * (1 / 120 + z * (-1 / 5040 + z * (1 / 362880 + z * (-1 / 39916800
    + z * (1 / 6227020800 + z * (-1 / 1307674368000 + z * (1 / 355687428096000))))))));
}

function cosKernel(r: number): number {
  const z = r * r;
  return 1 + z * (-1 / 2 + z * (1 / 24 + z * (-1 / 720 + z * (1 / 40320 + z * (-1 / 3628800
    + z * (1 / 479001600 + z * (-1 / 87178291200 + z * (1 / 20922789888000))))))));
}

/** Quadrant k and remainder r with x = k * pi/2 + r, |r| <= pi/4 (accurate for |x| < 1e6). */
function reduce(x: number): [number, number] {
  const k = Math.round(x * TWO_OVER_PI);
  const r = ((x - k * PIO2_HI) - k * PIO2_MID) - k * PIO2_LO;
  return [k, r];
}

function sin(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  const [k, r] = reduce(x);
  switch (((k % 4) + 4) % 4) {
    case 0: return sinKernel(r);
    case 1: return cosKernel(r);
    case 2: return -sinKernel(r);
    default: return -cosKernel(r);
  }
}

function cos(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  const [k, r] = reduce(x);
  switch (((k % 4) + 4) % 4) {
    case 0: return cosKernel(r);
    case 1: return -sinKernel(r);
    case 2: return -cosKernel(r);
    default: return sinKernel(r);
  }
}

const TAN_PI_12 = 0.2679491924311227;
const INV_SQRT3 = 0.5773502691896257;
const PI_6 = 0.5235987755982988;

/** atan on |x| <= tan(pi/12) by its odd series (error below 1e-17). */
function atanKernel(x: number): number {
  const z = x * x;
  let sum = 0;
  for (let n = 25; n >= 3; n -= 2) sum = z * (((n - 1) % 4 === 0 ? 1 : -1) / n + sum);
  return x + x * sum;
}

function atan(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const sign = x < 0 ? -1 : 1;
  let a = x * sign;
  let offset = 0;
  let flip = false;
  if (a > 1) {
    a = 1 / a;
    flip = true;
  }
  if (a > TAN_PI_12) {
    a = (a - INV_SQRT3) / (1 + a * INV_SQRT3);
    offset = PI_6;
  }
  let r = offset + atanKernel(a);
  if (flip) r = HALF_PI - r;
  return sign * r;
}

function atan2(y: number, x: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x === 0) {
    if (y === 0) return 0;
    return y > 0 ? HALF_PI : -HALF_PI;
  }
  const a = atan(y / x);
  if (x > 0) return a;
  return y >= 0 ? a + PI : a - PI;
}

// 2^k built from its bits, since `2 ** k` is also engine-approximated by the spec.
const bits = new DataView(new ArrayBuffer(8));
function pow2(k: number): number {
  if (k > 1023) return Infinity;
  if (k < -1022) return 0;
  bits.setUint32(0, (k + 1023) << 20);
  bits.setUint32(4, 0);
  return bits.getFloat64(0);
}

const LN2_HI = 0.6931471803691238; // 32 bits of ln 2
const LN2_LO = 1.9082149292705877e-10;
const INV_LN2 = 1.4426950408889634;

function exp(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > 709.7) return Infinity;
  if (x < -745) return 0;
  const k = Math.round(x * INV_LN2);
  const r = (x - k * LN2_HI) - k * LN2_LO; // |r| <= 0.347
  return expKernel(r) * (k < -1020 ? pow2(k + 60) * pow2(-60) : pow2(k));
}

const INV_FACT = (() => {
  const out: number[] = [];
  let f = 1;
  for (let n = 0; n <= 14; n++) {
    if (n > 0) f *= n;
    out.push(1 / f);
  }
  return out;
})();

/** e^r by Taylor to r^14/14! on |r| <= 0.35. */
function expKernel(r: number): number {
  let p = INV_FACT[14];
  for (let n = 13; n >= 0; n--) p = p * r + INV_FACT[n];
  return p;
}

function tanh(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = x < 0 ? -x : x;
  if (a > 20) return x < 0 ? -1 : 1;
  let t: number;
  if (a < 0.05) {
    const z = a * a; // odd series: x - x^3/3 + 2x^5/15 - 17x^7/315
    t = a * (1 + z * (-1 / 3 + z * (2 / 15 + z * (-17 / 315 + z * (62 / 2835)))));
  } else {
    const e = exp(2 * a);
    t = 1 - 2 / (e + 1);
  }
  return x < 0 ? -t : t;
}

const SQRT_HALF = 0.7071067811865476;

function log(x: number): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  bits.setFloat64(0, x);
  let e = ((bits.getUint32(0) >>> 20) & 0x7ff) - 1023;
  let m: number;
  if (e === -1023) {
    // subnormal: scale up first
    return log(x * pow2(54)) - 54 * (LN2_HI + LN2_LO);
  } else {
    bits.setUint32(0, (bits.getUint32(0) & 0x800fffff) | (1023 << 20));
    m = bits.getFloat64(0); // in [1, 2)
  }
  if (m > 2 * SQRT_HALF) {
    m /= 2;
    e += 1;
  }
  // log(m) = 2 atanh(f), f = (m-1)/(m+1), |f| <= 0.1716
  const f = (m - 1) / (m + 1);
  const z = f * f;
  let s = 0;
  for (let n = 31; n >= 3; n -= 2) s = z * (1 / n + s);
  return e * LN2_HI + (2 * (f + f * s) + e * LN2_LO);
}
/* eslint-enable */

const reference = { sin, cos, atan, atan2, exp, tanh, log };
type Unary = 'sin' | 'cos' | 'atan' | 'exp' | 'tanh' | 'log';
const UNARY: Unary[] = ['sin', 'cos', 'atan', 'exp', 'tanh', 'log'];

/** Same bits (NaN equals NaN; +0 and -0 differ). */
const same = (a: number, b: number): boolean => Object.is(a, b);

const EDGES = [0, -0, 1e-320, -1e-320, 5e-324, 1e-300, 0.05, -0.05, 0.35, 0.5, 1, -1, Math.PI / 4, Math.PI / 2, Math.PI, 2 * Math.PI, 20, -20, 21, 709.7, 709.8, -745, -746, -708.5, -744.9,
  1e6, -1e6, 1e15, 1e300, Infinity, -Infinity, NaN, 0.2679491924311227, 0.5773502691896257, Number.MAX_VALUE, Number.MIN_VALUE];

describe('deterministic math is bit-identical to its reference', () => {
  it('on the edges', () => {
    for (const f of UNARY) for (const x of EDGES) expect(same(fast[f](x), reference[f](x)), `${f}(${x})`).toBe(true);
    for (const y of EDGES) for (const x of EDGES) expect(same(fast.atan2(y, x), reference.atan2(y, x)), `atan2(${y}, ${x})`).toBe(true);
  });

  it('on random doubles of every magnitude', () => {
    fc.assert(fc.property(fc.double(), (x) => UNARY.every((f) => same(fast[f](x), reference[f](x)))), { numRuns: 20_000 });
    fc.assert(fc.property(fc.double(), fc.double(), (y, x) => same(fast.atan2(y, x), reference.atan2(y, x))), { numRuns: 20_000 });
  });

  it('on the ranges the simulation uses', () => {
    const small = fc.double({ min: -50, max: 50, noNaN: true });
    fc.assert(fc.property(small, (x) => UNARY.every((f) => same(fast[f](x), reference[f](x)))), { numRuns: 50_000 });
    fc.assert(fc.property(small, small, (y, x) => same(fast.atan2(y, x), reference.atan2(y, x))), { numRuns: 50_000 });
    fc.assert(fc.property(fc.double({ min: -800, max: 800, noNaN: true }), (x) => same(fast.exp(x), reference.exp(x))), { numRuns: 20_000 });
  });
});
