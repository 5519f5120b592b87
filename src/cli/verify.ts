// `npm run verify -- <replay.json> [...]`: re-simulates each replay in Node and says whether its
// claimed lap is reproduced exactly, tick for tick. Exit code 0 only if every replay verifies.

import { readFileSync } from 'node:fs';
import { verifyReplayText } from '../scoring/replay.ts';
import { formatLapTime, lapTimeS } from '../scoring/rules.ts';

function main(files: string[]): number {
  if (files.length === 0) {
    console.error('usage: npm run verify -- <replay.json> [more.replay.json ...]');
    return 2;
  }
  let failures = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      console.log(`${file}: REJECTED: cannot read the file (${(e as Error).message})`);
      failures++;
      continue;
    }
    const r = verifyReplayText(text);
    if (r.ok) {
      console.log(`${file}: VERIFIED: lap ${r.lap.lap} on ${r.track.name} in ${formatLapTime(lapTimeS(r.lap.ticks))} (${r.lap.ticks} ticks), reproduced exactly; state ${r.stateHash}`);
    } else {
      console.log(`${file}: REJECTED: ${r.reason}`);
      failures++;
    }
  }
  return failures === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
