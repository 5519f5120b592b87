// `npm run verify -- <replay.json> [...]`: re-simulates each replay in Node with the same
// verifier the game and the online leaderboard use, and prints the track (id and name), the car
// (default, or modified with what changed), who drove (ticks per driver, autonomy, class), and
// the result. Exit codes: 0 every replay verified; 1 at least one was refused (forged, altered,
// over a cap, old format); 2 an error (usage, an unreadable file, a fault of the verifier).

import { readFileSync, statSync } from 'node:fs';
import { describeChanges } from '../scoring/carRules.ts';
import { REPLAY_MAX_BYTES, verifyReplayText, type VerifySuccess } from '../scoring/replay.ts';
import { formatLapTime } from '../scoring/rules.ts';

export const EXIT_VERIFIED = 0;
export const EXIT_REFUSED = 1;
export const EXIT_ERROR = 2;

function describe(v: VerifySuccess): string[] {
  const t = v.driverTicks;
  const who = (['human', 'model', 'expert'] as const).filter((k) => t[k] > 0).map((k) => `${k} ${t[k]} ticks`).join(', ');
  const model = v.driver.modelSha256 ? `, model ${v.driver.modelId ?? '?'} weights sha256 ${v.driver.modelSha256}` : '';
  return [
    `  track: ${v.track.name} (${v.track.id})${v.track.custom ? ', custom track carried in the replay' : ''}`,
    `  car: ${v.car.modified ? `MODIFIED (${describeChanges(v.car.changes)})` : 'default'}`,
    `  driver: ${v.driver.name}; ${who}; ${v.interventions} interventions; autonomy ${v.autonomyPct.toFixed(1)}%; class ${v.driverClass}${model}; governor ${v.assists.governor ? 'on' : 'off'}`,
    `  result: ${formatLapTime(v.lap.timeS)} (${v.lap.ticks} ticks) + ${v.lap.penaltyS} s penalties = score ${formatLapTime(v.lap.scoreS)}; ${v.ranked ? `ranked on the ${v.driverClass} board` : `not ranked: ${v.unranked.join('; ')}`}`,
    `  verified in ${v.verifyMs.toFixed(0)} ms (${v.segmentTicks} ticks re-simulated); final state ${v.endHash}`,
  ];
}

function main(files: string[]): number {
  if (files.length === 0) {
    console.error('usage: npm run verify -- <replay.json> [more.replay.json ...]');
    return EXIT_ERROR;
  }
  let code = EXIT_VERIFIED;
  for (const file of files) {
    let text: string;
    try {
      const size = statSync(file).size;
      if (size > 4 * REPLAY_MAX_BYTES) {
        console.log(`${file}: REFUSED: the file is ${size} bytes; a replay is at most ${REPLAY_MAX_BYTES}`);
        code = Math.max(code, EXIT_REFUSED);
        continue;
      }
      text = readFileSync(file, 'utf8');
    } catch (e) {
      console.log(`${file}: ERROR: cannot read the file (${(e as Error).message})`);
      code = EXIT_ERROR;
      continue;
    }
    const v = verifyReplayText(text);
    if (v.ok) {
      console.log(`${file}: VERIFIED: session lap ${v.sessionLap} on ${v.track.name} in ${formatLapTime(v.lap.timeS)}, reproduced tick for tick`);
      for (const line of describe(v)) console.log(line);
    } else if (v.code === 'error') {
      console.log(`${file}: ERROR: ${v.reason}`);
      code = EXIT_ERROR;
    } else {
      console.log(`${file}: REFUSED (${v.code}): ${v.reason}`);
      code = Math.max(code, EXIT_REFUSED);
    }
  }
  return code;
}

process.exitCode = main(process.argv.slice(2));
