// A closed circuit: its centreline sampled evenly by arc length, its width, checkpoints and
// sectors, and the queries the car, the lap counter, the expert and the views ask of it.
//
// Coordinates: x east, y north, metres; headings in radians counter-clockwise from +x.
// Lateral offsets are signed: + is left of the centreline in the direction of travel.
// A track is immutable once built; its arrays are shared, never copied per tick.

import { atan2, cos, PI, sin, TAU } from '../core/detmath.ts';
import { assert } from '../core/assert.ts';
import type { Meters } from '../core/units.ts';
import { buildGrid, GRID_REACH, nearestSegment, nearestSegmentReference, projectOnSegment, type SegmentHit, type TrackGrid } from './trackGrid.ts';

/** Spacing of centreline samples, metres (the last gap is stretched to close the loop). */
export const SAMPLE_SPACING = 1;
/** Checkpoints per lap; every one must be passed in order for a lap to count. */
export const CHECKPOINTS_PER_LAP = 12;
/** Sectors per lap (3, as in motorsport); each spans CHECKPOINTS_PER_LAP / SECTORS checkpoints. */
export const SECTORS = 3;
/** Road width limits, metres. */
export const MIN_WIDTH = 7;
export const MAX_WIDTH = 16;
/** Tightest centreline radius a valid track may have, metres. */
export const MIN_RADIUS = 14;

export interface Track {
  /** What recreates it: a preset name, a numeric seed, or a loaded file's id. */
  readonly id: string;
  readonly name: string;
  /** Road width, kerb to kerb. */
  readonly width: Meters;
  /** Centreline length of one lap. */
  readonly length: Meters;
  /** Number of centreline samples; sample i sits at arc length i * ds. */
  readonly n: number;
  readonly ds: number;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  /** Direction of travel at each sample. */
  readonly headings: Float64Array;
  /** Signed curvature at each sample, 1/m (+ turns left). */
  readonly curvatures: Float64Array;
  /** Arc lengths of the checkpoints; checkpoint 0 at s = 0 is the start/finish line. */
  readonly checkpoints: readonly number[];
  /** Index of the checkpoint that begins each sector. */
  readonly sectorStarts: readonly number[];
  /** Control points it was built from (for saving and the editor). */
  readonly controlPoints: readonly (readonly [number, number])[];
  /** Spatial index for nearest-point queries. */
  readonly grid: TrackGrid;
}

export interface TrackPoint {
  /** Arc length along the lap of the nearest centreline point, in [0, length). */
  s: number;
  /** Signed distance from the centreline (+ left). */
  lateral: number;
  /** Road heading at the nearest point. */
  heading: number;
  /** Index of the centreline segment (sample i to i + 1) holding the nearest point. */
  segment: number;
}

/** Wraps an angle to [-pi, pi). */
export function wrapAngle(a: number): number {
  let r = a % TAU;
  if (r >= PI) r -= TAU;
  else if (r < -PI) r += TAU;
  return r;
}

/** Wraps an arc length to [0, length). */
export function wrapS(track: Track, s: number): number {
  const r = s % track.length;
  return r < 0 ? r + track.length : r;
}

/** Signed shortest difference b - a along the loop, in [-length/2, length/2). */
export function deltaS(track: Track, a: number, b: number): number {
  const half = track.length / 2;
  let d = (b - a) % track.length;
  if (d >= half) d -= track.length;
  else if (d < -half) d += track.length;
  return d;
}

/**
 * Samples a closed uniform cubic B-spline through the control points' hull (C2: curvature is
 * continuous, so the road has no kinks) and resamples it evenly by arc length.
 */
