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
/** A lap's class as the verifier derives it: a board's class, or 'assisted' (never ranked). */
export type LapClass = DriverClass | 'assisted';
/** Who produced the controls of one tick. */
export type TickDriver = 'human' | 'model' | 'expert';
/** A run of ticks with one driver: from `startTick` (segment index) to the next run. */
export type DriverRun = readonly [startTick: number, driver: TickDriver];

/** A lap is an autopilot lap only at or above this autonomy (see lapClassOf). */
export const AUTOPILOT_MIN_AUTONOMY_PCT = 95;

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

export interface LapDrivers {
  readonly driverClass: LapClass;
  /** min(NVIDIA autonomy, share of the lap's ticks the model drove), 0..100. */
  readonly autonomyPct: number;
  readonly interventions: number;
  readonly ticks: Readonly<Record<TickDriver, number>>;
}

/**
 * Who drove a lap, from the per-tick driver runs and the intervention ticks in [start, end):
 * expert or human if that driver produced every tick; autopilot if the model drove, the expert
 * never did, and autonomy is at least AUTOPILOT_MIN_AUTONOMY_PCT; otherwise 'assisted'.
 */
export function lapDriversOf(runs: readonly DriverRun[], interventionTicks: readonly number[], start: number, end: number): LapDrivers {
  const ticks: Record<TickDriver, number> = { human: 0, model: 0, expert: 0 };
  for (let i = 0; i < runs.length; i++) {
    const a = Math.max(start, runs[i][0]);
    const b = Math.min(end, i + 1 < runs.length ? runs[i + 1][0] : end);
    if (b > a) ticks[runs[i][1]] += b - a;
  }
  const n = end - start;
  const interventions = interventionTicks.filter((t) => t >= start && t < end).length;
  const autonomy = n <= 0 ? 0 : Math.min(autonomyPct(interventions, lapTimeS(n)), (100 * ticks.model) / n);
  const driverClass: LapClass = ticks.expert === n ? 'expert'
    : ticks.human === n ? 'human'
      : ticks.expert === 0 && ticks.model > 0 && autonomy >= AUTOPILOT_MIN_AUTONOMY_PCT ? 'autopilot'
        : 'assisted';
  return { driverClass, autonomyPct: driverClass === 'autopilot' || ticks.model > 0 ? autonomy : 100, interventions, ticks };
}
