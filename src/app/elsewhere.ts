// What other tabs of this site are doing with the library, in one sentence for a notice: clips
// they are recording or importing (their Web Locks, src/data/tabLocks.ts) and a training run.

import type { ClipStore } from '../data/index.ts';
import { TRAINING_LOCK, type TabLocks } from '../data/tabLocks.ts';

export async function workElsewhere(o: { store: ClipStore | null; locks: TabLocks; trainingHere: boolean }): Promise<string | null> {
  if (!o.locks.shared) return null; // page-local locks know nothing of other tabs
  const clips = o.store ? (await o.store.busyElsewhere()).length : 0;
  const training = !o.trainingHere && (await o.locks.heldNames(TRAINING_LOCK)).length > 0;
  const parts: string[] = [];
  if (clips > 0) parts.push(`${clips === 1 ? 'a clip is' : `${clips} clips are`} being recorded or imported`);
  if (training) parts.push('a model is training');
  return parts.length ? `In another tab, ${parts.join(' and ')}; ${clips > 0 ? 'the clip appears here when it is done' : 'its model appears here when it is saved'}.` : null;
}
