// The state of one training run as the Run section shows it, folded from the app's events and
// the player's intents: phase, epoch and batch, speed, time left, overall progress, the backend
// and its switches, the last epoch's figures and the outcome. Pure reducers: no DOM.

import { baseComparisonSentence, formatRmse, formatVsBaseline, formatVsSpeedometer, steeringVerdict, type Verdict, verdictSentence } from './format.ts';
import type { EpochEventLike, NoticeKind, TrainEventLike, TrainOutcomeLike } from './trainingContract.ts';

export type RunPhase = 'idle' | 'starting' | 'running' | 'paused' | 'stopping' | 'done' | 'failed';

export interface RunNotice {
  readonly text: string;
  readonly kind: NoticeKind;
}

export interface RunState {
  readonly phase: RunPhase;
  readonly runId: string | null;
  readonly name: string;
  /** What the worker is doing before the first step ("Reading clips"), or the outcome. */
  readonly message: string | null;
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batchesPerEpoch: number;
  readonly examplesPerSecond: number;
  readonly etaSeconds: number;
  readonly learningRate: number | null;
  /** 0..1 over all epochs. */
  readonly fraction: number;
  /** The backend training runs on, as last reported. */
  readonly backend: string | null;
  /** Backend notices of this run, oldest first (the first says where it started). */
  readonly notices: readonly RunNotice[];
  readonly lastEpoch: EpochEventLike | null;
  readonly outcome: TrainOutcomeLike | null;
  /** The run had validation clips (the outcome's figures are on them). */
  readonly hasValidation: boolean;
  /** The saved model against driving straight, once done. */
  readonly verdict: Verdict | null;
  /** A fine-tune's base model, as the verdict names it ("the starter model"); null: not a fine-tune. */
  readonly baseName: string | null;
}

export const IDLE_RUN: RunState = {
  phase: 'idle', runId: null, name: '', message: null, epoch: 0, epochs: 0, batch: 0, batchesPerEpoch: 0,
  examplesPerSecond: 0, etaSeconds: NaN, learningRate: null, fraction: 0, backend: null, notices: [], lastEpoch: null, outcome: null,
  hasValidation: true, verdict: null, baseName: null,
};

/** Whether a run is in progress (Start is off, Pause/Resume/Cancel on). */
export function isActive(s: RunState): boolean {
  return s.phase === 'starting' || s.phase === 'running' || s.phase === 'paused' || s.phase === 'stopping';
}

export function startRun(opts: { runId: string; name: string; resume: boolean; hasValidation?: boolean; baseName?: string | null }): RunState {
  return {
    ...IDLE_RUN, phase: 'starting', runId: opts.runId, name: opts.name, message: opts.resume ? 'Resuming from the checkpoint…' : 'Starting…',
    hasValidation: opts.hasValidation ?? true, baseName: opts.baseName ?? null,
  };
}

/** Folds one event from the worker into the state. */
export function applyEvent(s: RunState, e: TrainEventLike): RunState {
  if (!isActive(s)) return s;
  switch (e.kind) {
    case 'preparing':
      // Once steps run, the status line is the progress: news from a running run (clips that
      // join a run trained while recording, at an epoch's start) stays among the notices.
      return s.phase === 'running' || s.phase === 'paused'
        ? { ...s, notices: [...s.notices, { text: e.message, kind: 'info' as const }].slice(-6) }
        : { ...s, message: e.message };
    case 'backend': {
      const first = s.notices.length === 0;
      const notice: RunNotice = { text: e.reason, kind: first ? 'info' : 'warn' };
      return { ...s, backend: e.backend, notices: [...s.notices, notice].slice(-6) };
    }
    case 'storage':
      return { ...s, notices: [...s.notices, { text: e.reason, kind: 'warn' as const }].slice(-6) };
    case 'workers': // one or two training workers, and why (measured ratio): news, not a warning
      return { ...s, notices: [...s.notices, { text: `Training workers: ${e.reason}`, kind: 'info' as const }].slice(-6) };
    case 'paused':
      return s.phase === 'stopping' ? s : { ...s, phase: 'paused' };
    case 'resumed':
      return s.phase === 'stopping' ? s : { ...s, phase: 'running' };
    case 'step': {
      const bpe = Math.max(1, e.batchesPerEpoch);
      const fraction = (e.epoch * bpe + Math.min(e.batch + 1, bpe)) / (Math.max(1, e.epochs) * bpe);
      return {
        ...s,
        phase: s.phase === 'starting' ? 'running' : s.phase,
        message: null,
        epoch: e.epoch, epochs: e.epochs, batch: e.batch, batchesPerEpoch: e.batchesPerEpoch,
        examplesPerSecond: e.examplesPerSecond, etaSeconds: e.etaSeconds, learningRate: e.learningRate,
        fraction: Math.min(1, fraction),
      };
    }
    case 'epoch':
      return {
        ...s,
        phase: s.phase === 'starting' ? 'running' : s.phase,
        epoch: e.epoch, epochs: e.epochs, lastEpoch: e,
        fraction: Math.max(s.fraction, Math.min(1, (e.epoch + 1) / Math.max(1, e.epochs))),
      };
  }
}

