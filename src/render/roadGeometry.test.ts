import { describe, expect, it } from 'vitest';
import { nearestPoint, pointAt, type Track, wrapAngle } from '../sim/track.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { buildRoadGeometry, DEFAULT_ROAD_STYLE, kerbedSegments, keptSamples, ROAD_HEIGHTS, ROAD_V_PERIOD, type Strip } from './roadGeometry.ts';

const TRACKS = ['oval', 'hairpins', 'twister', '12345'].map(resolveTrack);
const style = DEFAULT_ROAD_STYLE;

/** Vertex i of a strip in sim coordinates (three (x, h, z) -> sim (x, -z)) and its height. */
function vertex(s: Strip, i: number): { x: number; y: number; h: number } {
  return { x: s.positions[i * 3], y: -s.positions[i * 3 + 2], h: s.positions[i * 3 + 1] };
}

function lateralOf(track: Track, s: Strip, i: number): number {
  const v = vertex(s, i);
  return nearestPoint(track, v.x, v.y).lateral;
}

describe.each(TRACKS.map((t) => [t.id, t] as const))('road geometry of %s', (_id, track) => {
  const g = buildRoadGeometry(track);
  const half = track.width / 2;

  it('is a closed strip of quads, two vertices per ring, every face up', () => {
    const road = g.road;
    expect(road.positions.length).toBe(g.rings * 2 * 3);
    expect(road.uvs.length).toBe(g.rings * 2 * 2);
    expect(road.indices.length).toBe((g.rings - 1) * 6);
    // Closed: the last ring lies on the first (one lap on), and v has run a whole number of periods.
    const n = g.rings * 2;
    for (const k of [0, 1]) {
      const first = vertex(road, k);
      const last = vertex(road, n - 2 + k);
      expect(Math.hypot(first.x - last.x, first.y - last.y)).toBeLessThan(1e-3);
    }
    const vEnd = road.uvs[(n - 1) * 2 + 1];
    expect(vEnd / ROAD_V_PERIOD).toBeCloseTo(Math.round(vEnd / ROAD_V_PERIOD), 6);
    expect(Math.abs(vEnd - track.length)).toBeLessThan(ROAD_V_PERIOD);
    for (const strip of [road, g.shoulders, g.markings, g.kerbs, g.startLine]) {
      const p = strip.positions;
      const count = p.length / 3;
      for (let t = 0; t < strip.indices.length; t += 3) {
        const [a, b, c] = [strip.indices[t], strip.indices[t + 1], strip.indices[t + 2]];
        expect(Math.max(a, b, c)).toBeLessThan(count);
        // Y of the face normal (b - a) x (c - a): positive = facing up.
        const ny = (p[c * 3] - p[a * 3]) * (p[b * 3 + 2] - p[a * 3 + 2]) - (p[b * 3] - p[a * 3]) * (p[c * 3 + 2] - p[a * 3 + 2]);
        expect(ny).toBeGreaterThan(0);
      }
    }
  });

  it('is exactly as wide as the track, centred on the centreline', () => {
    for (let r = 0; r < g.rings; r++) {
      const right = vertex(g.road, 2 * r);
      const left = vertex(g.road, 2 * r + 1);
      expect(Math.hypot(left.x - right.x, left.y - right.y)).toBeCloseTo(track.width, 4);
      expect(right.h).toBeCloseTo(ROAD_HEIGHTS.road, 6);
    }
    for (let i = 0; i < g.road.positions.length / 3; i += 7) {
      expect(Math.abs(Math.abs(lateralOf(track, g.road, i)) - half)).toBeLessThan(0.03);
    }
  });

  it('puts shoulders and kerbs outside the road, and markings inside it', () => {
    for (let i = 0; i < g.shoulders.positions.length / 3; i += 5) {
      const lat = Math.abs(lateralOf(track, g.shoulders, i));
      expect(lat).toBeGreaterThan(half - 0.03);
      expect(lat).toBeLessThan(half + style.shoulderWidth + 0.03);
    }
    for (let i = 0; i < g.kerbs.positions.length / 3; i += 3) {
      const lat = Math.abs(lateralOf(track, g.kerbs, i));
      expect(lat).toBeGreaterThan(half - 0.03);
      expect(lat).toBeLessThan(half + style.kerbWidth + 0.03);
    }
    for (let i = 0; i < g.markings.positions.length / 3; i++) {
      expect(Math.abs(lateralOf(track, g.markings, i))).toBeLessThan(half - style.lineInset + 0.03);
      expect(vertex(g.markings, i).h).toBeGreaterThan(ROAD_HEIGHTS.road);
    }
  });

  it('has rings close enough to follow every bend, and few on straights', () => {
    const turns: number[] = [];
    const gaps: number[] = [];
    for (let r = 1; r < g.rings; r++) {
      const a = vertex(g.road, 2 * (r - 1));
      const b = vertex(g.road, 2 * r);
      const aL = vertex(g.road, 2 * (r - 1) + 1);
      const bL = vertex(g.road, 2 * r + 1);
      const ha = Math.atan2(-(aL.x - a.x), aL.y - a.y); // across-road direction rotated back to the heading
      const hb = Math.atan2(-(bL.x - b.x), bL.y - b.y);
      turns.push(Math.abs(wrapAngle(hb - ha)));
      gaps.push(Math.hypot((a.x + aL.x) / 2 - (b.x + bL.x) / 2, (a.y + aL.y) / 2 - (b.y + bL.y) / 2));
    }
    // One sample more than the tolerance at most, as rings are chosen among the 1 m samples.
    const perSample = Math.max(...Array.from(track.curvatures, Math.abs)) * track.ds;
    expect(Math.max(...turns)).toBeLessThanOrEqual(style.maxTurn + perSample + 1e-9);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(style.maxSpacing + 1e-6);
    expect(g.rings).toBeLessThan(track.n * 0.8);
  });

  it('lays the start line across the road at arc length 0', () => {
    const s0 = pointAt(track, 0);
    const count = g.startLine.positions.length / 3;
    expect(count).toBe(4); // a straight one-segment strip
    for (let i = 0; i < count; i++) {
      const v = vertex(g.startLine, i);
      const along = (v.x - s0.x) * Math.cos(s0.heading) + (v.y - s0.y) * Math.sin(s0.heading);
      expect(Math.abs(along)).toBeLessThanOrEqual(style.startLineDepth / 2 + 0.01); // + float32 and a slight bend
      expect(Math.abs(Math.abs(lateralOf(track, g.startLine, i)) - half)).toBeLessThan(0.05);
      expect(v.h).toBeGreaterThan(ROAD_HEIGHTS.markings);
    }
  });
});

