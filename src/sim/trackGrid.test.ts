// The fast nearest-point search returns exactly what the defining search returns (same segment,
// same bits of s, lateral and heading), with any hint or none: on random points near and far,
// on points equidistant from two segments (the tie rule), at the centres of corners (many
// segments nearly tied), along driven paths with the previous tick's segment as the hint, and
// on random polygons (long, uneven and crossing segments, where every safety margin of the
// fast search matters far more than on a road sampled every metre).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createExpert } from './expert.ts';
import { nearestPoint, nearestPointReference, type Track, type TrackPoint } from './track.ts';
import { buildGrid, nearestSegment, nearestSegmentReference, type Polyline, type SegmentHit } from './trackGrid.ts';
import { trackFromFile, trackToFile } from './trackJson.ts';
import { resolveTrack } from './tracks.ts';
import { createWorld, stepWorld } from './world.ts';

const TRACKS = ['oval', 'kidney', 'hairpins', 'twister', '0', '123', '4242', '98765', '4000000000'].map(resolveTrack);

const same = (a: TrackPoint, b: TrackPoint): boolean =>
  a.segment === b.segment && Object.is(a.s, b.s) && Object.is(a.lateral, b.lateral) && Object.is(a.heading, b.heading);

function expectSame(track: Track, x: number, y: number, hint: number): void {
  const want = nearestPointReference(track, x, y);
  const got = nearestPoint(track, x, y, hint);
  if (!same(got, want)) expect({ track: track.id, x, y, hint, got }).toEqual({ track: track.id, x, y, hint, got: want });
}

/** A point beside the road: at arc sample i + f, `lateral` metres to the left. */
function beside(t: Track, i: number, f: number, lateral: number): [number, number] {
  const j = (i + 1) % t.n;
  const x = t.xs[i] + f * (t.xs[j] - t.xs[i]);
  const y = t.ys[i] + f * (t.ys[j] - t.ys[i]);
  const h = t.headings[i];
  return [x - Math.sin(h) * lateral, y + Math.cos(h) * lateral];
}

