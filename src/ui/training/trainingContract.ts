// The shapes the Training panel exchanges with the app: what the steering worker sends and
// returns, restated as plain types because ui may not import src/model or workers/. Each is a
// supertype of the real one (contract.test.ts checks that at compile time), so the app passes
// the worker's values straight through. Data-layer types (clips, saved models, checkpoints) are
// imported from src/data, which ui may use.

import type { z } from 'zod';
import type { CheckpointInfo, ClipMeta, ModelMeta } from '../../data/index.ts';

export type NoticeKind = 'info' | 'ok' | 'warn' | 'error';

/** One number per head: steering (-1..1), speed (m/s), torque (-1..1). */
export interface HeadValuesLike {
  readonly steering: number;
  readonly speed: number;
  readonly torque: number;
}

/** src/model/train.ts StepProgress: one training step. */
export interface StepEventLike {
  readonly kind: 'step';
  /** 0-based. */
  readonly epoch: number;
  readonly epochs: number;
  /** 0-based within the epoch. */
  readonly batch: number;
  readonly batchesPerEpoch: number;
  /** Global step, 0-based. */
  readonly step: number;
  readonly examples: number;
  readonly examplesPerSecond: number;
  readonly etaSeconds: number;
  readonly learningRate: number;
  readonly loss: number;
  readonly rmse: HeadValuesLike;
  readonly baselineRmse: HeadValuesLike;
  readonly gradNorms: readonly { readonly layer: string; readonly norm: number }[];
  readonly globalGradNorm: number;
  readonly appliedGradNorm: number;
}

/** src/model/train.ts EpochProgress: after each epoch's validation. */
export interface EpochEventLike {
  readonly kind: 'epoch';
  /** 0-based. */
  readonly epoch: number;
  readonly epochs: number;
  readonly trainLoss: number;
  readonly trainRmse: HeadValuesLike;
  readonly valLoss: number | null;
  readonly valRmse: HeadValuesLike | null;
  readonly baselineRmse: { readonly train: HeadValuesLike; readonly val: HeadValuesLike | null };
  /** A model that reads the speed, with validation clips: the speed label's RMSE against the window's last measured speed ("hold the present speed"), m/s. */
  readonly speedometerRmse?: number;
  readonly examples: number;
  readonly seconds: number;
  readonly improved: boolean;
  readonly best: { readonly epoch: number; readonly loss: number } | null;
  readonly epochsWithoutImprovement: number;
}

/** workers/steeringApi.ts TrainEvent. */
export type TrainEventLike =
  | StepEventLike
  | EpochEventLike
  | { readonly kind: 'paused' }
  | { readonly kind: 'resumed' }
  | { readonly kind: 'backend'; readonly backend: string; readonly reason: string }
  | { readonly kind: 'preparing'; readonly message: string }
  | { readonly kind: 'workers'; readonly workers: 1 | 2 | null; readonly ratio: number | null; readonly reason: string }
  | { readonly kind: 'storage'; readonly reason: string };

/** workers/steeringApi.ts TrainRequest. */
export interface TrainRequestLike {
  name: string;
  config: unknown;
  trainClipIds: string[];
  valClipIds: string[];
  runId: string;
  resume?: boolean;
  fromModelId?: string;
  /** Stop (and save the best epoch) after this many seconds (Quick train). */
  budgetSeconds?: number;
  /** Clips created since then (ms since epoch) join at each epoch (training while recording). */
  followClipsSince?: number;
}

/** workers/steeringApi.ts TrainOutcome. */
export interface TrainOutcomeLike {
  /** 'completed' | 'early-stopped' | 'cancelled' | 'diverged' | 'budget' (stopped at a time budget, saved); others shown as they are. */
  readonly status: string;
  readonly modelId: string | null;
  readonly epochsDone: number;
  readonly backend: string;
  readonly rmse: HeadValuesLike | null;
  readonly baselineRmse: HeadValuesLike | null;
  /** A model that reads the speed, with validation clips: the speed RMSE of holding the present speed, m/s (the best epoch's). */
  readonly speedometerRmse?: number;
  /** The storage was full: the model is held in memory and saved once there is room. */
  readonly held?: boolean;
  /** A fine-tune with held-out clips: the base model alone on the same clips, before training. */
  readonly before?: { readonly rmse: HeadValuesLike; readonly baselineRmse: HeadValuesLike };
}

/** src/model/config.ts LayerDescription. */
export interface LayerDescriptionLike {
  readonly name: string;
  readonly kind: string;
  readonly outputShape: readonly number[];
  readonly params: number;
  readonly macsPerFrame: number;
}

/** src/model/config.ts ModelDescription. */
export interface ModelDescriptionLike {
  readonly kind: string;
  readonly window: number;
  readonly layers: readonly LayerDescriptionLike[];
  readonly params: { readonly encoder: number; readonly recurrent: number; readonly heads: number; readonly total: number };
  readonly macsPerFrame: { readonly encoder: number; readonly recurrent: number; readonly heads: number; readonly total: number };
  readonly naiveMacsPerFrame: number;
}

