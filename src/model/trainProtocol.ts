// What the training loop (train.ts) takes and reports: its options, the progress events the UI
// plots, the checkpoint a reloaded tab resumes from, the result, and the cooperative control
// (pause, resume, cancel) the trainer looks at between steps. Plain data: no tensors here.

import type { BatchSource } from './batchSource.ts';
import type { HeadValues, ModelConfig } from './config.ts';
import type { GradientPeer } from './dataParallel.ts';
import type { TrialResult, WorkerTrial } from './workerChoice.ts';
import type { SteeringNet } from './factory.ts';
import type { OptimizerState } from './optimizers.ts';
import type { TargetNormalization } from './preprocess.ts';
import type { WeightBlob } from './weightBlob.ts';

export type TrainingStatus = 'completed' | 'early-stopped' | 'cancelled' | 'diverged';

export interface LayerGradNorm {
  /** The tfjs layer name: conv1.., hidden1.., embedding, rnn, steering, speed, torque. */
  readonly layer: string;
  /** L2 norm of all this layer's gradients, before clipping. */
  readonly norm: number;
}

export interface StepProgress {
  readonly kind: 'step';
  /** 0-based. */
  readonly epoch: number;
  readonly epochs: number;
  /** 0-based within the epoch. */
  readonly batch: number;
  /** Estimated from the examples per batch seen so far. */
  readonly batchesPerEpoch: number;
  /** Global step, 0-based. */
  readonly step: number;
  readonly examples: number;
  /** Over this session's active (unpaused) time. */
  readonly examplesPerSecond: number;
  /** Until the last epoch's last step (validation not included). */
  readonly etaSeconds: number;
  readonly learningRate: number;
  /** The weighted loss this step minimised (normalised units). */
  readonly loss: number;
  /** This batch's RMSE per head, real units (steering -1..1, speed m/s, torque -1..1). */
  readonly rmse: HeadValues;
  /** RMSE of always predicting the training mean, over the training set: the bar to beat. */
  readonly baselineRmse: HeadValues;
  readonly gradNorms: readonly LayerGradNorm[];
  /** Global L2 norm of all gradients before clipping, and of what the optimiser applied. */
  readonly globalGradNorm: number;
  readonly appliedGradNorm: number;
}

export interface EpochSummary {
  readonly epoch: number;
  readonly learningRate: number;
  readonly trainLoss: number;
  readonly trainRmse: HeadValues;
  readonly valLoss: number | null;
  readonly valRmse: HeadValues | null;
  /** RMSE of always predicting the mean of the training targets, on the training and validation sets. */
  readonly baselineRmse: { readonly train: HeadValues; readonly val: HeadValues | null };
  /**
   * For a model that reads the speed, on the validation set: RMSE of predicting the speed label
   * with the window's last measured speed ("hold the present speed"), m/s. The constant
   * predictor ignores the speedometer the model is fed; this bar does not.
   */
  readonly speedometerRmse?: number;
  readonly examples: number;
  readonly seconds: number;
  /** The monitored loss (validation, else training) beat the best by more than minDelta. */
  readonly improved: boolean;
}

export interface EpochProgress extends EpochSummary {
  readonly kind: 'epoch';
  readonly epochs: number;
  readonly best: BestEpoch | null;
  readonly epochsWithoutImprovement: number;
}

export type TrainingEvent = StepProgress | EpochProgress | { readonly kind: 'paused' } | { readonly kind: 'resumed' };

export interface BestEpoch {
  readonly epoch: number;
  readonly loss: number;
}

/** Everything needed to continue training after a reload; plain data for the data layer to store. */
export interface TrainingCheckpoint {
  readonly format: 'deepsteer-checkpoint';
  readonly version: 1;
  readonly config: ModelConfig;
  readonly normalization: TargetNormalization;
  readonly epochsDone: number;
  readonly step: number;
  readonly weights: WeightBlob;
  readonly bestWeights: WeightBlob | null;
  readonly optimizer: OptimizerState;
  readonly history: readonly EpochSummary[];
  readonly best: BestEpoch | null;
  readonly epochsWithoutImprovement: number;
}

export type ControlState = 'running' | 'paused' | 'cancelled';

/** Cooperative pause, resume and cancel: the trainer looks at it between steps. */
export class TrainingControl {
  #state: ControlState = 'running';
  #wake: (() => void)[] = [];

  get state(): ControlState {
    return this.#state;
  }

  pause(): void {
    if (this.#state === 'running') this.#state = 'paused';
  }

  resume(): void {
    if (this.#state !== 'paused') return;
    this.#state = 'running';
    this.#wakeAll();
  }

  /** Final: the trainer stops before its next step and returns status 'cancelled'. */
  cancel(): void {
    this.#state = 'cancelled';
    this.#wakeAll();
  }

  /** Resolves once the state is not 'paused'. */
  untilNotPaused(): Promise<void> {
    if (this.#state !== 'paused') return Promise.resolve();
    return new Promise((resolve) => this.#wake.push(resolve));
  }

  #wakeAll(): void {
    const wake = this.#wake;
    this.#wake = [];
    for (const w of wake) w();
  }
}

export interface TrainOptions {
  readonly net: SteeringNet;
  readonly train: BatchSource;
  readonly validation?: BatchSource | null;
  /** Default: computed from train.targets(). A resumed run takes the checkpoint's. */
  readonly normalization?: TargetNormalization;
  readonly control?: TrainingControl;
  readonly onProgress?: (event: TrainingEvent) => void;
  /** After every epoch; training waits for it (so a slow store cannot pile up checkpoints). */
  readonly onCheckpoint?: (checkpoint: TrainingCheckpoint) => void | Promise<void>;
  readonly resumeFrom?: TrainingCheckpoint | null;
  /**
   * This run's training settings (epochs, optimiser, schedule, early stopping, ...); default the
   * net's own. A fine-tune of a saved model passes the request's: the net keeps its config.
   */
  readonly training?: ModelConfig['training'];
  /** Milliseconds; default performance.now. */
  readonly clock?: () => number;
  /** Runs between steps so pause/cancel messages get through; default a 0 ms timeout. */
  readonly yieldToEventLoop?: () => Promise<void>;
  /** A second worker's replica that computes half of every batch's gradient (dataParallel.ts); absent: one worker. */
  readonly peer?: GradientPeer | null;
  /** The peer failed to start or answer: the run goes on alone from the same step. */
  readonly onPeerLost?: (reason: string) => void;
  /**
   * With a peer: times the first steps with and without it (workerChoice.ts) and drops the peer
   * if one worker is not faster by the trial's margin. Absent: the peer takes every step.
   */
  readonly peerTrial?: WorkerTrial | null;
  /** The trial decided (the run goes on with the side it kept). */
  readonly onPeerTrial?: (result: TrialResult) => void;
  /**
   * Validate the net as given, before the first step (a fine-tune's base model on the same
   * held-out clips as the result): the result's `before`. Needs a validation set; not on resume.
   */
  readonly validateFirst?: boolean;
}

export interface TrainingResult {
  readonly status: TrainingStatus;
  readonly epochsDone: number;
  readonly steps: number;
  readonly history: readonly EpochSummary[];
  readonly best: BestEpoch | null;
  readonly normalization: TargetNormalization;
  /** The weights were put back to the best epoch's (config.training.earlyStopping.restoreBest). */
  readonly restoredBest: boolean;
  /** With `validateFirst`: the net's validation RMSE before training, and the constant predictor's. */
  readonly before?: { readonly rmse: HeadValues; readonly baseline: HeadValues } | null;
}
