// Deterministic elementary functions.
//
// ECMAScript lets each engine approximate Math.sin, Math.exp, Math.atan2 and friends in its own
// way, so a lap simulated in one browser could drift from the same lap in another. These
// versions use only + - * / and exact operations (floor, round, sqrt, bit moves), which IEEE 754
// defines to the last bit, so a replay verifies the same everywhere. Accuracy is within a few
// ulp of Math's on the ranges the simulation uses; speed is within a small factor.
//
// These functions run several times per physics sub-step, so they allocate nothing and use
// tables and unrolled series; every rewrite for speed must give the same bits as before
// (detmathEquivalence.test.ts compares them with the original versions).

const PIO2_HI = 1.5707963267341256; // first 33 bits of pi/2
const PIO2_MID = 6.077100506506192e-11; // next 33 bits
const PIO2_LO = 2.0222662487959506e-21; // remainder
const TWO_OVER_PI = 0.6366197723675814;

export const PI = 3.141592653589793;
export const TAU = 6.283185307179586;
export const HALF_PI = 1.5707963267948966;

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

// Argument reduction, inlined in sin and cos (a returned pair would allocate per call):
// quadrant k and remainder r with x = k * pi/2 + r, |r| <= pi/4 (accurate for |x| < 1e6).

/** k mod 4 in 0..3 for an integer k: a bit mask within int32 (a float remainder is a slow call). */
function quadrant(k: number): number {
  return k >= -2147483648 && k <= 2147483647 ? k & 3 : ((k % 4) + 4) % 4;
}

export function sin(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  const k = Math.round(x * TWO_OVER_PI);
  const r = ((x - k * PIO2_HI) - k * PIO2_MID) - k * PIO2_LO;
  switch (quadrant(k)) {
    case 0: return sinKernel(r);
    case 1: return cosKernel(r);
    case 2: return -sinKernel(r);
    default: return -cosKernel(r);
  }
}

export function cos(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  const k = Math.round(x * TWO_OVER_PI);
  const r = ((x - k * PIO2_HI) - k * PIO2_MID) - k * PIO2_LO;
  switch (quadrant(k)) {
    case 0: return cosKernel(r);
    case 1: return -sinKernel(r);
    case 2: return -cosKernel(r);
    default: return sinKernel(r);
  }
}

const TAN_PI_12 = 0.2679491924311227;
const INV_SQRT3 = 0.5773502691896257;
const PI_6 = 0.5235987755982988;

// Coefficients of atan's odd series, (-1)^((n-1)/2) / n for n = 3, 5, ..., 25.
const A3 = -1 / 3;
const A5 = 1 / 5;
const A7 = -1 / 7;
const A9 = 1 / 9;
const A11 = -1 / 11;
const A13 = 1 / 13;
const A15 = -1 / 15;
const A17 = 1 / 17;
const A19 = -1 / 19;
const A21 = 1 / 21;
const A23 = -1 / 23;
const A25 = 1 / 25;

/** atan on |x| <= tan(pi/12) by its odd series (error below 1e-17), Horner from the n = 25 term. */
function atanKernel(x: number): number {
  const z = x * x;
  const sum = z * (A3 + z * (A5 + z * (A7 + z * (A9 + z * (A11 + z * (A13 + z * (A15 + z * (A17 + z * (A19 + z * (A21 + z * (A23 + z * A25)))))))))));
  return x + x * sum;
}

export function atan(x: number): number {
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

export function atan2(y: number, x: number): number {
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
function pow2Bits(k: number): number {
  bits.setUint32(0, (k + 1023) << 20);
  bits.setUint32(4, 0);
  return bits.getFloat64(0);
}

/** 2^k for every normal exponent k = -1022..1023, at index k + 1022. */
const POW2 = (() => {
  const t = new Float64Array(2046);
  for (let k = -1022; k <= 1023; k++) t[k + 1022] = pow2Bits(k);
  return t;
})();

function pow2(k: number): number {
  if (k > 1023) return Infinity;
  if (k < -1022) return 0;
  return POW2[k + 1022];
}

const LN2_HI = 0.6931471803691238; // 32 bits of ln 2
const LN2_LO = 1.9082149292705877e-10;
const INV_LN2 = 1.4426950408889634;

export function exp(x: number): number {
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
const [F0, F1, F2, F3, F4, F5, F6, F7, F8, F9, F10, F11, F12, F13, F14] = INV_FACT;

/** e^r by Taylor to r^14/14! on |r| <= 0.35 (Horner from the r^14 term). */
function expKernel(r: number): number {
  return (((((((((((((F14 * r + F13) * r + F12) * r + F11) * r + F10) * r + F9) * r + F8) * r + F7) * r + F6) * r + F5) * r + F4) * r + F3) * r + F2) * r + F1) * r + F0;
}

export function tanh(x: number): number {
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

export function log(x: number): number {
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
