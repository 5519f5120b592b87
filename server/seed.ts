// Seeds the expert's reference laps from the shipped replay(s) at start. Tolerant by design: a
// missing file, or a replay this simulation version no longer reproduces (the verifier and its
// format evolve), is logged and skipped, never fatal. Idempotent: the personal-best upsert keeps
// one expert lap per board.

import { existsSync, readFileSync } from 'node:fs';
import { EXPERT_PLAYER_ID, type Store } from './store.ts';
import { verifyAndPack } from './verify.ts';

export async function seedExpertLaps(store: Store, file: string, log: (m: string) => void): Promise<boolean> {
  if (!file) return false;
  if (!existsSync(file)) {
    log(`seed: no ${file}; the expert boards start empty`);
    return false;
  }
  // The compact form (the same JSON without indentation) is what is verified and stored.
  let text = readFileSync(file, 'utf8');
  try {
    text = JSON.stringify(JSON.parse(text));
  } catch {
    /* not JSON: the verifier says what is wrong with it */
  }
  let v;
  try {
    v = verifyAndPack({ text });
  } catch (e) {
    log(`seed: ${file} could not be verified (${(e as Error).message}); skipped`);
    return false;
  }
  if (!v.ok) {
    log(`seed: ${file} does not verify (${v.reason}); skipped`);
    return false;
  }
  if (v.driverClass !== 'expert') {
    log(`seed: ${file} is a ${v.driverClass} lap, not the expert's; skipped`);
    return false;
  }
  await store.ensureExpertPlayer();
  await store.submitLap(EXPERT_PLAYER_ID, v, v.replayGz, null);
  return true;
}
