// The road's geometry, built from a Track's centreline as plain typed arrays (no three.js, so it
// is tested in Node): asphalt, gravel shoulders, edge lines and centre dashes, red-and-white
// kerbs in the corners, and the chequered start/finish line.
//
// Output is already in three.js world coordinates (see coords.ts). Each layer is one mesh for the
// whole lap: on software GL (SwiftShader) a draw call costs far more than the triangles it
// culls, so the road is five draw calls, and straights get few rings (see keptSamples).
//
// UVs are in metres: u across the road (+ towards the left edge), v along it. v is stretched a
// hair so that one lap is a whole number of ROAD_V_PERIOD metres: any texture tiling that divides
// the period meets itself seamlessly where the lap closes.

import { pointAt, type Track, wrapAngle } from '../sim/track.ts';
import { toThree } from './coords.ts';

/** Heights above the grass (three +Y), m: each layer sits on the one below without z-fighting. */
export const ROAD_HEIGHTS = {
  shoulder: 0.012,
  road: 0.024,
  markings: 0.036,
  kerbInner: 0.03,
  kerbOuter: 0.1,
  startLine: 0.044,
} as const;

/** Metres of road per which the v coordinate makes a whole number of periods per lap. */
export const ROAD_V_PERIOD = 16;

export interface RoadStyle {
  /** Mesh rings: at most this turn between rings (rad) and this spacing (m). */
  readonly maxTurn: number;
  readonly maxSpacing: number;
  /** Gravel beyond each road edge, m. */
  readonly shoulderWidth: number;
  /** Kerbs: width beyond the road edge, m, and the corner radius below which a bend gets them. */
  readonly kerbWidth: number;
  readonly kerbMaxRadius: number;
  /** How far kerbs run on before and after the tight part of a bend, m. */
  readonly kerbRunOn: number;
  /** Painted lines: width, and gap between the road edge and the edge line, m. */
  readonly lineWidth: number;
  readonly lineInset: number;
  /** Centre dashes: painted length and period, m (the period is adjusted to divide the lap). */
  readonly dashLength: number;
  readonly dashPeriod: number;
  /** Depth of the start/finish line along the road, m. */
  readonly startLineDepth: number;
}

export const DEFAULT_ROAD_STYLE: RoadStyle = {
  maxTurn: 0.03,
  maxSpacing: 8,
  shoulderWidth: 1.6,
  kerbWidth: 0.9,
  kerbMaxRadius: 90,
  kerbRunOn: 10,
  lineWidth: 0.2,
  lineInset: 0.3,
  dashLength: 3,
  dashPeriod: 9,
  startLineDepth: 1.2,
};

/** One indexed triangle mesh, front faces up. */
export interface Strip {
  /** xyz per vertex, three.js world coordinates. */
  readonly positions: Float32Array;
  /** uv per vertex, metres (see the header). */
  readonly uvs: Float32Array;
  readonly indices: Uint32Array;
}

export interface RoadGeometry {
  readonly road: Strip;
  /** Both shoulders. */
  readonly shoulders: Strip;
  /** Edge lines and centre dashes. */
  readonly markings: Strip;
  /** Kerbs of the bends (may be empty). */
  readonly kerbs: Strip;
  readonly startLine: Strip;
  /** How many rings (cross-sections) the road has per lap. */
  readonly rings: number;
  readonly style: RoadStyle;
  /** Scale from arc length to v (slightly above or below 1). */
  readonly vScale: number;
  /** Sim-coordinate bounds of everything built, m. */
  readonly bounds: { readonly minX: number; readonly maxX: number; readonly minY: number; readonly maxY: number };
}

/** Accumulates vertices and triangles; turns into a Strip at the end. */
class StripBuilder {
  private readonly p: number[] = [];
  private readonly t: number[] = [];
  private readonly i: number[] = [];

  get vertexCount(): number {
    return this.p.length / 3;
  }

  vertex(simX: number, simY: number, h: number, u: number, v: number): void {
    toThree(simX, simY, h, this.p, this.p.length);
    this.t.push(u, v);
  }

