import { describe, expect, it } from 'vitest';
import { createExpert } from '../sim/expert.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { createWorld, stepWorld, type World } from '../sim/world.ts';
import { bestEntry, type LeaderboardEntry, rankBoard } from './leaderboard.ts';
import { decodeControls, encodeControls, type Replay, ReplayRecorder, verifyReplay, verifyReplayText } from './replay.ts';
import { autonomyPct, formatLapTime, scoreLap } from './rules.ts';

describe('score rules', () => {
  it('computes autonomy as NVIDIA defines it', () => {
    expect(autonomyPct(0, 600)).toBe(100);
    expect(autonomyPct(10, 600)).toBeCloseTo(90, 10); // 10 x 6 s of 600 s
    expect(autonomyPct(1, 60)).toBeCloseTo(90, 10);
    expect(autonomyPct(20, 60)).toBe(0); // floored
  });

  it('adds 5 s per excursion and reset to the lap time', () => {
    expect(scoreLap({ ticks: 3000, excursions: 0, resets: 0 }).scoreS).toBe(50);
    expect(scoreLap({ ticks: 3000, excursions: 2, resets: 1 })).toEqual({ timeS: 50, penaltyS: 15, scoreS: 65 });
  });

  it('formats lap times', () => {
    expect(formatLapTime(75.0666)).toBe('1:15.066'); // truncated, like the HUD
    expect(formatLapTime(2532 / 60)).toBe('0:42.200');
    expect(formatLapTime(1 / 60)).toBe('0:00.016');
    expect(formatLapTime(9.5)).toBe('0:09.500');
    expect(formatLapTime(NaN)).toBe('--');
  });
});

function driveExpertLaps(trackId: string, laps: number, resetAt = -1): { world: World; rec: ReplayRecorder } {
  const track = resolveTrack(trackId);
  const expert = createExpert(track, { seed: 2, steerNoise: 0.05 });
  const rec = new ReplayRecorder();
  let world = createWorld(track);
  while (world.laps.completed.length < laps) {
    const c = world.tick === resetAt ? { steer: 0, torque: 0, reset: true } : expert.control(world);
    rec.push(c);
    world = stepWorld(world, c);
  }
  return { world, rec };
}

describe('replays', () => {
  const { world, rec } = driveExpertLaps('oval', 2, 900);
  const meta = { theme: 'day', driver: { kind: 'expert' as const, name: 'Expert' }, createdAt: '2026-11-26T00:00:00.000Z' };
  const replay = rec.replayOf(world, world.laps.completed[1], meta);

  it('round-trips controls exactly', () => {
    const pairs = new Int16Array([0, 32767, -32767, 5, 1234, -1]);
    expect(Array.from(decodeControls(encodeControls(pairs)))).toEqual(Array.from(pairs));
  });

  it('reproduces a lap exactly, tick for tick, through JSON', () => {
    const r = verifyReplayText(JSON.stringify(replay));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.lap.ticks).toBe(world.laps.completed[1].ticks);
      expect(r.stateHash).toBe(replay.claim.stateHash);
    }
    expect(replay.claim.stateHash).not.toBe('');
  });

  it('verifies the first lap of a run, including a reset', () => {
    const first = rec.replayOf(world, world.laps.completed[0], meta);
    expect(first.resets).toEqual([900]);
    expect(first.claim.resets).toBe(1);
    expect(verifyReplay(first).ok).toBe(true);
  });

  it('rejects a replay with one changed control', () => {
    const pairs = decodeControls(replay.controls);
    pairs[2 * 1500] += 2000;
    const tampered: Replay = { ...replay, controls: encodeControls(pairs) };
    const r = verifyReplay(tampered);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/does not reproduce|never finishes|ends at tick/);
  });

  it('rejects a changed claimed time, naming the difference', () => {
    const r = verifyReplay({ ...replay, claim: { ...replay.claim, ticks: replay.claim.ticks - 60, scoreS: replay.claim.scoreS - 1 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain('claimed');
  });

  it('rejects a removed reset and a replay from another simulation version', () => {
    expect(verifyReplay({ ...replay, resets: [] }).ok).toBe(false);
    const other = verifyReplay({ ...replay, simVersion: 99 });
    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.reason).toContain('simulation version 99');
  });

  it('rejects malformed replays with a reason', () => {
    for (const bad of ['{', '[]', JSON.stringify({ ...replay, controls: 'not base64!!' }), JSON.stringify({ ...replay, ticks: -1 }), JSON.stringify({ ...replay, track: { id: 'nowhere' } })]) {
      const r = verifyReplayText(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason.length).toBeGreaterThan(5);
    }
  });
});

describe('leaderboard', () => {
  const e = (id: string, scoreS: number, driverName: string, extra: Partial<LeaderboardEntry> = {}): LeaderboardEntry => ({
    id, trackId: 'oval', theme: 'day', driverClass: 'human', driverName, lapTicks: Math.round(scoreS * 60), scoreS, penaltyS: 0,
    autonomyPct: 100, createdAt: 1000, verified: true, ...extra,
  });
  const entries = [e('a', 45, 'ann'), e('b', 42, 'bob'), e('c', 43, 'ann'), e('d', 41, 'model', { driverClass: 'autopilot', modelId: 'm1' }), e('e', 40, 'zed', { trackId: 'kidney' }), e('f', 42, 'cy', { createdAt: 500 })];

  it('ranks a board by score with deltas, ties to the earlier lap', () => {
    const board = rankBoard(entries, 'oval', 'human');
    expect(board.map((x) => x.id)).toEqual(['f', 'b', 'c', 'a']);
    expect(board.map((x) => x.rank)).toEqual([1, 2, 3, 4]);
    expect(board[2].deltaS).toBeCloseTo(1, 10);
  });

  it('marks personal bests and keeps classes and tracks apart', () => {
    const board = rankBoard(entries, 'oval', 'human');
    expect(board.find((x) => x.id === 'c')?.personalBest).toBe(true);
    expect(board.find((x) => x.id === 'a')?.personalBest).toBe(false);
    expect(rankBoard(entries, 'oval', 'autopilot').map((x) => x.id)).toEqual(['d']);
    expect(bestEntry(entries, 'kidney')?.id).toBe('e');
  });
});
