// Seeded track generation, the way circuits are drawn: a seeded polygon (convex hull of random
// points, with some edges pushed in or out to make chicanes and hairpins), each corner rounded
// by an arc of seeded radius, straights between them. The result is sampled densely and handed
// to buildTrack, whose C2 spline eases the arcs in (no curvature steps), then checked (radius,
// clearance, no crossing) and retried until valid. Same seed, same track, on any machine.

import { atan2, cos, PI, sin } from '../core/detmath.ts';
import { createRng, type Rng } from '../core/rng.ts';
import { buildTrack, MIN_RADIUS, type Track, validateTrack } from './track.ts';

export type Vec = [number, number];

const MAX_ATTEMPTS = 200;
/** Spacing of the points handed to the spline, metres. */
const CONTROL_SPACING = 8;

function cross(o: Vec, a: Vec, b: Vec): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** Convex hull, counter-clockwise (Andrew's monotone chain). */
function convexHull(points: Vec[]): Vec[] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const lower: Vec[] = [];
  for (const q of p) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], q) <= 0) lower.pop();
    lower.push(q);
  }
  const upper: Vec[] = [];
  for (let i = p.length - 1; i >= 0; i--) {
    const q = p[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], q) <= 0) upper.pop();
    upper.push(q);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

function dist(a: Vec, b: Vec): number {
  return Math.sqrt((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2);
}

/** The corner polygon: hull of random points with some edges bent in or out. */
function cornerPolygon(rng: Rng): Vec[] {
  const w = rng.range(380, 720);
  const h = w * rng.range(0.45, 0.9);
  const pts: Vec[] = [];
  const count = rng.int(7, 12);
  for (let i = 0; i < count; i++) pts.push([rng.range(0, w), rng.range(0, h)]);
  const hull = convexHull(pts);
  const out: Vec[] = [];
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i];
    const b = hull[(i + 1) % hull.length];
    out.push(a);
    const len = dist(a, b);
    if (len > 140 && rng.next() < 0.65) {
      // Bend this edge: inward makes a chicane or a hairpin pair, outward a sweeper.
      const t = rng.range(0.35, 0.65);
      const push = len * (rng.next() < 0.6 ? -rng.range(0.15, 0.45) : rng.range(0.08, 0.25));
      const nx = -(b[1] - a[1]) / len;
      const ny = (b[0] - a[0]) / len;
      out.push([a[0] + t * (b[0] - a[0]) + nx * push, a[1] + t * (b[1] - a[1]) + ny * push]);
    }
  }
  return out;
}

/**
 * Rounds every corner of a polygon with an arc (radius from `radiusOf`, shrunk where the edges
 * are too short for it) and samples the closed path every CONTROL_SPACING metres, starting in
 * the middle of the longest straight: the start/finish line. Undefined if a corner cannot be
 * rounded with at least MIN_RADIUS.
 */
export function filletPath(poly: readonly Vec[], radiusOf: (corner: number) => number): Vec[] | undefined {
  const m = poly.length;
  const corners: { start: Vec; end: Vec; center: Vec; radius: number; a0: number; sweep: number }[] = [];
  for (let i = 0; i < m; i++) {
    const prev = poly[(i - 1 + m) % m];
    const cur = poly[i];
    const next = poly[(i + 1) % m];
    const lin = dist(prev, cur);
    const lout = dist(cur, next);
    if (lin < 30 || lout < 30) return undefined;
    const hin = atan2(cur[1] - prev[1], cur[0] - prev[0]);
    const hout = atan2(next[1] - cur[1], next[0] - cur[0]);
    let turn = hout - hin;
    while (turn > PI) turn -= 2 * PI;
    while (turn < -PI) turn += 2 * PI;
    const a = Math.abs(turn);
    if (a > 2.8) return undefined; // sharper than a hairpin can round
    if (a < 1e-3) continue;
    // Hairpins come from tight radii on sharp corners; sweepers from wide ones.
    let radius = radiusOf(i);
    const tanHalf = sin(a / 2) / cos(a / 2);
    const maxTangent = 0.49 * Math.min(lin, lout);
    if (radius * tanHalf > maxTangent) radius = maxTangent / tanHalf;
    if (radius < MIN_RADIUS + 1) return undefined;
    const t = radius * tanHalf;
    const start: Vec = [cur[0] - cos(hin) * t, cur[1] - sin(hin) * t];
    const end: Vec = [cur[0] + cos(hout) * t, cur[1] + sin(hout) * t];
    const side = turn > 0 ? 1 : -1; // centre to the left for a left turn
    const center: Vec = [start[0] - sin(hin) * radius * side, start[1] + cos(hin) * radius * side];
    corners.push({ start, end, center, radius, a0: atan2(start[1] - center[1], start[0] - center[0]), sweep: turn });
  }
  const path: Vec[] = [];
  let startIndex = 0;
  let longest = -1;
  for (let k = 0; k < corners.length; k++) {
    const c = corners[k];
    const steps = Math.max(2, Math.ceil((Math.abs(c.sweep) * c.radius) / CONTROL_SPACING));
    for (let j = 0; j < steps; j++) {
      const ang = c.a0 + (c.sweep * j) / steps;
      path.push([c.center[0] + c.radius * cos(ang), c.center[1] + c.radius * sin(ang)]);
    }
    const nxt = corners[(k + 1) % corners.length];
    const len = dist(c.end, nxt.start);
    const segs = Math.max(1, Math.round(len / CONTROL_SPACING));
    if (len > longest) {
      longest = len;
      startIndex = path.length + Math.floor(segs / 2);
    }
    for (let j = 0; j < segs; j++) {
      path.push([c.end[0] + ((nxt.start[0] - c.end[0]) * j) / segs, c.end[1] + ((nxt.start[1] - c.end[1]) * j) / segs]);
    }
  }
  return path.slice(startIndex).concat(path.slice(0, startIndex));
}

/** Moves the path so that it is centred on the origin and rounds coordinates to centimetres. */
export function centre(path: Vec[]): Vec[] {
  let cx = 0;
  let cy = 0;
  for (const p of path) {
    cx += p[0];
    cy += p[1];
  }
  cx /= path.length;
  cy /= path.length;
  return path.map(([x, y]) => [Math.round((x - cx) * 100) / 100, Math.round((y - cy) * 100) / 100]);
}

/** The track for a numeric seed. Deterministic; always returns a valid track. */
export function generateTrack(seed: number): Track {
  const rng = createRng(`track:${seed}`);
  const id = String(seed);
  const name = `Circuit ${seed}`;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const path = filletPath(cornerPolygon(rng), () => (rng.next() < 0.35 ? rng.range(MIN_RADIUS + 2, 30) : rng.range(30, 110)));
    const width = Math.round(rng.range(9, 13) * 10) / 10;
    if (!path) continue;
    const track = buildTrack({ id, name, width, controlPoints: centre(path) });
    if (validateTrack(track).length === 0) return track;
  }
  throw new Error(`no valid track found for seed ${seed} in ${MAX_ATTEMPTS} attempts`);
}
