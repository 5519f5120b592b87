// Driving laps without a screen: the loop behind `npm run sim`, the tests and the benchmarks.

import { TICK_HZ } from './constants.ts';
import type { LapRecord } from './laps.ts';
import type { Track } from './track.ts';
import { type Controls, createWorld, hashWorld, stepWorld, type World } from './world.ts';

export type Driver = (world: World) => Controls;

export interface HeadlessRun {
  world: World;
  laps: readonly LapRecord[];
  /** True when the run stopped at maxTicks before finishing its laps. */
  timedOut: boolean;
}

/** Steps the world with `driver` until `laps` laps are complete or `maxTicks` have passed. */
export function driveLaps(track: Track, driver: Driver, opts: { laps: number; maxTicks?: number; world?: World }): HeadlessRun {
  let world = opts.world ?? createWorld(track);
  const maxTicks = opts.maxTicks ?? TICK_HZ * 60 * 30;
  while (world.laps.completed.length < opts.laps && world.tick < maxTicks) world = stepWorld(world, driver(world));
  return { world, laps: world.laps.completed, timedOut: world.laps.completed.length < opts.laps };
}

/** The JSON summary printed by `npm run sim -- --json`. */
export function runSummary(run: HeadlessRun): {
  track: { id: string; name: string; lengthM: number; widthM: number };
  laps: { ticks: number; timeS: number; sectorTicks: number[]; offTrackS: number; excursions: number }[];
  ticks: number;
  timedOut: boolean;
  stateHash: string;
} {
  const t = run.world.track;
  return {
    track: { id: t.id, name: t.name, lengthM: Math.round(t.length * 100) / 100, widthM: t.width },
    laps: run.laps.map((l) => ({
      ticks: l.ticks,
      timeS: Math.round((l.ticks / TICK_HZ) * 1000) / 1000,
      sectorTicks: [...l.sectorTicks],
      offTrackS: Math.round((l.offRoadTicks / TICK_HZ) * 1000) / 1000,
      excursions: l.excursions,
    })),
    ticks: run.world.tick,
    timedOut: run.timedOut,
    stateHash: hashWorld(run.world),
  };
}
