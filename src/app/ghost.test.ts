import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { Replay } from '../scoring/replay.ts';
import { Ghost } from './ghost.ts';

describe('ghost', () => {
  const replay = JSON.parse(readFileSync('assets/replays/oval-expert.replay.json', 'utf8')) as Replay;

  it('replays the lap in sync with the time into the player lap, and back', () => {
    const g = new Ghost(replay, 'best');
    const atStart = g.sync(0);
    expect(atStart.tick).toBe(g.lapStart);
    const later = g.sync(600);
    expect(later.tick).toBe(g.lapStart + 600);
    expect(Math.hypot(later.car.x - atStart.car.x, later.car.y - atStart.car.y)).toBeGreaterThan(100);
    const end = g.sync(1e9);
    expect(end.laps.completed).toHaveLength(1); // the segment's warm-up lap is not timed
    expect(end.laps.completed[0].ticks).toBe(replay.claim.ticks);
    expect(g.sync(10).tick).toBe(g.lapStart + 10);
  });
});
