// From a verified replay to a local leaderboard entry, and the shipped expert lap: on a fresh
// database the oval's board gets the expert replay the project ships (assets/replays/), checked
// by the one verifier first, so Race has a ghost in the first minute. Idempotent: the seeded lap
// has a fixed id, and a replay this simulation no longer reproduces is skipped with its reason.

import type { LapStore } from '../data/index.ts';
import type { LeaderboardEntry } from '../scoring/leaderboard.ts';
import type { VerifyResult, VerifySuccess } from '../scoring/replay.ts';
import { SHIPPED_ENTRY_PREFIX } from '../ui/leaderboardPanel.ts';

/** The id of the shipped expert lap of the oval on the local board. */
export const SHIPPED_EXPERT_ID = `${SHIPPED_ENTRY_PREFIX}expert-oval`;

/** The leaderboard entry of a verified lap, or null when it may not be ranked. */
export function entryOf(v: VerifySuccess, id: string): LeaderboardEntry | null {
  if (!v.ranked || v.driverClass === 'assisted') return null;
  return {
    id,
    trackId: v.track.id,
    theme: v.theme,
    driverClass: v.driverClass,
    driverName: v.driver.name,
    ...(v.driver.modelId ? { modelId: v.driver.modelId } : {}),
    lapTicks: v.lap.ticks,
    scoreS: v.lap.scoreS,
    penaltyS: v.lap.penaltyS,
    autonomyPct: v.autonomyPct,
    createdAt: Date.parse(v.createdAt) || Date.now(),
    verified: true,
  };
}

export interface ShippedSeedDeps {
  /** The shipped replay's text (fetched from the build's assets in the browser). */
  load(): Promise<string>;
  /** The shared verifier, ranked laps only (src/scoring/verify.ts). */
  verify(text: string): Promise<VerifyResult>;
}

export type ShippedSeedResult = { kind: 'seeded' | 'present' } | { kind: 'skipped'; reason: string };

/** Puts the shipped expert lap on its board unless it is there already; never throws. */
export async function seedShippedExpert(st: Pick<LapStore, 'get' | 'add'>, deps: ShippedSeedDeps): Promise<ShippedSeedResult> {
  try {
    const have = await st.get(SHIPPED_EXPERT_ID).then(() => true, () => false);
    if (have) return { kind: 'present' };
    const v = await deps.verify(await deps.load());
    if (!v.ok) return { kind: 'skipped', reason: `it does not verify (${v.reason})` };
    if (v.driverClass !== 'expert') return { kind: 'skipped', reason: `it is a ${v.driverClass} lap, not the expert's` };
    const entry = entryOf(v, SHIPPED_EXPERT_ID);
    if (!entry) return { kind: 'skipped', reason: `it is not ranked (${v.unranked.join('; ')})` };
    await st.add(entry, v.replay);
    return { kind: 'seeded' };
  } catch (e) {
    return { kind: 'skipped', reason: (e as Error).message };
  }
}
