// The verifier keeps the custom tracks it built from replays' inline files: the same file under
// the same id verifies alike every time, and a different file under an id seen before gets its
// own track (the cache is keyed by the file, not the id alone).

import { describe, expect, it } from 'vitest';
import { createExpert } from '../sim/expert.ts';
import { buildTrack } from '../sim/track.ts';
import { trackToFile } from '../sim/trackJson.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { createWorld, stepWorld } from '../sim/world.ts';
import { ReplayRecorder, type Replay, verifyReplay } from './replay.ts';

const META = { theme: 'day', driver: { name: 'Expert' }, createdAt: '2026-11-26T00:00:00.000Z' };

/** One expert lap on the oval scaled by `scale`, as a replay naming its track `id`. */
function lapOn(scale: number, id: string): Replay {
  const file = trackToFile(resolveTrack('oval'));
  const track = buildTrack({ id, name: 'Scaled oval', width: file.width, controlPoints: file.controlPoints.map(([x, y]) => [x * scale, y * scale] as [number, number]) });
  const expert = createExpert(track, { seed: 3, steerNoise: 0.05 });
  const rec = new ReplayRecorder();
  let world = createWorld(track);
  while (world.laps.completed.length < 1) {
    const c = expert.control(world);
    rec.push(world, c, 'expert');
    world = stepWorld(world, c);
  }
  const r = rec.replayOf(world, world.laps.completed[0], META);
  return { ...r, track: { id, file: r.track.file } };
}

describe('custom tracks the verifier keeps', () => {
  it('verifies the same file alike again, and never serves one file\'s track for another under the same id', () => {
    const a = lapOn(1.5, 'my-oval');
    const b = lapOn(1.3, 'my-oval');
    const first = verifyReplay(a);
    expect(first).toMatchObject({ ok: true, track: { id: 'my-oval', custom: true } });
    expect(verifyReplay(a)).toMatchObject({ ok: true, lap: (first as { lap: unknown }).lap, endHash: (first as { endHash: string }).endHash });
    expect(verifyReplay(b)).toMatchObject({ ok: true, track: { id: 'my-oval' } });
    // a's controls on b's file (same id): a different road, so the lap does not reproduce.
    expect(verifyReplay({ ...a, track: b.track })).toMatchObject({ ok: false });
    expect(verifyReplay(a)).toMatchObject({ ok: true, endHash: (first as { endHash: string }).endHash });
  });
});
