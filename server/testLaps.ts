// Test and bench fixtures: real replays of laps driven here by the expert program, labelled as
// any driver (the verifier cannot tell who produced controls; the per-tick record says who did).
// Different noise seeds give laps with different scores.

import { ReplayRecorder, type Replay } from '../src/scoring/replay.ts';
import type { TickDriver } from '../src/scoring/rules.ts';
import { createExpert } from '../src/sim/expert.ts';
import { resolveTrack } from '../src/sim/tracks.ts';
import { createWorld, stepWorld } from '../src/sim/world.ts';

export function driveReplay(opts: { trackId?: string; seed?: number; noise?: number; driver?: TickDriver; name?: string } = {}): Replay {
  const track = resolveTrack(opts.trackId ?? 'oval');
  const expert = createExpert(track, { seed: opts.seed ?? 1, steerNoise: opts.noise ?? 0.05 });
  const rec = new ReplayRecorder();
  const driver = opts.driver ?? 'human';
  let world = createWorld(track);
  while (world.laps.completed.length < 1) {
    const c = expert.control(world);
    rec.push(world, c, driver);
    world = stepWorld(world, c);
  }
  const name = opts.name ?? (driver === 'expert' ? 'Expert' : 'Tester');
  const meta = driver === 'model'
    ? { theme: 'day', driver: { name, modelId: 'test-model', modelSha256: 'a'.repeat(64) }, createdAt: '2026-12-01T00:00:00.000Z' }
    : { theme: 'day', driver: { name }, createdAt: '2026-12-01T00:00:00.000Z' };
  return rec.replayOf(world, world.laps.completed[0], meta);
}

/** Replays of distinct scores, best (lowest score) first. */
export function replaysByScore(n: number, opts: { trackId?: string; driver?: TickDriver } = {}): Replay[] {
  const byScore = new Map<number, Replay>();
  for (let seed = 1; byScore.size < n && seed < 50 * n; seed++) {
    const r = driveReplay({ ...opts, seed, noise: 0.02 + 0.02 * (seed % 5) });
    if (!byScore.has(r.claim.scoreS)) byScore.set(r.claim.scoreS, r);
  }
  return [...byScore.values()].sort((a, b) => a.claim.scoreS - b.claim.scoreS);
}
