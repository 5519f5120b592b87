// One or two workers for a training run that has a peer replica (TrainRequest.peerPort): the
// player's 'two' keeps the peer; 'auto' uses this device's cached verdict for the backend and
// model shape, or runs a trial over the first steps (src/model/workerChoice.ts) and caches its
// verdict in the settings store. The app forgets every verdict when the setting changes.

import type { SettingsStore } from '../src/data/index.ts';
import { z } from 'zod';
import { deviceKey } from '../src/model/backendChoice.ts';
import type { ModelConfig } from '../src/model/index.ts';
import {
  describeChoice, modelShapeKey, planWorkers, type TrialResult, verdictOf, WORKER_VERDICTS_KEY, type WorkerCount, WorkerTrial, type WorkersMode, withVerdict,
} from '../src/model/workerChoice.ts';

export interface WorkersDecision {
  /** Whether the run keeps the peer (in a trial: for the steps the trial gives it). */
  readonly usePeer: boolean;
  readonly trial: WorkerTrial | null;
  /** For the Training panel: the choice and how it was made. */
  readonly note: { workers: WorkerCount | null; ratio: number | null; reason: string };
  /** What to tell the player of a trial's verdict; `saved` settles once it is cached (never rejects). */
  settle(r: TrialResult): { workers: WorkerCount; ratio: number; reason: string; saved: Promise<void> };
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
  const settle = (r: TrialResult): ReturnType<WorkersDecision['settle']> => {
    const v = verdictOf(r, { ...key, at: o.now() });
    const saved = (async () => {
      const settings = await o.settings();
      // Read again: another run may have cached another shape's verdict meanwhile.
      await settings.put(WORKER_VERDICTS_KEY, withVerdict(await settings.get(WORKER_VERDICTS_KEY, z.unknown(), null), v));
    })().catch(() => undefined); // not cached (storage full or closed): the next run measures again
    return { workers: v.workers, ratio: v.ratio, reason: describeChoice(v, 'measured now'), saved };
  };
  switch (plan.kind) {
    case 'two':
      return { usePeer: true, trial: null, note: { workers: 2, ratio: null, reason: 'two workers (Settings > Training workers)' }, settle };
    case 'cached': {
      const v = plan.verdict;
      const reason = describeChoice(v, { cachedAt: new Date(v.at).toISOString().slice(0, 10) });
      return { usePeer: v.workers === 2, trial: null, note: { workers: v.workers, ratio: v.ratio, reason }, settle };
    }
    case 'trial':
      return {
        usePeer: true, trial: new WorkerTrial(), settle,
        note: { workers: null, ratio: null, reason: 'timing two workers against one over the first steps (they count as training)' },
      };
  }
}
