// Ranking laps on a leaderboard: per track and driver class, best score first (lap time plus
// penalties), ties broken by the earlier lap. Entries are plain data; storage lives in src/data.

import type { DriverClass } from './rules.ts';

export interface LeaderboardEntry {
  id: string;
  trackId: string;
  theme: string;
  driverClass: DriverClass;
  /** Player name, or the model's name. */
  driverName: string;
  modelId?: string;
  lapTicks: number;
  scoreS: number;
  penaltyS: number;
  autonomyPct: number;
  /** ms since epoch, for tie-breaks and "personal best" dates. */
  createdAt: number;
  /** Whether the replay behind it was verified (imported entries must be). */
  verified: boolean;
}

export interface RankedEntry extends LeaderboardEntry {
  rank: number;
  /** Seconds behind the best entry of the same board (0 for the leader). */
  deltaS: number;
  /** Whether this is its driver's best entry on the board. */
  personalBest: boolean;
}

export function compareEntries(a: LeaderboardEntry, b: LeaderboardEntry): number {
  return a.scoreS - b.scoreS || a.lapTicks - b.lapTicks || a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** One board: entries of one track and class, ranked. */
export function rankBoard(entries: readonly LeaderboardEntry[], trackId: string, driverClass: DriverClass): RankedEntry[] {
  const board = entries.filter((e) => e.trackId === trackId && e.driverClass === driverClass).sort(compareEntries);
  const best = board[0]?.scoreS ?? 0;
  const seen = new Set<string>();
  return board.map((e, i) => {
    const who = e.modelId ?? e.driverName;
    const personalBest = !seen.has(who);
    seen.add(who);
    return { ...e, rank: i + 1, deltaS: e.scoreS - best, personalBest };
  });
}

/** The best entry of a board, e.g. for the ghost car. */
export function bestEntry(entries: readonly LeaderboardEntry[], trackId: string, driverClass?: DriverClass): LeaderboardEntry | undefined {
  return entries.filter((e) => e.trackId === trackId && (!driverClass || e.driverClass === driverClass)).sort(compareEntries)[0];
}
