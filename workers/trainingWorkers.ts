// One or two workers for a training run that has a peer replica (TrainRequest.peerPort): the
// player's 'two' keeps the peer; 'auto' uses this device's cached verdict for the backend and
// model shape, or runs a trial over the first steps (src/model/workerChoice.ts) and caches its
// verdict in the settings store; a run that ends before its trial decides gives the verdict of
// the steps it had if enough, else leaves them to the next run's trial. The app forgets every
// verdict when the setting changes.

import type { SettingsStore } from '../src/data/index.ts';
import { z } from 'zod';
import { deviceKey } from '../src/model/backendChoice.ts';
import type { ModelConfig } from '../src/model/index.ts';
import {
  describeChoice, modelShapeKey, planWorkers, type TrialResult, verdictOf, WORKER_VERDICTS_KEY, type WorkerCount, WorkerTrial, type WorkersMode, withPending, withVerdict,
} from '../src/model/workerChoice.ts';

export interface WorkersDecision {
  /** Whether the run keeps the peer (in a trial: for the steps the trial gives it). */
  readonly usePeer: boolean;
  readonly trial: WorkerTrial | null;
  /** For the Training panel: the choice and how it was made. */
  readonly note: { workers: WorkerCount | null; ratio: number | null; reason: string };
  /** What to tell the player of a trial's verdict; `saved` settles once it is cached (never rejects). */
  settle(r: TrialResult): { workers: WorkerCount; ratio: number; reason: string; saved: Promise<void> };
  /**
   * The run ended before its trial decided: the verdict of the steps it had if enough to compare
   * (cached like any), else says it did not decide and keeps its whole pairs of timed steps for
   * the next run of the shape, whose trial goes on from them. `saved` never rejects.
   */
  conclude(trial: WorkerTrial): { workers: WorkerCount | null; ratio: number | null; reason: string; saved: Promise<void> };
}

export async function decideWorkers(o: {
  readonly mode: WorkersMode;
  readonly settings: () => Promise<SettingsStore>;
  readonly backend: string;
  readonly config: ModelConfig;
  /** ms since epoch. */
  readonly now: () => number;
}): Promise<WorkersDecision> {
  const key = { deviceKey: deviceKey(), shapeKey: modelShapeKey(o.backend, o.config) };
  const stored = o.mode === 'auto' ? await (await o.settings()).get(WORKER_VERDICTS_KEY, z.unknown(), null).catch(() => null) : null;
  const plan = planWorkers({ mode: o.mode, stored, ...key, now: o.now() });
  /** Writes the cache through `change` (read again: another run may have cached another shape meanwhile). */
  const update = (change: (stored: unknown) => unknown): Promise<void> => (async () => {
    const settings = await o.settings();
    await settings.put(WORKER_VERDICTS_KEY, change(await settings.get(WORKER_VERDICTS_KEY, z.unknown(), null)));
  })().catch(() => undefined); // not cached (storage full or closed): the next run measures again
  const settle = (r: TrialResult): ReturnType<WorkersDecision['settle']> => {
    const v = verdictOf(r, { ...key, at: o.now() });
    const saved = update((stored) => withVerdict(stored, v));
    return { workers: v.workers, ratio: v.ratio, reason: describeChoice(v, 'measured now'), saved };
  };
  const conclude = (trial: WorkerTrial): ReturnType<WorkersDecision['conclude']> => {
    const r = trial.conclude();
    if (r) return settle(r);
    const carry = trial.carry();
    const { one, two, needed } = trial.progress;
    const saved = update((stored) => withPending(stored, { ...key, msPerExample: { one: carry.one, two: carry.two }, spentMs: carry.spentMs, at: o.now() }));
    const kept = carry.one.length > 0 ? `the next run goes on from its ${carry.one.length} timed step${carry.one.length > 1 ? 's' : ''} per side` : 'the next run times again';
    return { workers: null, ratio: null, reason: `not decided: the run ended after ${Math.min(one, two)} of the ${needed} timed steps per side a verdict needs (one worker ${one}, two ${two}); ${kept}`, saved };
  };
  switch (plan.kind) {
    case 'two':
      return { usePeer: true, trial: null, note: { workers: 2, ratio: null, reason: 'two workers (Settings > Training workers)' }, settle, conclude };
    case 'cached': {
      const v = plan.verdict;
      const reason = describeChoice(v, { cachedAt: new Date(v.at).toISOString().slice(0, 10) });
      return { usePeer: v.workers === 2, trial: null, note: { workers: v.workers, ratio: v.ratio, reason }, settle, conclude };
    }
    case 'trial': {
      const carried = plan.carried?.msPerExample.one.length ?? 0;
      const goOn = carried > 0 ? `; going on from the last run's ${carried} timed step${carried > 1 ? 's' : ''} per side` : '';
      return {
        usePeer: true, trial: new WorkerTrial({}, plan.carried && { ...plan.carried.msPerExample, spentMs: plan.carried.spentMs }), settle, conclude,
        note: { workers: null, ratio: null, reason: `timing two workers against one over the first steps (they count as training)${goOn}` },
      };
    }
  }
}
