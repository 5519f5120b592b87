import { describe, expect, it } from 'vitest';
import { bestEntry, type LeaderboardEntry, rankBoard } from './leaderboard.ts';
import { autonomyPct, formatLapTime, lapDriversOf, scoreLap } from './rules.ts';

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

  it("derives a lap's class and autonomy from who drove each tick", () => {
    // 3000 ticks (50 s): the model drives all of it, one takeover of 30 ticks at 1000.
    const runs = [[0, 'model'], [1000, 'human'], [1030, 'model']] as const;
    const one = lapDriversOf(runs, [1000], 0, 3000);
    expect(one.ticks).toEqual({ model: 2970, human: 30, expert: 0 });
    expect(one.autonomyPct).toBeCloseTo(88, 9); // 1 - 6 s / 50 s
    expect(one.driverClass).toBe('assisted');
    expect(lapDriversOf([[0, 'model']], [], 0, 3000)).toMatchObject({ driverClass: 'autopilot', autonomyPct: 100 });
    // The model drove half: no autopilot lap, whatever the interventions say.
    expect(lapDriversOf([[0, 'model'], [1500, 'human']], [], 0, 3000)).toMatchObject({ driverClass: 'assisted', autonomyPct: 50 });
    expect(lapDriversOf([[0, 'human']], [], 0, 3000).driverClass).toBe('human');
    expect(lapDriversOf([[0, 'human'], [100, 'expert']], [], 100, 3000).driverClass).toBe('expert'); // only the lap's ticks count
  });

  it('formats lap times', () => {
    expect(formatLapTime(75.0666)).toBe('1:15.066'); // truncated, like the HUD
    expect(formatLapTime(2532 / 60)).toBe('0:42.200');
    expect(formatLapTime(1 / 60)).toBe('0:00.016');
    expect(formatLapTime(9.5)).toBe('0:09.500');
    expect(formatLapTime(NaN)).toBe('--');
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
