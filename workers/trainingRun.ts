// The training run's contract with the app: what it asks (TrainRequest), what it hears while
// the run goes (TrainEvent, progress and backend and storage news) and what it gets at the end
// (TrainOutcome). The run itself is steeringApi.ts's train(); its failures are sorted in
// trainingFailure.ts.

import type { BackendName, TrainingEvent, TrainingResult } from '../src/model/index.ts';

export interface TrainRequest {
  /** Name of the model saved at the end. */
  name: string;
  /** A model config (validated here). */
  config: unknown;
  trainClipIds: string[];
  valClipIds: string[];
  /** Identifies the run for its checkpoint slot (a reloaded tab resumes it). */
  runId: string;
  /** Resume from the run's checkpoint if there is one. */
  resume?: boolean;
  /** Start from a saved model's weights (fine-tuning on new clips, e.g. takeovers). */
  fromModelId?: string;
  /** Stop after this many seconds of training and save what was learned (the closed-loop benchmark's budget). */
  budgetSeconds?: number;
  /**
   * One end of a channel to a second worker serving as the peer replica (its servePeer()): every
   * batch is split between the two (src/model/dataParallel.ts). Transferred. Absent: one worker.
   */
  peerPort?: MessagePort;
  /** With a peer: 'two' keeps it for every step (default); 'auto' keeps it only where measured faster (workers/trainingWorkers.ts). */
  peerMode?: 'auto' | 'two';
}

export type TrainEvent =
  | TrainingEvent
  | { kind: 'backend'; backend: BackendName; reason: string }
  | { kind: 'preparing'; message: string }
  /** One or two workers (null: being timed) and two's measured speed over one's (null: not measured). */
  | { kind: 'workers'; workers: 1 | 2 | null; ratio: number | null; reason: string }
  /** The storage is full: a checkpoint or the model could not be saved (the weights stay in memory). */
  | { kind: 'storage'; reason: string };

export interface TrainOutcome {
  /** 'budget': stopped at budgetSeconds, and saved. */
  status: TrainingResult['status'] | 'budget';
  modelId: string | null;
  epochsDone: number;
  backend: BackendName;
  /** Validation (else training) RMSE per head of the saved weights, and the constant predictor's. */
  rmse: { steering: number; speed: number; torque: number } | null;
  baselineRmse: { steering: number; speed: number; torque: number } | null;
  /**
   * A fine-tune (fromModelId) with validation clips: the base model's validation RMSE before
   * training and the constant predictor's, on the same clips, so the two can be compared.
   */
  before?: { rmse: { steering: number; speed: number; torque: number }; baselineRmse: { steering: number; speed: number; torque: number } };
  /** The storage was full at the end: the model is held in memory until saveHeldModel() succeeds (or it is exported). */
  held?: boolean;
}