  /**
   * Joins the last `rings` pairs of vertices (each pair: right then left) into quads. Winding is
   * counter-clockwise seen from above, so faces point up.
   */
  joinRings(firstVertex: number, rings: number): void {
    for (let k = 0; k + 1 < rings; k++) {
      const r0 = firstVertex + 2 * k;
      const l0 = r0 + 1;
      const r1 = r0 + 2;
      const l1 = r0 + 3;
      this.i.push(r0, r1, l1, r0, l1, l0);
    }
  }

  build(): Strip {
    return { positions: Float32Array.from(this.p), uvs: Float32Array.from(this.t), indices: Uint32Array.from(this.i) };
  }
}

interface Ring {
  x: number;
  y: number;
  heading: number;
  /** Arc length along the lap (not wrapped), m. */
  s: number;
}

/** A band across the road: lateral offsets (m, + left, right < left) and heights of its edges. */
interface Band {
  readonly right: number;
  readonly left: number;
  readonly hRight: number;
  readonly hLeft: number;
}

/** Adds a ribbon along the rings over a band. u is the lateral offset itself (metres, + left). */
function ribbon(b: StripBuilder, rings: readonly Ring[], vScale: number, { right, left, hRight, hLeft }: Band): void {
  const first = b.vertexCount;
  for (const r of rings) {
    const nx = -Math.sin(r.heading);
    const ny = Math.cos(r.heading);
    const v = r.s * vScale;
    b.vertex(r.x + nx * right, r.y + ny * right, hRight, right, v);
    b.vertex(r.x + nx * left, r.y + ny * left, hLeft, left, v);
  }
  b.joinRings(first, rings.length);
}

/**
 * Rings at the kept centreline samples within first..last (inclusive; index n is sample 0 one
 * lap on). Both ends are always kept.
 */
function sampleRings(track: Track, keep: Uint8Array, first: number, last: number): Ring[] {
  const rings: Ring[] = [];
  for (let i = first; i <= last; i++) {
    const k = i % track.n;
    if (i !== first && i !== last && !keep[k]) continue;
    rings.push({ x: track.xs[k], y: track.ys[k], heading: track.headings[k], s: i * track.ds });
  }
  return rings;
}

/**
 * Which centreline samples become rings of the road mesh: enough that the road turns by at most
 * `maxTurn` rad between rings and rings are at most `maxSpacing` m apart. Straights need few
 * rings, bends one per sample; fewer triangles is what software GL is fastest at drawing.
 */
export function keptSamples(track: Track, maxTurn: number, maxSpacing: number): Uint8Array {
  const n = track.n;
  const keep = new Uint8Array(n);
  keep[0] = 1;
  let last = 0;
  for (let i = 1; i < n; i++) {
    const next = i + 1 === n ? 0 : i + 1;
    const turn = Math.abs(wrapAngle(track.headings[next] - track.headings[last]));
    if (turn > maxTurn || (i + 1 - last) * track.ds > maxSpacing) {
      keep[i] = 1;
      last = i;
    }
  }
  return keep;
}

/** Rings along [s0, s1], interpolated on the centreline polyline: one segment unless it bends. */
function arcRings(track: Track, s0: number, s1: number): Ring[] {
  const turn = Math.abs(wrapAngle(pointAt(track, s1).heading - pointAt(track, s0).heading));
  const steps = turn < 0.02 ? 1 : Math.max(1, Math.ceil((s1 - s0) / track.ds));
  const rings: Ring[] = [];
  for (let k = 0; k <= steps; k++) {
    const s = s0 + ((s1 - s0) * k) / steps;
    const p = pointAt(track, s);
    rings.push({ x: p.x, y: p.y, heading: p.heading, s });
  }
  return rings;
}

/**
 * Which centreline segments (sample i to i + 1) get kerbs: those within `kerbRunOn` of a sample
 * tighter than `kerbMaxRadius` (curvature taken as the largest over +-5 samples, so a kerb does
 * not flicker on and off through a bend).
 */
export function kerbedSegments(track: Track, style: RoadStyle = DEFAULT_ROAD_STYLE): Uint8Array {
  const n = track.n;
  const tight = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let k = 0;
    for (let j = -5; j <= 5; j++) k = Math.max(k, Math.abs(track.curvatures[(i + j + n) % n]));
    tight[i] = k * style.kerbMaxRadius > 1 ? 1 : 0;
  }
  const reach = Math.round(style.kerbRunOn / track.ds);
  const kerbed = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!tight[i]) continue;
    for (let j = -reach; j <= reach; j++) kerbed[(i + j + n) % n] = 1;
  }
  return kerbed;
}

