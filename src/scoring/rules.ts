// Score rules, stated once: what a lap is worth and how autonomy is measured. The UI shows
// SCORE_FORMULA to players; docs/formats.md ("Replays") repeats it.

import { formatMs } from '../core/format.ts';
import { TICK_HZ } from '../sim/constants.ts';
import type { LapRecord } from '../sim/laps.ts';

/** Seconds added per excursion off the road and per reset (as AWS DeepRacer does). */
export const PENALTY_S = 5;
/** Seconds of human driving NVIDIA's autonomy metric charges per intervention. */
export const INTERVENTION_S = 6;

export const SCORE_FORMULA =
  `score = lap time + ${PENALTY_S} s x (excursions off the road + resets); `
  + `autonomy = (1 - interventions x ${INTERVENTION_S} s / elapsed s) x 100, floored at 0`;

export type DriverClass = 'human' | 'expert' | 'autopilot';

export interface LapScore {
  readonly timeS: number;
  readonly penaltyS: number;
  readonly scoreS: number;
}

export function lapTimeS(ticks: number): number {
  return ticks / TICK_HZ;
}

export function scoreLap(lap: Pick<LapRecord, 'ticks' | 'excursions' | 'resets'>): LapScore {
  const timeS = lapTimeS(lap.ticks);
  const penaltyS = PENALTY_S * (lap.excursions + lap.resets);
  return { timeS, penaltyS, scoreS: timeS + penaltyS };
}

/**
 * Autonomy as NVIDIA's PilotNet paper defines it: each intervention costs 6 s of human driving.
 * Floored at 0 (the raw formula goes negative when interventions come faster than every 6 s).
 */
export function autonomyPct(interventions: number, elapsedS: number): number {
  if (elapsedS <= 0) return interventions > 0 ? 0 : 100;
  return Math.max(0, (1 - (interventions * INTERVENTION_S) / elapsedS) * 100);
}

/** Lap time (or score) in seconds as m:ss.mmm, truncated to the millisecond like the HUD's. */
export function formatLapTime(seconds: number): string {
  return formatMs(seconds * 1000 + 1e-6); // the epsilon absorbs ticks/60 landing a hair under a whole ms
}
