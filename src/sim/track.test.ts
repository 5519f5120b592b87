import { describe, expect, it } from 'vitest';
import { deltaS, isOnRoad, maxCurvature, MAX_WIDTH, MIN_RADIUS, MIN_WIDTH, minClearance, nearestPoint, offsetPoint, pointAt, validateTrack } from './track.ts';
import { generateTrack } from './trackGen.ts';
import { parseTrackJson, TrackFormatError, trackToFile } from './trackJson.ts';
import { PRESET_NAMES, resolveTrack } from './tracks.ts';

describe('track generator', () => {
  it('gives a valid circuit for each of 200 seeds', () => {
    for (let seed = 0; seed < 200; seed++) {
      const t = generateTrack(seed);
      expect(validateTrack(t), `seed ${seed}`).toEqual([]);
      // Closed: the last sample leads back to the first within one spacing.
      const gap = Math.hypot(t.xs[0] - t.xs[t.n - 1], t.ys[0] - t.ys[t.n - 1]);
      expect(gap).toBeLessThan(t.ds * 1.5);
      expect(1 / maxCurvature(t)).toBeGreaterThanOrEqual(MIN_RADIUS);
      expect(minClearance(t)).toBeGreaterThanOrEqual(t.width * 1.5);
      expect(t.width).toBeGreaterThanOrEqual(MIN_WIDTH);
      expect(t.width).toBeLessThanOrEqual(MAX_WIDTH);
    }
  });

  it('is deterministic and varies with the seed', () => {
    const a = generateTrack(77);
    const b = generateTrack(77);
    const c = generateTrack(78);
    expect(Array.from(a.xs)).toEqual(Array.from(b.xs));
    expect(a.length).not.toBe(c.length);
  });

  it('makes circuits with straights and tight corners', () => {
    let withHairpin = 0;
    let withStraight = 0;
    for (let seed = 0; seed < 50; seed++) {
      const t = generateTrack(seed);
      if (1 / maxCurvature(t) < 30) withHairpin++;
      let run = 0;
      let longest = 0;
      for (let i = 0; i < 2 * t.n; i++) {
        run = Math.abs(t.curvatures[i % t.n]) < 1e-3 ? run + t.ds : 0;
        longest = Math.max(longest, run);
      }
      if (longest > 120) withStraight++;
    }
    expect(withHairpin).toBeGreaterThan(10);
    expect(withStraight).toBeGreaterThan(25);
  });

  it('builds every preset as a valid track', () => {
    for (const name of PRESET_NAMES) expect(validateTrack(resolveTrack(name)), name).toEqual([]);
  });
});

describe('track queries', () => {
  const t = resolveTrack('kidney');

  it('finds the nearest centreline point and the signed lateral offset', () => {
    for (const s of [0, 13.7, 400.2, t.length - 3]) {
      for (const lat of [-4, 0, 3.5]) {
        const p = offsetPoint(t, s, lat);
        const q = nearestPoint(t, p.x, p.y);
        expect(Math.abs(deltaS(t, s, q.s))).toBeLessThan(0.2);
        expect(q.lateral).toBeCloseTo(lat, 1);
        expect(isOnRoad(t, q.lateral)).toBe(Math.abs(lat) <= t.width / 2);
      }
    }
  });

  it('answers far from the road too', () => {
    const p = offsetPoint(t, 100, 80);
    const q = nearestPoint(t, p.x, p.y);
    expect(Math.abs(q.lateral)).toBeGreaterThan(50);
  });

  it('has headings that follow the centreline', () => {
    const a = pointAt(t, 200);
    const b = pointAt(t, 201);
    expect(Math.atan2(b.y - a.y, b.x - a.x)).toBeCloseTo(a.heading, 1);
  });
});

describe('track files', () => {
  it('round-trips a track through JSON', () => {
    const t = resolveTrack('twister');
    const back = parseTrackJson(JSON.stringify(trackToFile(t)));
    expect(back.length).toBeCloseTo(t.length, 6);
    expect(back.n).toBe(t.n);
  });

  const good = () => trackToFile(resolveTrack('oval')) as unknown as Record<string, unknown>;
  const cases: [string, (f: Record<string, unknown>) => unknown, string][] = [
    ['not JSON', () => '{nope', '(file)'],
    ['wrong format', (f) => ({ ...f, format: 'other' }), 'format'],
    ['future version', (f) => ({ ...f, version: 99 }), 'version'],
    ['bad id', (f) => ({ ...f, id: 'has space' }), 'id'],
    ['width missing', (f) => ({ ...f, width: undefined }), 'width'],
    ['width too small', (f) => ({ ...f, width: 2 }), 'width'],
    ['points not an array', (f) => ({ ...f, controlPoints: 'x' }), 'controlPoints'],
    ['a point with a string', (f) => ({ ...f, controlPoints: (f.controlPoints as unknown[]).map((p, i) => (i === 3 ? [1, 'a'] : p)) }), 'controlPoints[3][1]'],
    ['a point with three numbers', (f) => ({ ...f, controlPoints: (f.controlPoints as unknown[]).map((p, i) => (i === 5 ? [1, 2, 3] : p)) }), 'controlPoints[5]'],
    ['too tight', () => ({ ...good(), controlPoints: [[0, 0], [10, 0], [10, 10], [0, 10]] }), 'controlPoints'],
  ];
  for (const [what, mutate, field] of cases) {
    it(`rejects a file with ${what}, naming ${field}`, () => {
      const m = mutate(good());
      const text = typeof m === 'string' ? m : JSON.stringify(m);
      let err: unknown;
      try {
        parseTrackJson(text);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(TrackFormatError);
      expect((err as TrackFormatError).field).toBe(field);
      expect((err as Error).message).toContain(field);
    });
  }
});
