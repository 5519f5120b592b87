// What the speed controller alone costs in lap time: the recording expert (auto-record's pace,
// DEMO_PACE) steers, and the throttle comes from the autopilot's speed controller fed a perfect
// speed head, the label itself (the speed the expert reaches 1 s on, `speedAhead`). Lap time is
// against the benchmark's reference, the expert at its own default pace (as bench:autonomy's
// lap_time_over_expert). Anything a model loses beyond these figures is the model's.
//
// `--noise S` adds to that perfect head an error of S m/s spread, zero mean, drawn anew at each
// of the autopilot's 20 Hz control ticks with correlation 0.8 to the last (about 0.25 s of
// memory), the same draws for every controller: a head as good on average as the label, as
// unsteady as a real one (the default model's validation speed RMSE is 1.0-1.3 m/s). A controller
// that brakes harder than it accelerates turns that zero-mean jitter into a slower lap.
// Run: npx tsx bench/node/speedControlOracle.ts [--noise S] [trackIds...]   (default: the validation tracks 5 1234 9 2048)
import { parseArgs } from 'node:util';
import { DEMO_PACE } from '../../src/app/autoRecord.ts';
import { CRUISE_SPEED_CONTROL, PROPORTIONAL_SPEED_CONTROL, type SpeedControl, torqueForSpeed } from '../../src/app/autopilot.ts';
import { createRng } from '../../src/core/rng.ts';
import { carSpeed } from '../../src/sim/car.ts';
import { TICK_HZ } from '../../src/sim/constants.ts';
import { createExpert } from '../../src/sim/expert.ts';
import { driveLaps } from '../../src/sim/headless.ts';
import { resolveTrack } from '../../src/sim/tracks.ts';

const { values, positionals } = parseArgs({ options: { noise: { type: 'string', default: '0' } }, allowPositionals: true });
const noise = Number(values.noise);
if (!(noise >= 0)) throw new Error(`--noise ${values.noise}: a spread in m/s, 0 or more`);
const tracks = positionals.length > 0 ? positionals : ['5', '1234', '9', '2048'];
const CONTROL_EVERY = TICK_HZ / 20; // the autopilot's default 20 Hz
const CORRELATION = 0.8;
const controls: [string, SpeedControl | null][] = [
  ['expert\'s own pedal', null],
  ['proportional 0.25/1.6', PROPORTIONAL_SPEED_CONTROL],
  ['dynamics 0.5/0.5', { kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 0.5 }],
  ['dynamics 0.5/0.1', { kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 0.1 }],
  ['0.5/0.1, soft 0.5 m/s', { kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 0.1, softBrakeMps: 0.5 }],
  ['0.5/0.1, soft 1 m/s', { kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 0.1, softBrakeMps: 1 }],
  ['0.5/0.1, soft 2 m/s', { kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 0.1, softBrakeMps: 2 }],
];
const cruise = JSON.stringify(CRUISE_SPEED_CONTROL);
const sums = controls.map(() => 0);
console.log(`Perfect speed head${noise > 0 ? ` + ${noise} m/s of correlated zero-mean error` : ''}; lap time over the reference expert's. Default (cruise): ${cruise}`);
console.log(`| track | ${controls.map(([n, c]) => (JSON.stringify(c) === cruise ? `**${n}** (default)` : n)).join(' | ')} |`);
console.log(`| --- | ${controls.map(() => '---:').join(' | ')} |`);
for (const id of tracks) {
  const track = resolveTrack(id);
  const reference = createExpert(track, { seed: 'oracle' });
  const refTicks = driveLaps(track, (w) => reference.control(w), { laps: 1, maxTicks: TICK_HZ * 600 }).laps[0].ticks;
  const cells = controls.map(([, control], i) => {
    const expert = createExpert(track, { seed: 'oracle', pace: DEMO_PACE });
    const rng = createRng(`oracle-noise:${id}`);
    let error = 0;
    let tick = 0;
    let torque = 0;
    const run = driveLaps(track, (w) => {
      const c = expert.control(w);
      if (!control) return c;
      if (tick++ % CONTROL_EVERY === 0) {
        error = CORRELATION * error + Math.sqrt(1 - CORRELATION * CORRELATION) * noise * rng.normal();
        torque = torqueForSpeed(expert.speedAhead(w, TICK_HZ) + error, carSpeed(w.car), control, w.params);
      }
      return { ...c, torque };
    }, { laps: 1, maxTicks: TICK_HZ * 600 });
    const lap = run.laps[0];
    if (!lap) return 'no lap';
    const ratio = lap.ticks / refTicks;
    sums[i] += ratio / tracks.length;
    return `${ratio.toFixed(3)}${lap.offRoadTicks ? ` (${lap.offRoadTicks} ticks off)` : ''}`;
  });
  console.log(`| ${id} | ${cells.join(' | ')} |`);
}
console.log(`| mean | ${sums.map((x) => x.toFixed(3)).join(' | ')} |`);
