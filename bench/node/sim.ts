// Node suite 'sim': how fast the simulation steps one car (ticks per second, target >= 60,000:
// a thousand times real time) on each preset, driven by the expert (src/sim/expert.ts) and by
// fixed controls (physics and track lookup alone), and the expert's lap times on each preset
// (src/sim/headless.ts driveLaps, what `npm run sim -- --json` prints). Lap times are counted
// in ticks, so they are the same on every machine; only the speeds depend on it.
// Params: tracks=oval,kidney,... (presets).
// With `baseline=<git ref>` the same runs also go through that commit's simulation (its tree
// extracted with git archive), interleaved run by run with this tree's and timed in CPU time of
// this (single-threaded) process, so other jobs on the machine move both alike; the ratios are
// after/before, and the verifier's time on the shipped expert replay is compared the same way.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TICK_HZ } from '../../src/sim/constants.ts';
import { createExpert } from '../../src/sim/expert.ts';
import { driveLaps } from '../../src/sim/headless.ts';
import { PRESET_NAMES, presetTrack } from '../../src/sim/trackPresets.ts';
import { createWorld, stepWorld, type Controls, type World } from '../../src/sim/world.ts';
import type * as VerifyModule from '../../src/scoring/verify.ts';
import type * as ExpertModule from '../../src/sim/expert.ts';
import type * as PresetsModule from '../../src/sim/trackPresets.ts';
import type * as WorldModule from '../../src/sim/world.ts';
import { checkout } from './baseline.ts';
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
  if (options.params.baseline) await beside(options, tracks, figures, ratios, notes);
  return { figures, ratios, notes };
}

/** The simulation modules of a tree (this one, or a baseline's). */
async function simOf(root: string) {
  const [world, expert, presets, verify] = await Promise.all([
    import(`${root}/src/sim/world.ts`) as Promise<typeof WorldModule>,
    import(`${root}/src/sim/expert.ts`) as Promise<typeof ExpertModule>,
    import(`${root}/src/sim/trackPresets.ts`) as Promise<typeof PresetsModule>,
    import(`${root}/src/scoring/verify.ts`) as Promise<typeof VerifyModule>,
  ]);
  return { ...world, ...expert, ...presets, ...verify };
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Before/after, interleaved run by run, in CPU time: ticks/s per preset and driver, and verify ms. */
async function beside(options: SuiteOptions, tracks: string[], figures: Record<string, Figure>, ratios: Record<string, number>, notes: string[]): Promise<void> {
  const base = checkout(options.params.baseline);
  try {
    const variants = { before: await simOf(base.root), after: await simOf(resolve('.')) };
    const rounds = options.quick ? 3 : 9;
    const ticksPerRun = options.quick ? 5_000 : 30_000;
    type Sim = typeof variants.after;
    const runs: Record<string, (sim: Sim) => void> = {};
    for (const id of tracks) {
      runs[`expert.${id}`] = (sim) => {
        const track = sim.presetTrack(id);
        const e = sim.createExpert(track);
        let w = sim.createWorld(track);
        for (let i = 0; i < ticksPerRun; i++) w = sim.stepWorld(w, e.control(w));
      };
      runs[`fixed.${id}`] = (sim) => {
        let w = sim.createWorld(sim.presetTrack(id));
        for (let i = 0; i < ticksPerRun; i++) w = sim.stepWorld(w, FIXED);
      };
    }
    const replay = readFileSync('assets/replays/oval-expert.replay.json', 'utf8');
    const verifyRuns = 10;
    runs.verify = (sim) => {
      for (let i = 0; i < verifyRuns; i++) if (!sim.verifyReplayText(replay).ok) throw new Error('the shipped expert replay did not verify');
    };
    for (const [key, run] of Object.entries(runs)) {
      const ms: Record<'before' | 'after', number[]> = { before: [], after: [] };
      for (const v of ['before', 'after'] as const) run(variants[v]); // warm-up
      for (let r = 0; r < rounds; r++) {
        for (const v of r % 2 ? (['after', 'before'] as const) : (['before', 'after'] as const)) {
          const t0 = cpuMs();
          run(variants[v]);
          ms[v].push(cpuMs() - t0);
        }
      }
      for (const v of ['before', 'after'] as const) {
        figures[key === 'verify' ? `verify_cpu_ms.oval_expert_replay.${v}` : `sim_ticks_per_cpu_s.${key}.${v}`] = key === 'verify'
          ? figure(ms[v].map((t) => t / verifyRuns), 'ms')
          : figure(ms[v].map((t) => (ticksPerRun * 1000) / t), 'ticks/s');
      }
      const m = (v: 'before' | 'after'): number => [...ms[v]].sort((a, b) => a - b)[Math.floor(ms[v].length / 2)];
      ratios[key === 'verify' ? 'verify_cpu_after_vs_before' : `sim_speed_after_vs_before.${key}`] = key === 'verify' ? m('after') / m('before') : m('before') / m('after');
    }
    notes.push(`'before' is commit ${base.commit} (--param baseline=${options.params.baseline}); ${rounds} runs of each, interleaved, timed in CPU time: ${ticksPerRun} ticks per sim run, ${verifyRuns} verifications of the shipped oval expert replay per verify run; speed ratios are after/before (higher is faster), the verify ratio is CPU time after/before`);
  } finally {
    base.remove();
  }
}
