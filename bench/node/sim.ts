// Node suite 'sim': how fast the simulation steps one car (ticks per second, target >= 60,000:
// a thousand times real time) on each preset, driven by the expert (src/sim/expert.ts) and by
// fixed controls (physics and track lookup alone), and the expert's lap times on each preset
// (src/sim/headless.ts driveLaps, what `npm run sim -- --json` prints). Lap times are counted
// in ticks, so they are the same on every machine; only the speeds depend on it.
// Params: tracks=oval,kidney,... (presets).
import { TICK_HZ } from '../../src/sim/constants.ts';
import { createExpert } from '../../src/sim/expert.ts';
import { driveLaps } from '../../src/sim/headless.ts';
import { PRESET_NAMES, presetTrack } from '../../src/sim/trackPresets.ts';
import { createWorld, stepWorld, type Controls, type World } from '../../src/sim/world.ts';
import { figure, listParam, sample, type Figure, type SuiteOptions, type SuiteResult } from '../lib/stats.ts';

/** Throttle on, a little left: the car circles off the road, so the run also exercises off-road physics. */
const FIXED: Controls = { steer: 0.1, torque: 0.5 };
const TARGET_TICKS_PER_S = 60_000;
const LAPS = 3;

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  const tracks = listParam(options, 'tracks') ?? (options.quick ? ['oval'] : PRESET_NAMES);
  const ticksPerRun = options.quick ? 10_000 : 60_000;
  const budget = options.quick
    ? { warmup: 1, minRuns: 3, maxRuns: 3, budgetMs: 0, hardLimitMs: 10_000 }
    : { warmup: 2, minRuns: 7, maxRuns: 15, budgetMs: 4_000, hardLimitMs: 30_000 };
  const figures: Record<string, Figure> = {};
  const ratios: Record<string, number> = {};
  const notes: string[] = [
    `ticks/s: ${ticksPerRun} ticks of one car per run from the grid, one new world per run; fixed controls = steer ${FIXED.steer}, torque ${FIXED.torque}`,
    `lap times: the expert (default options) from the grid, ${LAPS} laps; lap 1 starts with the car already rolling (the grid is 15 m behind the line)`,
  ];
  const slow: string[] = [];

  for (const id of tracks) {
    const track = presetTrack(id);
    const drivers: Record<string, () => (w: World) => Controls> = {
      expert: () => {
        const e = createExpert(track);
        return (w) => e.control(w);
      },
      fixed: () => () => FIXED,
    };
    for (const [name, make] of Object.entries(drivers)) {
      let checksum = 0;
      const samples = await sample(() => {
        const drive = make();
        let w = createWorld(track);
        for (let i = 0; i < ticksPerRun; i++) w = stepWorld(w, drive(w));
        checksum += w.car.x; // keeps the loop's result alive
      }, budget);
      if (!Number.isFinite(checksum)) throw new Error(`the ${name} run on ${id} left the car at a non-finite position`);
      const f = figure(samples.map((ms) => (ticksPerRun * 1000) / ms), 'ticks/s');
      figures[`sim_ticks_per_s.${name}.${id}`] = f;
      ratios[`sim_vs_realtime.${name}.${id}`] = f.median / TICK_HZ;
      if (f.median < TARGET_TICKS_PER_S) slow.push(`${name} on ${id}: ${Math.round(f.median)}`);
    }

    const e = createExpert(track);
    const r = driveLaps(track, (w) => e.control(w), { laps: LAPS });
    if (r.timedOut || r.laps.length === 0) {
      notes.push(`expert on ${id}: did not finish ${LAPS} laps`);
    } else {
      figures[`expert_lap_s.${id}`] = figure(r.laps.map((l) => l.ticks / TICK_HZ), 's');
      const offRoad = r.laps.reduce((n, l) => n + l.offRoadTicks, 0);
      if (offRoad > 0) notes.push(`expert on ${id}: ${offRoad} ticks off the road over ${LAPS} laps`);
    }
  }
  notes.push(slow.length ? `below the ${TARGET_TICKS_PER_S} ticks/s target: ${slow.join(', ')}` : `every median is above the ${TARGET_TICKS_PER_S} ticks/s target`);
  return { figures, ratios, notes };
}