/** What deps.validate answers: the description, or the sentence naming the wrong field. */
export type ConfigCheck = { readonly ok: true; readonly description: ModelDescriptionLike } | { readonly ok: false; readonly message: string };

/** src/model/backendChoice.ts BackendScore. */
export interface BackendScoreLike {
  readonly backend: string;
  readonly ok: boolean;
  readonly error?: string;
  readonly inferMs?: number;
  readonly trainExamplesPerS?: number;
  readonly software?: boolean;
  readonly measureMs?: number;
}

/** src/model/backendChoice.ts Calibration. */
export interface CalibrationLike {
  readonly at?: number;
  readonly scores: readonly BackendScoreLike[];
  /** Best first. */
  readonly inference: readonly string[];
  readonly training: readonly string[];
}

/** workers/steeringApi.ts WorkerStatus, the part the panel shows. */
export interface BackendInfo {
  readonly backend: string | null;
  /** How it was chosen: 'forced' | 'calibrated' | 'cached' | 'default'. */
  readonly chosenBy?: string | null;
}

/** The clip fields the panel reads (a ClipMeta fits). */
export type ClipInfo = Pick<ClipMeta, 'id' | 'name' | 'trackId' | 'theme' | 'frameCount' | 'rateHz' | 'frameWidth' | 'frameHeight' | 'tag' | 'complete' | 'cameras'>;

/** The saved-model fields the panel reads (a ModelMeta fits). */
export type ModelInfo = Pick<ModelMeta, 'id' | 'name' | 'kind' | 'config' | 'metrics' | 'createdAt' | 'backend' | 'weightBytes'>;

export type CheckpointInfoLike = CheckpointInfo;

/** The part of the data layer's SettingsStore the panel uses (the app passes its store). */
export interface PanelSettings {
  get<T>(key: string, schema: z.ZodType<T>, fallback: T): Promise<T>;
  put(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
}

/** Everything the panel needs from the app; the app owns the worker and the modes. */
/** A saved model to fine-tune from: its id, name and config (its architecture). */
export interface QuickBase {
  readonly id: string;
  readonly name: string;
  readonly config: unknown;
}

export interface TrainingPanelDeps {
  /** The clip library (ClipStore.list()). */
  listClips(): Promise<readonly ClipInfo[]>;
  /** The model's default config (src/model DEFAULT_CONFIG), plain JSON. */
  readonly defaultConfig: unknown;
  /** Checks a config and describes the network it builds; may be async. */
  validate(config: unknown): ConfigCheck | Promise<ConfigCheck>;
  /**
   * Runs the worker's train(req, onEvent), feeding each event to the panel's onEvent, and
   * settles with the worker's outcome (rejects with the worker's error).
   */
  startTraining(req: TrainRequestLike): Promise<TrainOutcomeLike>;
  pause(): void | Promise<void>;
  resume(): void | Promise<void>;
  cancel(): void | Promise<void>;
  listModels(): Promise<readonly ModelInfo[]>;
  renameModel(id: string, name: string): Promise<unknown>;
  /** The player deletes a model: the app hides it at once and says so with Undo (no notice from the panel). */
  deleteModel(id: string): Promise<void>;
  /** Deletes at once, with no Undo: the partial model of a cancelled run the player chose to discard. */
  discardModel(id: string): Promise<void>;
  /** The model as a zip; the panel saves it as `<name>.deepsteer-model.zip`. */
  exportModel(id: string): Promise<Uint8Array>;
  importModel(bytes: Uint8Array): Promise<ModelInfo>;
  /** Training runs with a checkpoint (the worker's listCheckpoints). */
  listCheckpoints(): Promise<readonly CheckpointInfoLike[]>;
  /** Switch to autopilot driven by this model. */
  driveWith(modelId: string): void | Promise<void>;
  /**
   * The saved model Quick train fine-tunes (the starter: transfer learning from a net that
   * already drives), installed first if the library lacks it. Absent or null: Quick train
   * trains the default network from random weights.
   */
  quickBase?(): Promise<QuickBase | null>;
  /**
   * One round of DAgger: the model drives new generated tracks, the expert labels what it sees,
   * and a fine-tuned copy is saved (the app reports the round's autonomy). Absent: no button.
   */
  improveModel?(modelId: string): Promise<unknown>;
  /** Measures every backend on this model config (the worker's calibrate({ config })); takes seconds. */
  calibrate(config: unknown): Promise<CalibrationLike>;
  /** The cached calibration, if any (the worker's calibration()); shown before Calibrate is pressed. */
  lastCalibration?(): Promise<CalibrationLike | null>;
  /** Use this backend from now on ('auto': the calibrated choice); resolves with the new status. */
  forceBackend(name: string): Promise<BackendInfo | void> | void;
  /** Backends offered in the select; default webgpu, webgl, wasm, cpu. */
  readonly backends?: readonly string[];
  /** Where the panel keeps its draft (config, split) and each run's request, for resume after a reload. */
  readonly settings: PanelSettings;
  notify(text: string, kind: NoticeKind): void;
  /** ms since the epoch. */
  now(): number;
}
