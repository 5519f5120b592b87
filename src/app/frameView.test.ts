import { describe, expect, it } from 'vitest';
import { resolveTrack } from '../sim/tracks.ts';
import { createWorld } from '../sim/world.ts';
import { backendBadge, FpsMeter, raceGhostView } from './frameView.ts';

describe('frame view', () => {
  it('measures frames per second over one-second windows', () => {
    const m = new FpsMeter(0);
    let closed = 0;
    for (let t = 1; t <= 1000; t += 1000 / 60) if (m.frame(t)) closed++;
    expect(closed).toBe(0);
    expect(m.frame(1000)).toBe(true);
    expect(m.fps).toBeGreaterThan(55);
    expect(m.fps).toBeLessThan(65);
  });

  it('shows the ghost only in Race, with ghosts on, on its own track', () => {
    const world = createWorld(resolveTrack('oval'));
    const ghost = { trackId: 'oval', sync: () => world };
    const base = { world, trackId: 'oval', mode: 'race' as const, ghostsOn: true, ghost };
    expect(raceGhostView(base).pose).not.toBeNull();
    expect(raceGhostView({ ...base, mode: 'drive' }).pose).toBeNull();
    expect(raceGhostView({ ...base, ghostsOn: false }).pose).toBeNull();
    expect(raceGhostView({ ...base, trackId: 'other' }).pose).toBeNull();
    expect(raceGhostView(base).gapS).toBeNull(); // no lap under way yet
  });

  it('names both backends when they differ', () => {
    expect(backendBadge(null, null)).toBeNull();
    expect(backendBadge({ backend: 'webgl', chosenBy: 'cached' }, { backend: 'wasm', chosenBy: 'cached' })?.text).toBe('ML webgl · train wasm');
    expect(backendBadge({ backend: 'wasm', chosenBy: 'forced' }, { backend: 'wasm', chosenBy: null })?.text).toBe('ML wasm');
  });
});