describe('kerbs', () => {
  it('line the bends tighter than the limit and leave long straights bare', () => {
    const oval = resolveTrack('oval');
    const kerbed = kerbedSegments(oval);
    let tight = 0;
    let straight = 0;
    let kerbedStraight = 0;
    for (let i = 0; i < oval.n; i++) {
      const k = Math.abs(oval.curvatures[i]);
      if (k * style.kerbMaxRadius > 1.05) {
        tight++;
        expect(kerbed[i]).toBe(1);
      }
      // Far (> run-on + 5 samples) from any tight sample: must be bare.
      let near = false;
      for (let j = -style.kerbRunOn - 6; j <= style.kerbRunOn + 6; j++) near ||= Math.abs(oval.curvatures[(i + j + oval.n) % oval.n]) * style.kerbMaxRadius > 1;
      if (!near) {
        straight++;
        kerbedStraight += kerbed[i];
      }
    }
    expect(tight).toBeGreaterThan(50);
    expect(straight).toBeGreaterThan(50);
    expect(kerbedStraight).toBe(0);
  });

  it('keeps a ring at every place a kerb starts or stops', () => {
    const t = resolveTrack('hairpins');
    const keep = keptSamples(t, style.maxTurn, style.maxSpacing);
    expect(keep[0]).toBe(1);
    const g = buildRoadGeometry(t);
    const kerbed = kerbedSegments(t);
    let transitions = 0;
    for (let i = 0; i < t.n; i++) if (kerbed[i] !== kerbed[(i - 1 + t.n) % t.n]) transitions++;
    // Each run is two ribbons (both sides); a run spans rings so the kerb meets the road exactly.
    expect(transitions % 2).toBe(0);
    expect(g.kerbs.indices.length).toBeGreaterThan(0);
    expect(g.kerbs.positions.length / 3 % 2).toBe(0);
  });
});