function sampleClosedSpline(points: readonly (readonly [number, number])[]): { xs: Float64Array; ys: Float64Array; length: number } {
  const m = points.length;
  const perSegment = 64;
  const dense: number[] = [];
  for (let i = 0; i < m; i++) {
    const p0 = points[(i - 1 + m) % m];
    const p1 = points[i];
    const p2 = points[(i + 1) % m];
    const p3 = points[(i + 2) % m];
    for (let k = 0; k < perSegment; k++) {
      const t = k / perSegment;
      const t2 = t * t;
      const t3 = t2 * t;
      const b0 = (1 - t) * (1 - t) * (1 - t) / 6;
      const b1 = (3 * t3 - 6 * t2 + 4) / 6;
      const b2 = (-3 * t3 + 3 * t2 + 3 * t + 1) / 6;
      const b3 = t3 / 6;
      dense.push(b0 * p0[0] + b1 * p1[0] + b2 * p2[0] + b3 * p3[0], b0 * p0[1] + b1 * p1[1] + b2 * p2[1] + b3 * p3[1]);
    }
  }
  const count = dense.length / 2;
  const cum = new Float64Array(count + 1);
  for (let i = 0; i < count; i++) {
    const j = (i + 1) % count;
    const dx = dense[2 * j] - dense[2 * i];
    const dy = dense[2 * j + 1] - dense[2 * i + 1];
    cum[i + 1] = cum[i] + Math.sqrt(dx * dx + dy * dy);
  }
  const length = cum[count];
  const n = Math.max(16, Math.round(length / SAMPLE_SPACING));
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  let seg = 0;
  for (let i = 0; i < n; i++) {
    const s = (i * length) / n;
    while (cum[seg + 1] < s) seg++;
    const j = (seg + 1) % count;
    const f = (s - cum[seg]) / (cum[seg + 1] - cum[seg]);
    xs[i] = dense[2 * seg] + f * (dense[2 * j] - dense[2 * seg]);
    ys[i] = dense[2 * seg + 1] + f * (dense[2 * j + 1] - dense[2 * seg + 1]);
  }
  return { xs, ys, length };
}

export interface TrackSpec {
  id: string;
  name: string;
  width: number;
  controlPoints: readonly (readonly [number, number])[];
}

/** Builds a track from its control points. Throws if the spec is degenerate. */
export function buildTrack(spec: TrackSpec): Track {
  assert(spec.controlPoints.length >= 4, 'a track needs at least 4 control points');
  assert(spec.width >= MIN_WIDTH && spec.width <= MAX_WIDTH, `width must be within ${MIN_WIDTH}..${MAX_WIDTH} m`);
  let points = spec.controlPoints;
  // Drive counter-clockwise whatever order the points came in, so "left" means "inside".
  if (signedArea(points) < 0) points = [...points].reverse();
  const { xs, ys, length } = sampleClosedSpline(points);
  const n = xs.length;
  const ds = length / n;
  const headings = new Float64Array(n);
  const curvatures = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = (i - 1 + n) % n;
    const b = (i + 1) % n;
    headings[i] = atan2(ys[b] - ys[a], xs[b] - xs[a]);
  }
  for (let i = 0; i < n; i++) {
    const a = (i - 1 + n) % n;
    const b = (i + 1) % n;
    curvatures[i] = wrapAngle(headings[b] - headings[a]) / (2 * ds);
  }
  const checkpoints = Array.from({ length: CHECKPOINTS_PER_LAP }, (_, k) => (k * length) / CHECKPOINTS_PER_LAP);
  const sectorStarts = Array.from({ length: SECTORS }, (_, k) => (k * CHECKPOINTS_PER_LAP) / SECTORS);
  const grid = buildGrid(xs, ys, spec.width);
  return {
    id: spec.id,
    name: spec.name,
    width: spec.width as Meters,
    length: length as Meters,
    n,
    ds,
    xs,
    ys,
    headings,
    curvatures,
    checkpoints,
    sectorStarts,
    controlPoints: points.map((p) => [p[0], p[1]] as const),
    grid,
  };
}

function signedArea(points: readonly (readonly [number, number])[]): number {
  let a = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    const q = points[(i + 1) % points.length];
    a += p[0] * q[1] - q[0] * p[1];
  }
  return a / 2;
}

const hit: SegmentHit = { seg: -1, d2: 0, f: 0 };

/**
 * The nearest centreline point to (x, y), its arc length and the signed lateral offset.
 * `hint`: a segment likely near the answer (the previous tick's), which only makes it faster;
 * the answer is the same with or without it, bit for bit (trackGrid.ts says why).
 */
export function nearestPoint(track: Track, x: number, y: number, hint = -1): TrackPoint {
  nearestSegment(track, x, y, hint, hit);
  return trackPointOf(track, hit.seg, hit.d2, hit.f, x, y);
}

/** nearestPoint by the defining search (kept for the tests that hold the fast one to it). */
export function nearestPointReference(track: Track, x: number, y: number): TrackPoint {
  nearestSegmentReference(track, x, y, hit);
  return trackPointOf(track, hit.seg, hit.d2, hit.f, x, y);
}