/** Builds every road mesh of a track. Pure; takes a few milliseconds for a 2 km lap. */
export function buildRoadGeometry(track: Track, style: RoadStyle = DEFAULT_ROAD_STYLE): RoadGeometry {
  const n = track.n;
  const half = track.width / 2;
  const vScale = (Math.max(1, Math.round(track.length / ROAD_V_PERIOD)) * ROAD_V_PERIOD) / track.length;
  const kerbed = kerbedSegments(track, style);
  // Rings where kerbs start or stop are kept too, so kerbs and road share their rings.
  const keep = keptSamples(track, style.maxTurn, style.maxSpacing);
  for (let i = 0; i < n; i++) if (kerbed[i] !== kerbed[(i - 1 + n) % n]) keep[i] = 1;
  const dashCount = Math.max(1, Math.round(track.length / style.dashPeriod));
  const dashPeriod = track.length / dashCount;
  const lineOuter = half - style.lineInset;
  const lineInner = lineOuter - style.lineWidth;
  const dashHalf = style.lineWidth * 0.6;
  const H = ROAD_HEIGHTS;

  const rings = sampleRings(track, keep, 0, n);

  const road = new StripBuilder();
  ribbon(road, rings, vScale, { right: -half, left: half, hRight: H.road, hLeft: H.road });

  const shoulders = new StripBuilder();
  ribbon(shoulders, rings, vScale, { right: half, left: half + style.shoulderWidth, hRight: H.shoulder, hLeft: H.shoulder });
  ribbon(shoulders, rings, vScale, { right: -half - style.shoulderWidth, left: -half, hRight: H.shoulder, hLeft: H.shoulder });

  const markings = new StripBuilder();
  ribbon(markings, rings, vScale, { right: lineInner, left: lineOuter, hRight: H.markings, hLeft: H.markings });
  ribbon(markings, rings, vScale, { right: -lineOuter, left: -lineInner, hRight: H.markings, hLeft: H.markings });
  for (let d = 0; d < dashCount; d++) {
    const a = d * dashPeriod;
    ribbon(markings, arcRings(track, a, a + style.dashLength), vScale, { right: -dashHalf, left: dashHalf, hRight: H.markings, hLeft: H.markings });
  }

  // Kerb runs: scan one lap starting just after a kerb-free segment, so no run is cut at the seam.
  const kerbs = new StripBuilder();
  let from = 0;
  while (from < n && kerbed[from]) from++;
  if (from === n) {
    ribbon(kerbs, rings, vScale, { right: half, left: half + style.kerbWidth, hRight: H.kerbInner, hLeft: H.kerbOuter });
    ribbon(kerbs, rings, vScale, { right: -half - style.kerbWidth, left: -half, hRight: H.kerbOuter, hLeft: H.kerbInner });
  } else {
    let runStart = -1;
    for (let i = from; i <= from + n; i++) {
      const on = i < from + n && kerbed[i % n] === 1;
      if (on && runStart < 0) runStart = i;
      if (!on && runStart >= 0) {
        const kr = sampleRings(track, keep, runStart, i);
        ribbon(kerbs, kr, vScale, { right: half, left: half + style.kerbWidth, hRight: H.kerbInner, hLeft: H.kerbOuter });
        ribbon(kerbs, kr, vScale, { right: -half - style.kerbWidth, left: -half, hRight: H.kerbOuter, hLeft: H.kerbInner });
        runStart = -1;
      }
    }
  }

  const startLine = new StripBuilder();
  const d = style.startLineDepth / 2;
  ribbon(startLine, arcRings(track, -d, d), 1, { right: -half, left: half, hRight: H.startLine, hLeft: H.startLine });

  const reach = half + style.shoulderWidth + style.kerbWidth;
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, track.xs[i] - reach);
    maxX = Math.max(maxX, track.xs[i] + reach);
    minY = Math.min(minY, track.ys[i] - reach);
    maxY = Math.max(maxY, track.ys[i] + reach);
  }

  return {
    road: road.build(),
    shoulders: shoulders.build(),
    markings: markings.build(),
    kerbs: kerbs.build(),
    startLine: startLine.build(),
    rings: rings.length,
    style,
    vScale,
    bounds: { minX, maxX, minY, maxY },
  };
}
