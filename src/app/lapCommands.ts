// The command layer of the local leaderboard: the one module that adds laps to the lap store,
// for a lap just driven and for the Leaderboard panel's "Import a replay" intent. Both go
// through the one verifier first (src/scoring/verify.ts): a lap counts only if its replay
// reproduces tick for tick, and an import that is refused writes nothing.

import type { LapStore } from '../data/index.ts';
import type { VerifyResult } from '../scoring/replay.ts';
import { formatLapTime } from '../scoring/rules.ts';
import { entryOf } from './lapEntries.ts';

export interface LapCommandsHost {
  laps: Promise<LapStore | null>;
  /** The verifier (sliced in the tab, lapsFeature.ts verifyInTab); rankedOnly refuses unranked tracks and cars up front. */
  verify(text: string, rankedOnly: boolean): Promise<VerifyResult>;
  newId(): string;
}

/** What became of a lap just driven. */
export type DrivenLapOutcome =
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'unranked' }
  | { readonly kind: 'added'; readonly rank: number | null }
  | { readonly kind: 'no-store' };

export interface LapCommands {
  /** A lap just driven: verified as an import is; a ranked one joins its board. */
  addDrivenLap(replay: unknown): Promise<DrivenLapOutcome>;
  /** The Leaderboard panel's import: verified (ranked laps only), then added; the sentence to show. Throws with the reason. */
  importReplay(text: string): Promise<string>;
}

export function createLapCommands(h: LapCommandsHost): LapCommands {
  return {
    async addDrivenLap(replay) {
      const st = await h.laps;
      if (!st) return { kind: 'no-store' };
      const v = await h.verify(JSON.stringify(replay), false);
      if (!v.ok) return { kind: 'refused', reason: v.reason };
      const entry = entryOf(v, h.newId());
      if (!entry) return { kind: 'unranked' }; // a modified car or an assisted lap: a replay, not a ranking
      const res = await st.add(entry, v.replay);
      return { kind: 'added', rank: res.rank };
    },
    async importReplay(text) {
      const v = await h.verify(text, true);
      if (!v.ok) throw new Error(v.reason);
      const entry = entryOf(v, h.newId());
      if (!entry) throw new Error(`it verifies, but is not ranked: ${v.unranked.join('; ')}`);
      const st = await h.laps;
      if (!st) throw new Error('the leaderboard is unavailable');
      const res = await st.add(entry, v.replay);
      return `Verified tick for tick: ${v.driver.name}, ${formatLapTime(v.lap.timeS)} on ${v.track.name} (${v.driverClass})${res.rank ? `, rank ${res.rank}` : ''}.`;
    },
  };
}