function trackPointOf(track: Track, best: number, bestD2: number, bestF: number, x: number, y: number): TrackPoint {
  const j = best + 1 === track.n ? 0 : best + 1;
  const ex = track.xs[j] - track.xs[best];
  const ey = track.ys[j] - track.ys[best];
  const cross = ex * (y - track.ys[best]) - ey * (x - track.xs[best]);
  const dist = Math.sqrt(bestD2);
  const h0 = track.headings[best];
  return {
    s: wrapS(track, (best + bestF) * track.ds),
    lateral: cross >= 0 ? dist : -dist,
    heading: h0 + wrapAngle(track.headings[j] - h0) * bestF,
    segment: best,
  };
}

/** Centreline position and heading at arc length s (linear between samples). */
export function pointAt(track: Track, s: number): { x: number; y: number; heading: number } {
  const u = wrapS(track, s) / track.ds;
  const i = Math.floor(u) % track.n;
  const j = (i + 1) % track.n;
  const f = u - Math.floor(u);
  const h0 = track.headings[i];
  return {
    x: track.xs[i] + f * (track.xs[j] - track.xs[i]),
    y: track.ys[i] + f * (track.ys[j] - track.ys[i]),
    heading: h0 + wrapAngle(track.headings[j] - h0) * f,
  };
}

/** A point at arc length s, offset sideways by `lateral` (+ left). */
export function offsetPoint(track: Track, s: number, lateral: number): { x: number; y: number; heading: number } {
  const p = pointAt(track, s);
  return { x: p.x - sin(p.heading) * lateral, y: p.y + cos(p.heading) * lateral, heading: p.heading };
}

export function curvatureAt(track: Track, s: number): number {
  return track.curvatures[Math.floor(wrapS(track, s) / track.ds) % track.n];
}

/** Mean signed curvature over [s, s + distance], 1/m. */
export function curvatureAhead(track: Track, s: number, distance: number): number {
  const steps = Math.max(1, Math.round(distance / track.ds));
  const start = Math.floor(wrapS(track, s) / track.ds);
  let sum = 0;
  for (let k = 0; k < steps; k++) sum += track.curvatures[(start + k) % track.n];
  return sum / steps;
}

export function isOnRoad(track: Track, lateral: number): boolean {
  return Math.abs(lateral) <= track.width / 2;
}

/** Largest |curvature| on the track, 1/m. */
export function maxCurvature(track: Track): number {
  let m = 0;
  for (let i = 0; i < track.n; i++) m = Math.max(m, Math.abs(track.curvatures[i]));
  return m;
}

/**
 * Smallest distance between centreline points that are far apart along the lap (more than
 * `minArc` metres): where two stretches of road come close, or cross.
 */
export function minClearance(track: Track, minArc = 60): number {
  let best = Infinity;
  const g = track.grid;
  for (let i = 0; i < track.n; i++) {
    const c = Math.floor((track.xs[i] - g.minX) / g.cell);
    const r = Math.floor((track.ys[i] - g.minY) / g.cell);
    const cell = r * g.cols + c;
    for (let k = g.starts[cell]; k < g.starts[cell + 1]; k++) {
      const j = g.items[k];
      const arc = Math.abs(i - j) * track.ds;
      if (Math.min(arc, track.length - arc) <= minArc) continue;
      projectOnSegment(track, j, track.xs[i], track.ys[i], hit);
      best = Math.min(best, Math.sqrt(hit.d2));
    }
  }
  return best === Infinity ? GRID_REACH + track.width / 2 : best;
}

export interface TrackProblem {
  field: string;
  message: string;
}

/** Checks a built track against the rules every playable track must meet. */
export function validateTrack(track: Track): TrackProblem[] {
  const problems: TrackProblem[] = [];
  const minR = 1 / Math.max(maxCurvature(track), 1e-9);
  if (minR < MIN_RADIUS) problems.push({ field: 'controlPoints', message: `tightest corner has radius ${minR.toFixed(1)} m, below the ${MIN_RADIUS} m a car can take` });
  // A crossing shows as a clearance near zero: every sample is checked against every stretch of
  // road more than 60 m away along the lap, and no loop that short fits the radius limit.
  const clearance = minClearance(track);
  if (clearance < 1) problems.push({ field: 'controlPoints', message: 'the centreline crosses itself' });
  else if (clearance < track.width * 1.5) problems.push({ field: 'controlPoints', message: `two stretches of road come within ${clearance.toFixed(1)} m of each other (at least ${(track.width * 1.5).toFixed(1)} m needed)` });
  if (track.length < 300 || track.length > 6000) problems.push({ field: 'controlPoints', message: `lap length ${track.length.toFixed(0)} m is outside 300..6000 m` });
  return problems;
}
