// What the speed controller alone costs in lap time: the recording expert (auto-record's pace,
// DEMO_PACE) steers, and the throttle comes from the autopilot's speed controller fed a perfect
// speed head, the label itself (the speed the expert reaches 1 s on, `speedAhead`). Lap time is
// against the benchmark's reference, the expert at its own default pace (as bench:autonomy's
// lap_time_over_expert). Anything a model loses beyond these figures is the model's.
// Run: npx tsx bench/node/speedControlOracle.ts [trackIds...]   (default: the validation tracks 5 1234 9 2048)
import { DEMO_PACE } from '../../src/app/autoRecord.ts';
import { CRUISE_SPEED_CONTROL, PROPORTIONAL_SPEED_CONTROL, type SpeedControl, torqueForSpeed } from '../../src/app/autopilot.ts';
import { carSpeed } from '../../src/sim/car.ts';
import { TICK_HZ } from '../../src/sim/constants.ts';
import { createExpert } from '../../src/sim/expert.ts';
import { driveLaps } from '../../src/sim/headless.ts';
import { resolveTrack } from '../../src/sim/tracks.ts';

const tracks = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['5', '1234', '9', '2048'];
const controls: [string, SpeedControl | null][] = [
  ['expert\'s own pedal', null],
  ['proportional 0.25/1.6', PROPORTIONAL_SPEED_CONTROL],
  ['dynamics 1/1', { kind: 'dynamics', horizonS: 1, brakeHorizonS: 1 }],
  ['dynamics 0.5/0.5', { kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 0.5 }],
  ['cruise: dynamics 0.5/0.1', CRUISE_SPEED_CONTROL],
];
const sums = controls.map(() => 0);
console.log(`| track | ${controls.map(([n]) => n).join(' | ')} |`);
console.log(`| --- | ${controls.map(() => '---:').join(' | ')} |`);
for (const id of tracks) {
  const track = resolveTrack(id);
  const reference = createExpert(track, { seed: 'oracle' });
  const refTicks = driveLaps(track, (w) => reference.control(w), { laps: 1, maxTicks: TICK_HZ * 600 }).laps[0].ticks;
  const cells = controls.map(([, control], i) => {
    const expert = createExpert(track, { seed: 'oracle', pace: DEMO_PACE });
    const run = driveLaps(track, (w) => {
      const c = expert.control(w);
      return control ? { ...c, torque: torqueForSpeed(expert.speedAhead(w, TICK_HZ), carSpeed(w.car), control, w.params) } : c;
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
