// Record and train at the same time (issue 15, "overlap the phases"): auto-record runs on the main
// thread while the training worker trains on the clips recorded so far; clips recorded later join
// the run at its next epoch (TrainRequest.followClipsSince, src/data/growingClipSet.ts).
//
// Validation is whole clips, as the closed-loop benchmark holds them out: every 6th clip recorded
// (index 5, 11, ...) is tagged 'val' when its recording starts, so it never trains (the growing
// set refuses 'val' tags; a tag set before the clip is complete is kept when it completes). The
// run starts once at least one validation clip and one training clip are complete, and validates
// on the held-out clips complete then (fixed for the run; later held-out clips stay tagged for the
// next run). A recording too short for that trains once it ends, on the benchmark's fallback
// (the last clip validates).
//
// The run is told to train "for ever" (no early stop) and this module stops it: after `epochs`
// epochs that began once recording had ended (every clip in), or at a time budget counted from
// its start but never before one such epoch. The worker keeps the best validated epoch's weights
// when stopped mid-epoch. The rules are pure functions; `recordAndTrain` runs them over deps.

import type { ClipMeta, ClipStore } from '../data/index.ts';
import type { TrainOutcome, TrainRequest } from '../../workers/steeringApi.ts';
import type { AutoRecordPlan, AutoRecordProgress, AutoRecordResult } from './autoRecord.ts';
import type { TrainingController } from './trainingController.ts';

/** Every n-th clip recorded validates (the benchmark's rule). */
export const OVERLAP_VAL_EVERY = 6;
/** How often the library is read for finished clips while training waits to start, ms. */
const POLL_MS = 250;
/** Epochs asked of the worker: the run is stopped by its rule long before. */
const OPEN_ENDED_EPOCHS = 1000;

/** Whether the clip recorded `index`-th (0-based) is held out for validation. */
export function isHeldOut(index: number, every: number = OVERLAP_VAL_EVERY): boolean {
  return index % every === every - 1;
}

export type SplitClip = Pick<ClipMeta, 'id' | 'createdAt' | 'complete' | 'tag'>;

/**
 * The split a run starts on, from the clips recorded so far (tagged 'val' by `isHeldOut` as they
 * started): the complete held-out clips validate, the other complete clips train. Null until at
 * least one of each is complete (training may not start yet).
 */
export function overlapSplit(clips: readonly SplitClip[]): { train: string[]; val: string[] } | null {
  const done = clips.filter((c) => c.complete).sort((a, b) => a.createdAt - b.createdAt);
  const val = done.filter((c) => c.tag === 'val').map((c) => c.id);
  const train = done.filter((c) => c.tag !== 'val').map((c) => c.id);
  return val.length > 0 && train.length > 0 ? { train, val } : null;
}

/** The split once recording has ended and never allowed a start: the last clip validates (none with one clip). */
export function finalSplit(clips: readonly SplitClip[]): { train: string[]; val: string[] } {
  const split = overlapSplit(clips);
  if (split) return split;
  const ids = clips.filter((c) => c.complete).sort((a, b) => a.createdAt - b.createdAt).map((c) => c.id);
  return ids.length < 2 ? { train: ids, val: [] } : { train: ids.slice(0, -1), val: ids.slice(-1) };
}

/** When the run stops: `epochs` epochs over every clip, or a time budget (s of training) once there was one. */
export type OverlapStop = { readonly kind: 'epochs'; readonly epochs: number } | { readonly kind: 'budget'; readonly seconds: number };

export interface OverlapProgress {
  /** Seconds since the run started. */
  readonly trainingS: number;
  /** Epochs the run has finished. */
  readonly epochsDone: number;
  /** Epochs it had finished when recording ended; null while recording. */
  readonly epochsAtRecordingEnd: number | null;
}

/**
 * Epochs finished that began after recording ended, so trained on every clip: the epoch running
 * when recording ended may have begun before the last clip was complete, so it does not count.
 */
export function fullEpochs(p: OverlapProgress): number {
  return p.epochsAtRecordingEnd === null ? 0 : Math.max(0, p.epochsDone - p.epochsAtRecordingEnd - 1);
}

