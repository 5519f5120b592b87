// What a steering histogram says about a data set: how much of it is near-straight, how the
// turns split left and right, and one line of advice. Data that is mostly straight teaches a
// model to go straight, and one-sided turns teach it to pull to that side. Pure.

import type { SteeringHistogram } from '../../data/index.ts';

/** |steer| below this counts as near-straight. The expert drives 50-70% of a preset lap under it. */
export const NEAR_STRAIGHT = 0.05;
/** Near-straight share above which the data set is called straight-heavy. */
export const STRAIGHT_HEAVY = 0.6;
/** Share of the turning frames on one side above which the turns are called one-sided. */
export const ONE_SIDED = 0.75;
/** Fewer frames than this (50 s at 20 Hz) is too little to train on. */
export const FEW_FRAMES = 1000;
/** |steer| from which a frame counts as full lock. */
export const FULL_LOCK = 0.9;

export interface SteeringSummary {
  readonly total: number;
  /** Fractions of all frames, 0..1 (straight + left + right = 1). */
  readonly straight: number;
  readonly left: number;
  readonly right: number;
  readonly fullLock: number;
}

/** Part of [a, b] inside [lo, hi], as a fraction of b - a. */
function overlap(a: number, b: number, lo: number, hi: number): number {
  if (b <= a) return 0;
  return Math.max(0, Math.min(b, hi) - Math.max(a, lo)) / (b - a);
}

/**
 * Shares of straight, left (+) and right (-) frames. A bin that straddles a threshold is split
 * in proportion to its width (frames taken as spread evenly in the bin), so the result barely
 * depends on the bin count.
 */
export function summariseSteering(h: SteeringHistogram): SteeringSummary {
  let straight = 0;
  let left = 0;
  let right = 0;
  let fullLock = 0;
  for (let i = 0; i < h.counts.length; i++) {
    const a = h.edges[i];
    const b = h.edges[i + 1];
    const n = h.counts[i];
    if (n === 0) continue;
    const s = overlap(a, b, -NEAR_STRAIGHT, NEAR_STRAIGHT);
    const l = overlap(a, b, NEAR_STRAIGHT, Infinity);
    straight += n * s;
    left += n * l;
    right += n * (1 - s - l);
    fullLock += n * (overlap(a, b, FULL_LOCK, Infinity) + overlap(a, b, -Infinity, -FULL_LOCK));
  }
  const t = h.total || 1;
  return { total: h.total, straight: straight / t, left: left / t, right: right / t, fullLock: fullLock / t };
}

export type VerdictLevel = 'empty' | 'warn' | 'good';

export interface SteeringVerdict {
  readonly level: VerdictLevel;
  readonly text: string;
  readonly summary: SteeringSummary;
}

const pct = (f: number): string => `${Math.round(100 * f)}%`;

/** One line of advice, the most important problem first. */
export function steeringVerdict(h: SteeringHistogram): SteeringVerdict {
  const summary = summariseSteering(h);
  const { total, straight, left, right, fullLock } = summary;
  if (total === 0) return { level: 'empty', text: 'No frames to look at yet: record or select clips.', summary };
  if (straight > STRAIGHT_HEAVY) {
    return {
      level: 'warn',
      text: `${pct(straight)} of frames are near-straight: add curves, weaves or side cameras, or use balancing when training.`,
      summary,
    };
  }
  const turning = left + right;
  if (turning > 0) {
    const leftShare = left / turning;
    const side = leftShare >= 0.5 ? 'left' : 'right';
    const share = Math.max(leftShare, 1 - leftShare);
    if (share > ONE_SIDED) {
      return {
        level: 'warn',
        text: `${pct(share)} of the turns go ${side}: drive other tracks too, or train with mirrored frames, or the model will pull ${side}.`,
        summary,
      };
    }
  }
  if (fullLock > 0.1) {
    return { level: 'warn', text: `${pct(fullLock)} of frames are at full lock: the driver was fighting the car; check those clips.`, summary };
  }
  if (total < FEW_FRAMES) {
    return { level: 'warn', text: `Only ${total} frames: record a few minutes more before training.`, summary };
  }
  return {
    level: 'good',
    text: `Good mix: ${pct(straight)} near-straight, turns ${pct(turning > 0 ? left / turning : 0.5)} left / ${pct(turning > 0 ? right / turning : 0.5)} right.`,
    summary,
  };
}

/** Adds histograms over the same edges (the per-clip ones the panel caches). */
export function sumHistograms(parts: readonly SteeringHistogram[], bins: number): SteeringHistogram {
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = -1 + (2 * i) / bins;
  const counts = new Uint32Array(bins);
  let total = 0;
  for (const p of parts) {
    if (p.counts.length !== bins) throw new Error(`histogram has ${p.counts.length} bins, expected ${bins}`);
    for (let i = 0; i < bins; i++) counts[i] += p.counts[i];
    total += p.total;
  }
  return { edges, counts, total };
}
