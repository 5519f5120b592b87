// Where a model's laps lose time: reads a bench:autonomy results file run with --trace and, per
// theme, compares the model's speed with the recording expert's at the same metre of the lap
// (in bends: curvature over the next 10 m above 0.02/m; elsewhere), then on straights (no bend in
// the next 60 m, above 8 m/s) the predicted speed's gap to the car's and how often the
// controller brakes. The expert's lap is the noise-free expert at --pace (the recording pace).
// Run: npx tsx bench/node/traceSpeeds.ts bench/results/NAME.json [--pace 0.62]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEMO_PACE } from '../../src/app/autoRecord.ts';
import { carSpeed } from '../../src/sim/car.ts';
import { TICK_HZ } from '../../src/sim/constants.ts';
import { createExpert } from '../../src/sim/expert.ts';
import { curvatureAhead, type Track } from '../../src/sim/track.ts';
import { resolveTrack } from '../../src/sim/tracks.ts';
import { createWorld, stepWorld } from '../../src/sim/world.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { pace: { type: 'string' } } });
if (positionals.length !== 1) {
  console.error('usage: npx tsx bench/node/traceSpeeds.ts RESULTS.json [--pace P]');
  process.exit(2);
}
const pace = values.pace === undefined ? DEMO_PACE : Number(values.pace);

/** One trace row: [tick, s (m), speed (m/s), predicted speed (m/s), steer, torque]. */
type TraceRow = readonly [number, number, number, number, number, number];
interface Lap { trackId: string; theme: string; trace?: TraceRow[] }
const results = JSON.parse(readFileSync(positionals[0]!, 'utf8')) as { laps: Lap[] };

/** The expert's speed at each metre of one lap from a standing start. */
function expertProfile(track: Track): Float64Array {
  const v = new Float64Array(Math.ceil(track.length));
  const expert = createExpert(track, { pace });
  let w = createWorld(track);
  while (w.laps.completed.length < 1 && w.tick < TICK_HZ * 600) {
    w = stepWorld(w, expert.control(w));
    v[Math.floor(w.trackPos.s) % v.length] = carSpeed(w.car);
  }
  return v;
}

interface Acc { bend: number[]; elsewhere: number[]; gaps: number[]; brakes: number }
const byTheme = new Map<string, Acc>();
const profiles = new Map<string, Float64Array>();
for (const lap of results.laps) {
  if (!lap.trace) continue;
  const track = resolveTrack(lap.trackId);
  let profile = profiles.get(lap.trackId);
  if (!profile) profiles.set(lap.trackId, (profile = expertProfile(track)));
  let acc = byTheme.get(lap.theme);
  if (!acc) byTheme.set(lap.theme, (acc = { bend: [], elsewhere: [], gaps: [], brakes: 0 }));
  for (const [, s, v, predicted, , torque] of lap.trace) {
    const teacher = profile[Math.floor(s) % profile.length]!;
    if (teacher > 0) (Math.abs(curvatureAhead(track, s, 10)) > 0.02 ? acc.bend : acc.elsewhere).push(v / teacher);
    if (Math.abs(curvatureAhead(track, s, 60)) < 0.004 && v > 8) {
      acc.gaps.push(predicted - v);
      if (torque < 0) acc.brakes++;
    }
  }
}
if (byTheme.size === 0) {
  console.error(`${positionals[0]}: no lap has a trace (run bench:autonomy with --trace)`);
  process.exit(1);
}
const mean = (x: number[]): string => (x.reduce((a, b) => a + b, 0) / x.length).toFixed(2);
const quantile = (x: number[], p: number): string => [...x].sort((a, b) => a - b)[Math.floor(p * (x.length - 1))]!.toFixed(2);
console.log(`model / expert speed (pace ${pace}) | in bends | elsewhere | straights: predicted - speed p10 / p50 / p90 (m/s) | braking share`);
for (const [theme, a] of byTheme) {
  console.log(`${theme} | ${mean(a.bend)}x | ${mean(a.elsewhere)}x | ${quantile(a.gaps, 0.1)} / ${quantile(a.gaps, 0.5)} / ${quantile(a.gaps, 0.9)} | ${(a.brakes / a.gaps.length).toFixed(3)}`);
}