/** The player asked to cancel: the trainer stops before its next step. */
export function stopping(s: RunState): RunState {
  return isActive(s) ? { ...s, phase: 'stopping', message: 'Stopping…' } : s;
}

export function paused(s: RunState, isPaused: boolean): RunState {
  if (s.phase !== 'running' && s.phase !== 'paused' && s.phase !== 'starting') return s;
  return { ...s, phase: isPaused ? 'paused' : 'running' };
}

export function finished(s: RunState, outcome: TrainOutcomeLike): RunState {
  const verdict = outcome.modelId ? steeringVerdict(outcome.rmse?.steering, outcome.baselineRmse?.steering) : null;
  // A fine-tune's base alone on the same held-out clips: what the player's driving added.
  const added = verdict && outcome.before
    ? baseComparisonSentence(
      { rmse: outcome.before.rmse.steering, baseline: outcome.before.baselineRmse.steering },
      { rmse: outcome.rmse?.steering, baseline: outcome.baselineRmse?.steering },
      s.baseName ?? 'the model it started from',
    )
    : '';
  const message = [outcomeMessage(s.name, outcome, s.hasValidation), verdictSentence(verdict, s.hasValidation), added].filter(Boolean).join(' ');
  return { ...s, phase: 'done', outcome, verdict, fraction: outcome.status === 'completed' ? 1 : s.fraction, message };
}

export function failed(s: RunState, message: string): RunState {
  return { ...s, phase: 'failed', message: `Training failed: ${message}` };
}

/** One sentence on how a run ended. */
export function outcomeMessage(name: string, o: TrainOutcomeLike, hasValidation = true): string {
  const epochs = `${o.epochsDone} epoch${o.epochsDone === 1 ? '' : 's'}`;
  const speed = o.rmse && o.speedometerRmse !== undefined ? ` Speed RMSE ${formatVsSpeedometer(o.rmse.speed, o.speedometerRmse)}.` : '';
  const rmse = o.rmse ? ` Steering RMSE ${formatVsBaseline(o.rmse.steering, o.baselineRmse?.steering)} of always predicting the mean.${speed}` : '';
  const saved = o.modelId ? `Saved '${name}'` : o.held ? `The storage is full: '${name}' is kept in memory and saved as soon as there is room (delete clips or models to make room)` : 'Nothing was saved';
  switch (o.status) {
    case 'completed':
      return `${saved} after ${epochs} on ${o.backend}.${rmse}`;
    case 'early-stopped':
      return hasValidation
        ? `Stopped early after ${epochs} (validation stopped improving). ${saved}, with the best epoch's weights.${rmse}`
        : `Stopped early after ${epochs} (the training loss stopped improving; there was no validation set). ${saved}, with the best epoch's weights.${rmse}`;
    case 'cancelled':
      return o.modelId ? `Cancelled after ${epochs}. ${saved} as it was.${rmse}` : 'Cancelled before the first epoch ended; nothing was saved.';
    case 'diverged':
      return `The loss diverged (became NaN or exploded) after ${epochs}. ${saved}. Try a lower learning rate or gradient clipping.${rmse}`;
    case 'budget':
      return `Stopped at the time budget after ${epochs}. ${saved}.${rmse}`;
    default:
      return `Training ended (${o.status}) after ${epochs}. ${saved}.${rmse}`;
  }
}

/** "steering 0.061 / speed 1.2 / torque 0.11" of the last epoch, for the status line. */
export function lastEpochSummary(e: EpochEventLike | null): string {
  if (!e) return '';
  const r = e.valRmse ?? e.trainRmse;
  const on = e.valRmse ? 'val' : 'train';
  const base = (e.valRmse ? e.baselineRmse.val : null) ?? e.baselineRmse.train;
  // The speedometer baseline is a validation figure: not beside training RMSEs.
  const speed = formatVsSpeedometer(r.speed, e.valRmse ? e.speedometerRmse : undefined);
  return `Epoch ${e.epoch + 1} ${on} RMSE: steering ${formatVsBaseline(r.steering, base.steering)}, speed ${speed}, torque ${formatRmse(r.torque)}`;
}
