// What the Training panel keeps in the app's settings store, so a reloaded tab picks up where it
// was: the draft (config, split choice, clips left out), saved a moment after each edit and at
// dispose; and each run's request under `training-run:<runId>`, read back to resume the run from
// its checkpoint (removed when a run ends without one). The keys, the schemas that read them
// back, and new run ids.

import { z } from 'zod';
import type { Json } from './configForm.ts';
import type { SplitChoice } from './dataSplit.ts';
import type { PanelSettings, TrainRequestLike } from './trainingContract.ts';

export const DRAFT_KEY = 'training-panel-draft';
export const RUN_KEY_PREFIX = 'training-run:';
/** The draft is saved this long after the last edit. */
const SAVE_DRAFT_MS = 400;

const choiceSchema = z.union([
  z.object({ mode: z.literal('tags'), untagged: z.enum(['train', 'val', 'skip']) }),
  z.object({ mode: z.literal('holdout'), percent: z.number(), seed: z.number().int().min(0) }),
]);
const draftSchema = z.object({ config: z.record(z.string(), z.unknown()), choice: choiceSchema, excluded: z.array(z.string()) }).nullable();
const runRecordSchema = z.object({
  name: z.string(), config: z.unknown(), trainClipIds: z.array(z.string()), valClipIds: z.array(z.string()), runId: z.string(),
}).nullable();

/** The panel's draft as it is edited. */
export interface Draft {
  readonly config: Json;
  readonly choice: SplitChoice;
  readonly excluded: ReadonlySet<string>;
}

/** The saved draft, or null if there is none. Rejects when the store cannot be read. */
export function readDraft(settings: PanelSettings): Promise<z.infer<typeof draftSchema>> {
  return settings.get(DRAFT_KEY, draftSchema, null);
}

export interface DraftSaver {
  /** Saves the draft SAVE_DRAFT_MS after the last call (a failure is logged). */
  schedule(): void;
  /** Saves at once if a save is pending, then stops (the panel is going). */
  dispose(): void;
}

/** Saves `current()` to the draft key; owns one timer, freed by dispose(). */
export function createDraftSaver(settings: PanelSettings, current: () => Draft): DraftSaver {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const record = (): unknown => {
    const { config, choice, excluded } = current();
    return { config, choice, excluded: [...excluded] };
  };
  return {
    schedule() {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        settings.put(DRAFT_KEY, record()).catch((e) => console.warn('training panel: the draft was not saved', e));
      }, SAVE_DRAFT_MS);
    },
    dispose() {
      if (timer === null) return;
      clearTimeout(timer);
      timer = null;
      settings.put(DRAFT_KEY, record()).catch(() => undefined);
    },
  };
}

/** Keeps a run's request (without its `resume` flag) so the run can be resumed after a reload. */
export function putRunRecord(settings: PanelSettings, req: TrainRequestLike): Promise<void> {
  const { resume: _resume, ...record } = req;
  return settings.put(RUN_KEY_PREFIX + req.runId, record);
}

/** A run's kept request, or null if it was not kept. Rejects when the store cannot be read. */
export function readRunRecord(settings: PanelSettings, runId: string): Promise<z.infer<typeof runRecordSchema>> {
  return settings.get(RUN_KEY_PREFIX + runId, runRecordSchema, null);
}

export function removeRunRecord(settings: PanelSettings, runId: string): Promise<void> {
  return settings.remove(RUN_KEY_PREFIX + runId);
}

/** `run-<time base 36>-<6 random base-36 digits>`; `now` in ms since the epoch. */
export function newRunId(now: number): string {
  return `run-${now.toString(36)}-${Math.floor(Math.random() * 36 ** 6).toString(36).padStart(6, '0')}`;
}
