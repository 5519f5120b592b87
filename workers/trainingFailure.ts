// Sorting training failures by cause, so each gets the right answer (issue 11):
//   data    - the clips cannot make examples (too short, wrong size, missing): stop at once with
//             the reason and the clips concerned; no other backend would do better.
//   quota   - the browser's storage is full: training goes on, the weights stay in memory and
//             are saved once there is room again.
//   backend - the device or a kernel failed (a lost WebGL/WebGPU context, an op the backend
//             cannot run): the one kind that moves on to the next backend.

import { isDataError, type DataError, type ModelStore } from '../src/data/index.ts';
import { isQuotaError } from '../src/data/dataErrors.ts';
import { isModelError, type ModelConfig, type SavedModel } from '../src/model/index.ts';

export type TrainingFailureKind = 'data' | 'quota' | 'backend';

const STORAGE_CODES: readonly DataError['code'][] = ['storage-full', 'storage', 'closed'];

export function classifyTrainingError(e: unknown): TrainingFailureKind {
  if (isQuotaError(e) || isDataError(e, 'storage-full') || isQuotaError((e as { cause?: unknown } | null)?.cause)) return 'quota';
  if (isModelError(e, 'invalid-input') || isModelError(e, 'invalid-config') || isModelError(e, 'bad-model-file')) return 'data';
  if (isDataError(e) && !STORAGE_CODES.includes(e.code)) return 'data';
  return 'backend';
}

/** A training run that cannot work on these clips; the message names the cause and the clips. */
export class TrainingDataError extends Error {
  override name = 'TrainingDataError';
  constructor(
    message: string,
    readonly clips: readonly { id: string; name: string }[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ClipSummary {
  id: string;
  name: string;
  frameCount: number;
}

/** Frames in one example: the recurrent model's window, or one frame for the CNN baseline. */
function framesPerExample(config: ModelConfig): number {
  return config.sequence.kind === 'cnn_lstm' ? config.sequence.window : 1;
}

/**
 * The data error of a run, with what is missing and which clips: clips shorter than one window
 * are named with their frame counts; otherwise every clip of the run is listed.
 */
export function trainingDataError(e: unknown, clips: readonly ClipSummary[], config: ModelConfig): TrainingDataError {
  const reason = (e as Error).message ?? String(e);
  const T = framesPerExample(config);
  const short = clips.filter((c) => c.frameCount < T);
  const named = (cs: readonly ClipSummary[]): string => cs.map((c) => `"${c.name}" (${c.frameCount} frames)`).join(', ');
  const pointer = short.length
    ? `The model reads windows of ${T} frames; too short: ${named(short)}. Record longer clips, or choose a smaller window.`
    : `Clips used: ${named(clips)}.`;
  return new TrainingDataError(`Training stopped: ${reason}. ${pointer}`, short.length ? short : clips, { cause: e });
}

type StoredModel = Parameters<ModelStore['save']>[0];
const CHECKPOINT_FULL = 'the storage is full: the checkpoint was not saved; training goes on with the weights in memory';
const MODEL_FULL = 'the storage is full: the trained model is kept in memory and saved once there is room (free space, or export it)';

/**
 * What a full storage must not cost: checkpoints that fail for quota are reported (once per
 * run) and training goes on; a trained model the store refuses is held in memory (the newest
 * one) until saveHeld() finds room, or the user exports it.
 */
export function createQuotaGuard(models: () => Promise<ModelStore>) {
  let held: { saved: SavedModel; stored: StoredModel; runId: string } | null = null;
  let reported = false;
  const quotaOnly = (e: unknown): void => {
    if (classifyTrainingError(e) !== 'quota') throw e;
  };
  return {
    /** A new run: its first full checkpoint is reported again. */
    startRun(): void {
      reported = false;
    },
    async checkpoint(runId: string, cp: unknown, savedAt: number, report: (reason: string) => void): Promise<void> {
      try {
        await (await models()).saveCheckpoint(runId, cp, { savedAt });
        reported = false;
      } catch (e) {
        quotaOnly(e);
        if (!reported) report(CHECKPOINT_FULL);
        reported = true;
      }
    },
    /** Saves a trained model: its id, or null when the storage is full (then it is held). */
    async saveModel(saved: SavedModel, stored: StoredModel, runId: string, report: (reason: string) => void): Promise<string | null> {
      const store = await models();
      try {
        const id = await store.save(stored);
        await store.clearCheckpoint(runId);
        return id;
      } catch (e) {
        quotaOnly(e);
        held = { saved, stored, runId };
        report(MODEL_FULL);
        return null;
      }
    },
    get holding(): boolean {
      return held !== null;
    },
    /** Saves the held model; its id, or null if none is held. Throws while there is still no room. */
    async saveHeld(): Promise<string | null> {
      if (!held) return null;
      const { stored, runId } = held;
      const store = await models();
      const id = await store.save(stored);
      held = null;
      await store.clearCheckpoint(runId).catch(() => {}); // the checkpoint is only a spare copy now
      return id;
    },
    heldModel(): SavedModel | null {
      return held?.saved ?? null;
    },
  };
}