/** Whether the run should stop now. Never while recording, nor before one epoch over every clip. */
export function overlapStopDue(p: OverlapProgress, stop: OverlapStop): boolean {
  const full = fullEpochs(p);
  return stop.kind === 'epochs' ? full >= stop.epochs : full >= 1 && p.trainingS >= stop.seconds;
}

/** A run's outcome as the player should read it: a cancel by the rule above is its budget's end or its epochs' (a player's cancel stays a cancel). */
export function settledOutcome(outcome: TrainOutcome, stoppedByRule: boolean, stop: OverlapStop): TrainOutcome {
  return stoppedByRule && outcome.status === 'cancelled' ? { ...outcome, status: stop.kind === 'budget' ? 'budget' : 'completed' } : outcome;
}

/** A config (whole or overrides) with the training open-ended: the overlap's rule stops it, not epochs or early stopping. */
export function openEndedConfig(config: Record<string, unknown>): Record<string, unknown> {
  const training = isRecord(config.training) ? config.training : {};
  const early = isRecord(training.earlyStopping) ? training.earlyStopping : {};
  return { ...config, training: { ...training, epochs: OPEN_ENDED_EPOCHS, earlyStopping: { ...early, patience: 0 } } };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface OverlapDeps {
  /** Runs the auto-record; `onClipStarted` is awaited when each clip's recording starts (its index among the plan's segments). */
  record(onClipStarted: (clipId: string, index: number) => Promise<void>): Promise<AutoRecordResult>;
  /** The clips created at or after `since` (ms since epoch), complete or not. */
  clipsSince(since: number): Promise<readonly SplitClip[]>;
  /** Tags a clip 'val' (it never trains). */
  holdOut(clipId: string): Promise<void>;
  /** Starts the run (its config open-ended: openEndedConfig) and resolves with its outcome. */
  train(split: { trainClipIds: string[]; valClipIds: string[]; followClipsSince?: number }): Promise<TrainOutcome>;
  /** Every event of the running run; returns the unsubscribe. */
  onTrainEvent(cb: (e: { kind: string }) => void): () => void;
  cancelTraining(): void | Promise<void>;
  /** ms since epoch (the clips' createdAt clock). */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Something worth telling the player (training started, recording ended). */
  onNote?(text: string): void;
}

export interface OverlapResult {
  readonly record: AutoRecordResult;
  /** The run's outcome ('budget' or 'completed' when stopped by the rule); null if nothing was recorded. */
  readonly outcome: TrainOutcome | null;
  /** ms from the start of recording: training started, recording ended, training ended. */
  readonly trainStartMs: number | null;
  readonly recordEndMs: number;
  readonly trainEndMs: number;
  /** Training started before the recording ended. */
  readonly startedWhileRecording: boolean;
  readonly trainClipIds: readonly string[];
  readonly valClipIds: readonly string[];
  /** Clips tagged 'val' (the run's validation clips and those held out later). */
  readonly heldOut: readonly string[];
}

/** Records and trains at once (see the header). */
export async function recordAndTrain(deps: OverlapDeps, stop: OverlapStop, every: number = OVERLAP_VAL_EVERY): Promise<OverlapResult> {
  const since = deps.now();
  const heldOut: string[] = [];
  // Filled in by the recording's promise (a state object: its fields change under awaits).
  const rec: { error: unknown; ended: boolean; endMs: number } = { error: null, ended: false, endMs: 0 };
  const recording = deps.record(async (clipId, index) => {
    if (!isHeldOut(index, every)) return;
    await deps.holdOut(clipId);
    heldOut.push(clipId);
  });
  const ended = recording.then(() => undefined, (e: unknown) => {
    rec.error = e ?? new Error('auto-record failed');
  }).finally(() => {
    rec.ended = true;
    rec.endMs = deps.now() - since;
  });
  // Training waits for its first clips (or the end of a recording too short to start earlier).
  let split: { train: string[]; val: string[] } | null = null;
  while (!split && !rec.ended) {
    split = overlapSplit(await deps.clipsSince(since));
    if (!split) await Promise.race([deps.sleep(POLL_MS), ended]);
  }
  if (rec.error !== null) throw rec.error;
  const whileRecording = split !== null && !rec.ended;
  if (!split) split = finalSplit(await deps.clipsSince(since));
  if (split.train.length === 0) {
    await ended;
    const r = await recording;
    return { record: r, outcome: null, trainStartMs: null, recordEndMs: rec.endMs, trainEndMs: rec.endMs, startedWhileRecording: false, trainClipIds: [], valClipIds: [], heldOut };
  }

  const trainStart = deps.now();
  deps.onNote?.(whileRecording
    ? `Training started on ${split.train.length} clips (${split.val.length} held out) while the expert records; new clips join at each epoch.`
    : `Training on ${split.train.length} clips (${split.val.length} held out).`);
  let epochsDone = 0;
  // -1: recording had ended before the run began, so its first epoch already has every clip.
  let epochsAtRecordingEnd: number | null = whileRecording ? null : -1;
  let stopped = false;
  const check = (): void => {
    if (stopped || !overlapStopDue({ trainingS: (deps.now() - trainStart) / 1000, epochsDone, epochsAtRecordingEnd }, stop)) return;
    stopped = true;
    void deps.cancelTraining();
  };
  const off = deps.onTrainEvent((e) => {
    if (e.kind !== 'epoch') return;
    epochsDone++;
    check();
  });
  void ended.then(() => {
    if (!whileRecording) return;
    epochsAtRecordingEnd = epochsDone;
    deps.onNote?.(`Recording ended after ${epochsDone} epoch${epochsDone === 1 ? '' : 's'}: training goes on over every clip.`);
  });
  const timer = setInterval(check, POLL_MS);
  let outcome: TrainOutcome;
  try {
    outcome = await deps.train({ trainClipIds: split.train, valClipIds: split.val, ...(whileRecording ? { followClipsSince: since } : {}) });
  } finally {
    clearInterval(timer);
    off();
  }
  const trainEndMs = deps.now() - since;
  await ended;
  const r = await recording; // a failed recording fails the whole, after the run it started
  outcome = settledOutcome(outcome, stopped, stop);
  return {
    record: r, outcome, trainStartMs: trainStart - since, recordEndMs: rec.endMs, trainEndMs, startedWhileRecording: whileRecording,
    trainClipIds: split.train, valClipIds: split.val, heldOut,
  };
}

/** What the app gives an overlapped run: its auto-record, the clip library and the training worker. */
export interface OverlapAppParts {
  runAutoRecord(plan: AutoRecordPlan, onProgress?: (p: AutoRecordProgress) => void, signal?: AbortSignal, learner?: undefined, onClipStarted?: (clipId: string, index: number) => Promise<void>): Promise<AutoRecordResult>;
  readonly store: Promise<ClipStore | null>;
  readonly training: Pick<TrainingController, 'onEvent' | 'cancel'>;
}

/**
 * The deps of `recordAndTrain` over the app's parts: `plan` recorded with `onProgress`/`signal`,
 * the run as `request` (name, config, runId, a base model) with its clips, started by `train`
 * (the Training panel's, so the player sees it; the controller's in the test hook).
 */
export function overlapDepsOf(app: OverlapAppParts, o: {
  plan: AutoRecordPlan;
  request: Omit<TrainRequest, 'trainClipIds' | 'valClipIds' | 'followClipsSince'>;
  train(req: TrainRequest): Promise<TrainOutcome>;
  onProgress?: (p: AutoRecordProgress) => void;
  signal?: AbortSignal;
  onNote?: (text: string) => void;
}): OverlapDeps {
  const store = async (): Promise<ClipStore> => {
    const st = await app.store;
    if (!st) throw new Error('recording needs the clip library (IndexedDB)');
    return st;
  };
  return {
    record: (onClipStarted) => app.runAutoRecord(o.plan, o.onProgress, o.signal, undefined, onClipStarted),
    clipsSince: async (since) => (await (await store()).list()).filter((c) => c.createdAt >= since),
    holdOut: async (id) => {
      await (await store()).setTag(id, 'val');
    },
    train: (split) => o.train({ ...o.request, config: openEndedConfig(isRecord(o.request.config) ? o.request.config : {}), ...split }),
    onTrainEvent: (cb) => app.training.onEvent(cb),
    cancelTraining: () => app.training.cancel(),
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    ...(o.onNote ? { onNote: o.onNote } : {}),
  };
}
