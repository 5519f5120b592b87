// Verifiable lap replays (format: replayFormat.ts, docs/formats.md "Replays"). The recorder
// keeps every tick's controls and driver; a lap's replay is one segment that starts from a state
// the verifier can trust: the grid (tick 0) for a session's first lap, otherwise the car as it
// crossed the line to begin the lap before, whose checkpoints must all be passed again (a
// warm-up lap) before the claimed lap can start. So a segment is two laps long however long the
// session ran. verify.ts re-simulates segments; this file also re-exports its API.

import type { CarState } from '../sim/car.ts';
import { SIM_VERSION } from '../sim/constants.ts';
import type { LapRecord } from '../sim/laps.ts';
import { trackHashId, trackToFile } from '../sim/trackJson.ts';
import { isTrackId } from '../sim/tracks.ts';
import { CONTROL_STEPS, type Controls, type World } from '../sim/world.ts';
import { carDiff } from './carRules.ts';
import { encodeControls, hashCarState } from './replaySegment.ts';
import { REPLAY_FORMAT, REPLAY_VERSION, type Replay, type ReplayDriver, type ReplayStart } from './replayFormat.ts';
import { type DriverRun, lapDriversOf, scoreLap, type TickDriver } from './rules.ts';

export * from './replayFormat.ts';
export * from './replaySegment.ts';
export { DEFAULT_VERIFY_CAPS, verifyReplay, verifyReplayText, verifyReplayTextSliced, type VerifyCaps, type VerifyFailure, type VerifyResult, type VerifySuccess } from './verify.ts';

export interface ReplayMeta {
  theme: string;
  driver: ReplayDriver;
  createdAt: string;
  assists?: { governor: boolean };
}

const DRIVER_CODES: readonly TickDriver[] = ['human', 'model', 'expert'];

/** Records a run's controls and drivers as it is driven, then packs the replay of a completed lap. */
export class ReplayRecorder {
  private data = new Int16Array(8192);
  private drivers = new Uint8Array(4096);
  private n = 0;
  private readonly resetTicks: number[] = [];
  private readonly interventionTicks: number[] = [];
  /** The car as each of the last few laps began, by tick. */
  private readonly lapStarts = new Map<number, CarState>();

  /**
   * Call once per tick, in order from the world's first tick, with the world before the step,
   * the controls passed to stepWorld and who produced them.
   */
  push(before: World, c: Controls, driver: TickDriver): void {
    if (before.tick !== this.n) throw new Error(`the recorder is at tick ${this.n}, the world at ${before.tick}`);
    if (2 * this.n + 2 > this.data.length) {
      const bigger = new Int16Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
      const d = new Uint8Array(this.drivers.length * 2);
      d.set(this.drivers);
      this.drivers = d;
    }
    if (before.laps.lapStartTick === before.tick && before.tick > 0) {
      this.lapStarts.set(before.tick, before.car);
      if (this.lapStarts.size > 4) this.lapStarts.delete(this.lapStarts.keys().next().value as number);
    }
    this.data[2 * this.n] = Math.round(clamp1(c.steer) * CONTROL_STEPS);
    this.data[2 * this.n + 1] = Math.round(clamp1(c.torque) * CONTROL_STEPS);
    this.drivers[this.n] = DRIVER_CODES.indexOf(driver);
    if (c.reset) this.resetTicks.push(this.n);
    this.n++;
  }

  /** A human took over from the model, or the model's car was reset, at the tick about to be pushed. */
  intervention(): void {
    if (this.interventionTicks[this.interventionTicks.length - 1] !== this.n) this.interventionTicks.push(this.n);
  }

  get ticks(): number {
    return this.n;
  }

  /** Interventions within [startTick, endTick). */
  interventionsBetween(startTick: number, endTick: number): number {
    return this.interventionTicks.filter((t) => t >= startTick && t < endTick).length;
  }

  /** The replay of `lap`, a completed lap of `world` (driven with these controls). */
  replayOf(world: World, lap: LapRecord, meta: ReplayMeta): Replay {
    const end = lap.startTick + lap.ticks;
    if (end !== this.n || world.tick !== end) throw new Error(`pack lap ${lap.lap} (ending at tick ${end}) right after its last tick: ${this.n} ticks were recorded, the world is at ${world.tick}`);
    const prev = lap.lap >= 2 ? world.laps.completed[lap.lap - 2] : undefined;
    const startCar = prev ? this.lapStarts.get(prev.startTick) : undefined;
    if (prev && !startCar) throw new Error(`the start of lap ${prev.lap} was not recorded`);
    const from = prev ? prev.startTick : 0;
    const start: ReplayStart = prev && startCar ? { kind: 'lap', tick: from, car: { ...startCar } } : { kind: 'grid' };
    const rel = (ts: readonly number[]): number[] => ts.filter((t) => t >= from && t < end).map((t) => t - from);
    const runs: DriverRun[] = [];
    for (let t = from; t < end; t++) {
      const who = DRIVER_CODES[this.drivers[t]];
      if (runs.length === 0 || runs[runs.length - 1][1] !== who) runs.push([t - from, who]);
    }
    const interventions = rel(this.interventionTicks);
    const lapStart = lap.startTick - from;
    const who = lapDriversOf(runs, interventions, lapStart, end - from);
    const s = scoreLap(lap);
    const track = world.track;
    const custom = !isTrackId(track.id);
    const file = custom ? trackToFile(track) : undefined;
    return {
      format: REPLAY_FORMAT,
      version: REPLAY_VERSION,
      simVersion: SIM_VERSION,
      track: file ? { id: trackHashId(file), name: track.name, file: { ...file, id: trackHashId(file) } } : { id: track.id, name: track.name },
      theme: meta.theme,
      car: carDiff(world.params),
      driver: meta.driver,
      assists: meta.assists ?? { governor: false },
      createdAt: meta.createdAt,
      sessionLap: lap.lap,
      start,
      ticks: end - from,
      controls: encodeControls(this.data.subarray(2 * from, 2 * end)),
      resets: rel(this.resetTicks),
      drivers: runs,
      interventions,
      claim: {
        lapStart,
        ticks: lap.ticks,
        sectorTicks: [...lap.sectorTicks],
        offRoadTicks: lap.offRoadTicks,
        excursions: lap.excursions,
        resets: lap.resets,
        scoreS: s.scoreS,
        driverClass: who.driverClass,
        autonomyPct: who.autonomyPct,
        endHash: hashCarState(world),
      },
    };
  }
}

function clamp1(x: number): number {
  return !Number.isFinite(x) ? 0 : x < -1 ? -1 : x > 1 ? 1 : x;
}