describe('nearestPoint equals the reference search', () => {
  it('on random points anywhere around each track, with random hints', () => {
    for (const t of TRACKS) {
      let minX = Infinity;
      let maxX = -Infinity;
      let minY = Infinity;
      let maxY = -Infinity;
      for (let i = 0; i < t.n; i++) {
        minX = Math.min(minX, t.xs[i]);
        maxX = Math.max(maxX, t.xs[i]);
        minY = Math.min(minY, t.ys[i]);
        maxY = Math.max(maxY, t.ys[i]);
      }
      const pad = 120;
      fc.assert(fc.property(
        fc.double({ min: minX - pad, max: maxX + pad, noNaN: true }),
        fc.double({ min: minY - pad, max: maxY + pad, noNaN: true }),
        fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: t.n - 1 })),
        (x, y, hint) => expectSame(t, x, y, hint),
      ), { numRuns: 3000 });
    }
  });

  it('on points near the road, with hints near the answer', () => {
    for (const t of TRACKS) {
      fc.assert(fc.property(
        fc.integer({ min: 0, max: t.n - 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: -3 * t.width, max: 3 * t.width, noNaN: true }),
        fc.integer({ min: -12, max: 12 }),
        (i, f, lateral, off) => {
          const [x, y] = beside(t, i, f, lateral);
          expectSame(t, x, y, (i + off + t.n) % t.n);
        },
      ), { numRuns: 3000 });
    }
  });

  it('on ties: points on the bisector at each sample, and at the centres of corners', () => {
    for (const t of TRACKS) {
      for (let i = 0; i < t.n; i++) {
        for (const lateral of [-t.width, -2, 0, 0.5, t.width / 2, 30]) {
          const [x, y] = beside(t, i, 0, lateral);
          for (const hint of [-1, i, (i + t.n - 1) % t.n, (i + 5) % t.n]) expectSame(t, x, y, hint);
        }
        const k = t.curvatures[i];
        if (Math.abs(k) > 1e-3) {
          const [x, y] = beside(t, i, 0, 1 / k); // the centre of the turning circle
          expectSame(t, x, y, i);
          expectSame(t, x, y, -1);
        }
      }
    }
  });

  it('along driven paths, hinted by the previous tick (on the road, weaving off it, lost far away)', () => {
    for (const t of TRACKS.slice(0, 6)) {
      const e = createExpert(t, { seed: 3, steerNoise: 0.2, weaveRate: 0.5, weaveAmplitude: 2.5 });
      let w = createWorld(t);
      for (let tick = 0; tick < 4000; tick++) {
        const c = tick > 3000 ? { steer: 0.02, torque: 1 } : e.control(w);
        const hint = w.trackPos.segment;
        w = stepWorld(w, c);
        expectSame(t, w.car.x, w.car.y, hint);
      }
    }
  });

  it('on a track loaded from a file, and for coordinates beyond the fast range', () => {
    const t = trackFromFile({ ...trackToFile(resolveTrack('kidney')), id: 'file-kidney' });
    for (let i = 0; i < t.n; i += 7) {
      const [x, y] = beside(t, i, 0.3, 2);
      expectSame(t, x, y, (i + 3) % t.n);
    }
    for (const [x, y] of [[1e8, 0], [-3e7, 5e7], [1e12, -1e12]]) expectSame(t, x, y, 10);
  });

  it('on random polygons, jittered loops and hairpins: long, uneven and crossing segments, random points and hints', () => {
    const coord = fc.double({ min: -100, max: 100, noNaN: true });
    const polygon = fc.array(fc.tuple(coord, coord), { minLength: 3, maxLength: 60 });
    // Loops around the origin with uneven sides (a coarse, jittered road): the windowed scan's case.
    const loop = fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 40, max: 90, noNaN: true })), { minLength: 8, maxLength: 80 })
      .map((ps) => [...ps].sort((a, b) => a[0] - b[0]).map(([t, r]): [number, number] => [r * Math.cos(2 * Math.PI * t), r * Math.sin(2 * Math.PI * t)]));
    // Hairpins: a long thin loop whose two legs run side by side a few metres apart, so the
    // distance along the line has several minima inside one scan window.
    const hairpin = fc.tuple(fc.integer({ min: 3, max: 30 }), fc.double({ min: 0.5, max: 12, noNaN: true }), fc.double({ min: 1, max: 15, noNaN: true }), fc.integer({ min: 1, max: 6 }))
      .map(([k, gap, step, turn]) => {
        const ps: [number, number][] = [];
        for (let i = 0; i < k; i++) ps.push([i * step * (1 + 0.3 * Math.sin(i)), 0]);
        const end = ps[ps.length - 1][0];
        for (let i = 1; i < turn; i++) ps.push([end + gap * Math.sin((Math.PI * i) / turn), gap - gap * Math.cos((Math.PI * i) / turn)]);
        for (let i = k - 1; i >= 0; i--) ps.push([ps[i][0] + 0.1 * i, 2 * gap]);
        return ps;
      });
    const near = fc.double({ min: -160, max: 160, noNaN: true });
    fc.assert(fc.property(fc.oneof(polygon, loop, hairpin).filter((ps) => ps.every((p, i) => { const q = ps[(i + 1) % ps.length]; return p[0] !== q[0] || p[1] !== q[1]; })), fc.double({ min: 0, max: 20, noNaN: true }), fc.array(fc.tuple(near, near, fc.nat()), { minLength: 1, maxLength: 40 }), (ps, width, queries) => {
      const xs = Float64Array.from(ps, (p) => p[0]);
      const ys = Float64Array.from(ps, (p) => p[1]);
      const line: Polyline = { n: ps.length, xs, ys, grid: buildGrid(xs, ys, width) };
      const want: SegmentHit = { seg: -1, d2: 0, f: 0 };
      const got: SegmentHit = { seg: -1, d2: 0, f: 0 };
      for (const [x, y, h] of queries) {
        for (const hint of [-1, h % ps.length]) {
          nearestSegmentReference(line, x, y, want);
          nearestSegment(line, x, y, hint, got);
          if (got.seg !== want.seg || !Object.is(got.d2, want.d2) || !Object.is(got.f, want.f)) return false;
        }
      }
      return true;
    }), { numRuns: 4000 });
  });
});
