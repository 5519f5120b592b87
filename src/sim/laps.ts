// Lap counting in ticks. A lap counts only when every checkpoint was passed in order:
// progress along the centreline must move continuously past each one (a jump of the nearest
// centreline point means the car cut across the infield, and credits nothing), and backing
// over a checkpoint takes its credit away again, so reversing over the line never counts.

import type { Track } from './track.ts';
import { deltaS } from './track.ts';

/** A jump in centreline progress larger than this in one tick is a cut, not driving. */
export const MAX_PROGRESS_PER_TICK = 6;

export interface LapRecord {
  /** 1-based lap number. */
  readonly lap: number;
  readonly startTick: number;
  readonly ticks: number;
  readonly sectorTicks: readonly number[];
  /** Ticks with the car's centre off the road. */
  readonly offRoadTicks: number;
  /** Times the car left the road. */
  readonly excursions: number;
  /** Times the car was put back on the road (R, or an autopilot recovery). */
  readonly resets: number;
}

export interface LapState {
  /**
   * Checkpoints credited so far, counting across laps: -1 before the start line, 0 on crossing
   * it, CHECKPOINTS_PER_LAP at the end of lap 1, and so on. Goes down when the car backs over one.
   */
  readonly count: number;
  /** Highest count reached; only new highs time laps and sectors. */
  readonly best: number;
  /** Tick at which the current lap started, or -1 before the first crossing of the line. */
  readonly lapStartTick: number;
  readonly sectorStartTick: number;
  readonly sectorTicks: readonly number[];
  readonly offRoadTicks: number;
  readonly excursions: number;
  readonly resets: number;
  readonly completed: readonly LapRecord[];
}

export const INITIAL_LAPS: LapState = {
  count: -1,
  best: -1,
  lapStartTick: -1,
  sectorStartTick: -1,
  sectorTicks: [],
  offRoadTicks: 0,
  excursions: 0,
  resets: 0,
  completed: [],
};

/** Whether the car is inside a timed lap (it has crossed the start line). */
export function lapStarted(l: LapState): boolean {
  return l.lapStartTick >= 0;
}

/** Completed laps plus one while a lap is under way: the lap number to show. */
export function currentLapNumber(l: LapState): number {
  return lapStarted(l) ? l.completed.length + 1 : 0;
}

/** Position of checkpoint number `count` (counting across laps), as arc length. */
function checkpointS(track: Track, count: number): number {
  const k = track.checkpoints.length;
  return track.checkpoints[((count % k) + k) % k];
}

export interface LapStepInput {
  readonly sOld: number;
  readonly sNew: number;
  readonly offRoadNow: boolean;
  readonly offRoadBefore: boolean;
  readonly reset: boolean;
  /** The tick at the end of this step. */
  readonly tick: number;
}

/** Updates lap state after one tick. Pure; returns the same object when nothing changed. */
export function stepLaps(track: Track, l: LapState, inp: LapStepInput): LapState {
  const k = track.checkpoints.length;
  const perSector = k / track.sectorStarts.length;
  const ds = inp.reset ? 0 : deltaS(track, inp.sOld, inp.sNew);
  let { count, best, lapStartTick, sectorStartTick, sectorTicks, offRoadTicks, excursions, resets, completed } = l;
  let changed = false;

  if (Math.abs(ds) < MAX_PROGRESS_PER_TICK && ds !== 0) {
    if (ds > 0) {
      // Forward over the next checkpoint?
      const ahead = deltaS(track, inp.sOld, checkpointS(track, count + 1));
      if (ahead > 0 && ahead <= ds) {
        count += 1;
        changed = true;
        if (count > best) {
          best = count;
          if (count % perSector === 0) {
            if (sectorStartTick >= 0) sectorTicks = [...sectorTicks, inp.tick - sectorStartTick];
            sectorStartTick = inp.tick;
            if (count % k === 0) {
              if (count > 0 && lapStartTick >= 0) {
                completed = [...completed, {
                  lap: completed.length + 1,
                  startTick: lapStartTick,
                  ticks: inp.tick - lapStartTick,
                  sectorTicks,
                  offRoadTicks,
                  excursions,
                  resets,
                }];
              }
              lapStartTick = inp.tick;
              sectorStartTick = inp.tick;
              sectorTicks = [];
              offRoadTicks = 0;
              excursions = 0;
              resets = 0;
            }
          }
        }
      }
    } else {
      // Backward over the last credited checkpoint?
      const behind = deltaS(track, checkpointS(track, count), inp.sOld);
      if (behind >= 0 && behind < -ds) {
        count -= 1;
        changed = true;
      }
    }
  }
  if (lapStartTick >= 0) {
    if (inp.offRoadNow) {
      offRoadTicks += 1;
      changed = true;
    }
    if (inp.offRoadNow && !inp.offRoadBefore) {
      excursions += 1;
      changed = true;
    }
    if (inp.reset) {
      resets += 1;
      changed = true;
    }
  }
  if (!changed) return l;
  return { count, best, lapStartTick, sectorStartTick, sectorTicks, offRoadTicks, excursions, resets, completed };
}
