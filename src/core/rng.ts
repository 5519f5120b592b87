// The one seeded random source. Its whole state is one 32-bit number, so it can live inside
// plain simulation data, be copied, hashed and replayed. Algorithm: mulberry32 (Tommy Ettinger),
// which passes gjrand and PractRand to 2^32 outputs: ample for tracks, scenery and noise.

import { cos, log } from './detmath.ts';

const sqrt = Math.sqrt; // IEEE 754 requires sqrt to be correctly rounded: exact everywhere

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number;
  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number;
  /** Standard normal (Box-Muller, deterministic math). */
  normal(): number;
  /** A new independent stream derived from this one and a label. */
  fork(label: string): Rng;
  /** The current state, to store and resume. */
  readonly state: number;
}

/** 32-bit FNV-1a of a string: turns seeds such as "oval" or "12345" into numbers. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function seedFrom(seed: number | string): number {
  return typeof seed === 'number' ? (Math.floor(seed) >>> 0) : hashString(seed);
}

/** One mulberry32 step. Returns [value in [0,1), next state]. */
export function mulberry32(state: number): [number, number] {
  const s = (state + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [((t ^ (t >>> 14)) >>> 0) / 4294967296, s];
}

export function createRng(seed: number | string): Rng {
  let state = seedFrom(seed);
  const next = (): number => {
    const [v, s] = mulberry32(state);
    state = s;
    return v;
  };
  const rng: Rng = {
    next,
    range: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    normal: () => {
      const u = 1 - next(); // (0, 1]
      const v = next();
      return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
    },
    fork: (label) => createRng((hashString(label) ^ Math.imul(state, 0x9e3779b1)) >>> 0),
    get state() {
      return state;
    },
  };
  return rng;
}
