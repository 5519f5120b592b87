// `npm run sim -- --track <seed|preset> --driver expert --laps <n> [--json] [--replay FILE]`
// Drives laps headless and prints the result. Same arguments, same output, byte for byte.
// --replay writes a verifiable replay of the last lap (docs/formats.md, "Replays").

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ReplayRecorder } from '../scoring/replay.ts';
import { TICK_HZ } from '../sim/constants.ts';
import { createExpert } from '../sim/expert.ts';
import { driveLaps, runSummary } from '../sim/headless.ts';
import { PRESET_NAMES, resolveTrack } from '../sim/tracks.ts';

const USAGE = `usage: npm run sim -- --track <seed|${PRESET_NAMES.join('|')}> [--driver expert] [--laps N] [--noise X] [--seed S] [--json] [--replay FILE [--created-at ISO]]`;

function main(): number {
  let args;
  try {
    args = parseArgs({
      options: {
        track: { type: 'string', default: 'oval' },
        driver: { type: 'string', default: 'expert' },
        laps: { type: 'string', default: '1' },
        noise: { type: 'string', default: '0' },
        seed: { type: 'string', default: '1' },
        json: { type: 'boolean', default: false },
        replay: { type: 'string' },
        'created-at': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  const laps = Number(args.laps);
  if (!Number.isInteger(laps) || laps < 1 || laps > 1000) {
    console.error(`--laps must be an integer from 1 to 1000\n${USAGE}`);
    return 2;
  }
  if (args.driver !== 'expert') {
    console.error(`unknown driver '${args.driver}' (headless drivers: expert)\n${USAGE}`);
    return 2;
  }
  const noise = Number(args.noise);
  if (!Number.isFinite(noise) || noise < 0 || noise > 1) {
    console.error(`--noise must be a number from 0 to 1\n${USAGE}`);
    return 2;
  }
  let track;
  try {
    track = resolveTrack(args.track!);
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const expert = createExpert(track, { seed: args.seed, steerNoise: noise });
  const recorder = new ReplayRecorder();
  const run = driveLaps(track, (w) => {
    const c = expert.control(w);
    recorder.push(w, c, 'expert');
    return c;
  }, { laps, maxTicks: TICK_HZ * 600 * laps });
  const summary = runSummary(run);
  if (args.replay && run.laps.length > 0) {
    const createdAt = args['created-at'] ?? new Date().toISOString();
    const replay = recorder.replayOf(run.world, run.laps[run.laps.length - 1], {
      theme: 'day',
      driver: { name: 'Expert' },
      createdAt,
    });
    writeFileSync(args.replay, `${JSON.stringify(replay, null, 2)}\n`);
    if (!args.json) console.log(`  replay of lap ${run.laps.length} written to ${args.replay}`);
  }
  if (args.json) {
    console.log(JSON.stringify(summary));
  } else {
    console.log(`${summary.track.name} (${summary.track.id}): ${summary.track.lengthM} m, ${summary.track.widthM} m wide`);
    for (const [i, l] of summary.laps.entries()) {
      console.log(`  lap ${i + 1}: ${l.timeS.toFixed(3)} s (${l.ticks} ticks), sectors ${l.sectorTicks.join(' / ')} ticks, off track ${l.offTrackS} s`);
    }
    if (summary.timedOut) console.log('  (stopped before finishing: the driver did not complete the laps)');
    console.log(`  state hash ${summary.stateHash}`);
  }
  return summary.timedOut ? 1 : 0;
}

process.exitCode = main();
