import { describe, expect, it } from 'vitest';
import type { Track } from '../sim/track.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { distanceToCentreline, layoutScenery, SCENERY_KINDS, SCENERY_MARGIN, sceneryFootprint } from './scenery.ts';

/** Distance to the centreline polyline by scanning every segment (the reference, no grid). */
function bruteDistance(track: Track, x: number, y: number): number {
  let best = Infinity;
  for (let i = 0; i < track.n; i++) {
    const j = (i + 1) % track.n;
    const ax = track.xs[i], ay = track.ys[i];
    const ex = track.xs[j] - ax, ey = track.ys[j] - ay;
    const f = Math.min(1, Math.max(0, ((x - ax) * ex + (y - ay) * ey) / (ex * ex + ey * ey)));
    best = Math.min(best, Math.hypot(ax + f * ex - x, ay + f * ey - y));
  }
  return best;
}

describe.each(['oval', 'hairpins', 'kidney', '4242'])('scenery of %s', (id) => {
  const track = resolveTrack(id);
  const items = layoutScenery(track);

  it('stands off the road by the margin plus its own footprint, every item', () => {
    for (const it of items) {
      const clear = bruteDistance(track, it.x, it.y) - sceneryFootprint(it) - track.width / 2;
      expect(clear, `${it.kind} at (${it.x.toFixed(1)}, ${it.y.toFixed(1)})`).toBeGreaterThanOrEqual(SCENERY_MARGIN - 1e-9);
    }
  });

  it('has every kind, in sensible numbers and sizes', () => {
    const count = (k: string): number => items.filter((i) => i.kind === k).length;
    for (const k of SCENERY_KINDS) expect(count(k), k).toBeGreaterThan(0);
    expect(count('pine') + count('broadleaf')).toBeGreaterThan(track.length * 0.25);
    for (const it of items) {
      expect(it.sx).toBeGreaterThan(0);
      expect(it.sy).toBeGreaterThan(0);
      expect(it.sz).toBeGreaterThan(0);
      expect(it.tint).toBeGreaterThanOrEqual(0);
      expect(it.tint).toBeLessThan(1);
    }
  });

  it('is the same every time for the same track', () => {
    expect(layoutScenery(resolveTrack(id))).toEqual(items);
  });
});

describe('scenery layout', () => {
  it('differs between tracks', () => {
    const a = layoutScenery(resolveTrack('4242'));
    const b = layoutScenery(resolveTrack('4243'));
    expect(a.length === b.length && a.every((it, i) => it.x === b[i].x)).toBe(false);
  });

  it('scales trees and bushes with density, not the rest', () => {
    const t = resolveTrack('oval');
    const count = (density: number, kinds: string[]): number => layoutScenery(t, { density }).filter((i) => kinds.includes(i.kind)).length;
    expect(count(0.5, ['pine', 'broadleaf'])).toBeLessThan(count(1, ['pine', 'broadleaf']) * 0.6);
    expect(count(0.5, ['pole', 'cone', 'building'])).toBe(count(1, ['pole', 'cone', 'building']));
  });

  it('measures distance to the centreline exactly, near and far', () => {
    const t = resolveTrack('twister');
    for (const [x, y] of [[0, 0], [500, 400], [-900, 20], [t.xs[10] + 3, t.ys[10]]]) {
      expect(distanceToCentreline(t, x, y)).toBeCloseTo(bruteDistance(t, x, y), 6);
    }
  });
});
