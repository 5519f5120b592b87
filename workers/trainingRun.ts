// The training run: its contract with the app, what it asks (TrainRequest), what it hears while
// the run goes (TrainEvent, progress and backend and storage news) and what it gets at the end
// (TrainOutcome), and the run itself (runTraining, steeringApi.ts's train()): the fine-tune's
// base and its before-figure, one or two workers (trainingWorkers.ts; the peer started only
// when used), clips that join while it trains (followClipsSince), checkpoints, the next backend
// when one fails. Its failures are sorted in trainingFailure.ts.
//
// Ownership: the run creates and disposes its net (one per backend tried) and closes the peer's
// port at its end; the worker API keeps the backend and the run's control (TrainingRunHost).

import { GrowingClipSet } from '../src/data/growingClipSet.ts';
import type { ClipMeta, ClipStore, ModelStore, SettingsStore } from '../src/data/index.ts';
import { createGrowingBatchSource } from '../src/model/growingBatchSource.ts';
import {
  type BackendName,
  type ConfigOverrides,
  connectGradientPeer,
  createConfig,
  createDatasetBatchSource,
  createSteeringNet,
  type GradientPeer,
  loadModel,
  type ModelConfig,
  saveModel,
  savedModelConfig,
  type SteeringNet,
  type TargetNormalization,
  type TrainingCheckpoint,
  type TrainingControl,
  type TrainingEvent,
  trainingMetrics,
  type TrainingResult,
  trainModel,
} from '../src/model/index.ts';
import { trainerBackendKey } from '../src/model/workerChoice.ts';
import type { OverlayViewsState } from './overlayApi.ts';
import { fromStored, toStored } from './storedModel.ts';
import { classifyTrainingError, type createQuotaGuard, trainingDataError } from './trainingFailure.ts';
import { decideWorkers, type WorkersDecision } from './trainingWorkers.ts';

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
   * One end of a channel to a second worker already serving as the peer replica (its
   * servePeer()): every batch is split between the two (src/model/dataParallel.ts). Transferred.
   * The app passes a PeerStarter to train() instead, so no peer starts where none is used.
   * Neither: one worker.
   */
  peerPort?: MessagePort;
  /** With a peer: 'two' keeps it for every step (default); 'auto' keeps it only where measured faster (workers/trainingWorkers.ts). */
  peerMode?: 'auto' | 'two';
  /**
   * Streaming over a growing dataset (training while auto-record records): clips created at or
   * after this time (ms since epoch, the clips' createdAt) join the training clips at the next
   * epoch once complete (src/data/growingClipSet.ts); the validation clips stay valClipIds, and
   * clips tagged 'val' or of another frame size never join. Absent: the chosen clips only.
   */
  followClipsSince?: number;
}

/**
 * Starts a peer replica on demand (the app's trainingController.ts) and gives the trainer's end
 * of its channel, null if it cannot start. A run calls it at most once, and only when it will
 * train with the peer: 'two', a trial, or a cached verdict of two (a cached 'one' starts none).
 */
export type PeerStarter = () => Promise<MessagePort | null>;

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
  /** A model that reads the speed, with validation clips: the speed label's RMSE against the present speed (EpochSummary.speedometerRmse). */
  speedometerRmse?: number;
  /**
   * A fine-tune (fromModelId) with validation clips: the base model's validation RMSE before
   * training and the constant predictor's, on the same clips, so the two can be compared.
   */
  before?: { rmse: { steering: number; speed: number; torque: number }; baselineRmse: { steering: number; speed: number; torque: number } };
  /** The storage was full at the end: the model is held in memory until saveHeldModel() succeeds (or it is exported). */
  held?: boolean;
}

/** What a run needs from the worker API that holds it (steeringApi.ts). */
export interface TrainingRunHost {
  clips: () => Promise<ClipStore>;
  models: () => Promise<ModelStore>;
  settings: () => Promise<SettingsStore>;
  /** ms since epoch. */
  now: () => number;
  readonly quota: ReturnType<typeof createQuotaGuard>;
  readonly overlays: Pick<OverlayViewsState, 'watchTraining'>;
  /** Training backends in order of preference. */
  trainingOrder(): BackendName[];
  useBackend(name: BackendName): Promise<void>;
  /** The wasm backend's XNNPACK threads once it started here, else null. */
  wasmThreads(): number | null;
  /** That backend failed: the next useBackend starts one afresh. */
  dropBackend(): void;
  /** The run's control, once its clips are read (the worker's status says 'running' from then); endRun() at its end. */
  startRun(): TrainingControl;
  endRun(): void;
}

/**
 * Trains a model over stored clips and saves it. Checkpoints after every epoch; if the
 * backend fails mid-run (a lost GPU device included) it moves to the next one and continues
 * from the last checkpoint, telling the caller through onEvent.
 */
export async function runTraining(host: TrainingRunHost, req: TrainRequest, onEvent: (e: TrainEvent) => void, startPeer?: PeerStarter): Promise<TrainOutcome> {
  // A whole config, or overrides of the defaults (the same function validates both).
  const requested: ModelConfig = createConfig(req.config as ConfigOverrides);
  if (req.trainClipIds.length === 0) throw new Error('choose at least one clip to train on');
  const [clips, models] = await Promise.all([host.clips(), host.models()]);
  // A fine-tune keeps the saved model's net and data settings (its input, speed label,
  // sequence); only the request's training settings (epochs, learning rate, ...) apply.
  const base = req.fromModelId ? await models.load(req.fromModelId) : null;
  const baseSaved = base ? fromStored(base.artifacts.topology, base.artifacts.weightSpecs, base.artifacts.weightData) : null;
  const config: ModelConfig = baseSaved ? { ...savedModelConfig(baseSaved), training: requested.training } : requested;
  const order = host.trainingOrder();
  // A run that updates only part of the net (training.trainable: a head's small backward pass) trains on one worker.
  const alone = (config.training.trainable ?? 'all') !== 'all';
  const peers = peerSupply(req, startPeer, alone, (backend) => decideWorkers({
    mode: req.peerMode ?? 'two', settings: host.settings, backend: trainerBackendKey(backend, host.wasmThreads()), config, now: host.now,
  }));
  try {
    // The first backend's choice now, so a peer it keeps starts while the clips are read.
    if (order[0]) await peers.prepare(order[0]);
    return await trainOnBackends(host, req, onEvent, { config, order, baseSaved, models, clips, peers });
  } finally {
    peers.close();
  }
}

/** The run past its config: the clips, then each backend in turn until one trains. */
async function trainOnBackends(
  host: TrainingRunHost, req: TrainRequest, onEvent: (e: TrainEvent) => void,
  o: { config: ModelConfig; order: BackendName[]; baseSaved: ReturnType<typeof fromStored> | null; models: ModelStore; clips: ClipStore; peers: PeerSupply },
): Promise<TrainOutcome> {
  const { config, order, baseSaved, models, clips, peers } = o;
  onEvent({ kind: 'preparing', message: 'Reading clips' });
  const metas = await Promise.all([...req.trainClipIds, ...req.valClipIds].map((id) => clips.getMeta(id)));
  const sizes = new Set(metas.map((m) => `${m.frameWidth}x${m.frameHeight}`));
  if (sizes.size > 1) throw new Error(`the chosen clips have different frame sizes (${[...sizes].join(', ')}); train on clips of one size`);
  const since = req.followClipsSince;
  const growing = since === undefined
    ? null
    : await createGrowingBatchSource({
      source: clips, config,
      clips: new GrowingClipSet({ train: req.trainClipIds, val: req.valClipIds, frameWidth: metas[0].frameWidth, frameHeight: metas[0].frameHeight }),
      discover: async () => (await clips.list()).filter((m) => m.createdAt >= since),
      onOffer: (epoch, r) => {
        const refused = r.refused.length ? `; ${r.refused.length} left out (${[...new Set(r.refused.map((x) => x.why))].join(', ')})` : '';
        const n = r.joined.length;
        onEvent({ kind: 'preparing', message: `Epoch ${epoch + 1}: ${n} new clip${n === 1 ? ' joins' : 's join'} the training${refused}` });
      },
    });
  const train = growing ?? await createDatasetBatchSource({ source: clips, clipIds: req.trainClipIds, config, shuffle: true });
  /** The clips the saved model trained on (a growing set's as of its last epoch). */
  const trainedOn = (): Promise<ClipMeta[]> =>
    Promise.all([...(growing?.clipIds ?? req.trainClipIds), ...req.valClipIds].map(async (id) => metas.find((m) => m.id === id) ?? clips.getMeta(id)));
  const validation = req.valClipIds.length ? await createDatasetBatchSource({ source: clips, clipIds: req.valClipIds, config, shuffle: false }) : null;

  let resumeFrom: TrainingCheckpoint | null = null;
  if (req.resume) {
    const slot = await models.loadCheckpoint(req.runId);
    resumeFrom = (slot?.checkpoint as TrainingCheckpoint | undefined) ?? null;
  }
  let normalization: TargetNormalization | undefined;
  let attempt = 0;
  const ctl = host.startRun();
  let overBudget = false;
  const budget = req.budgetSeconds && req.budgetSeconds > 0
    ? setTimeout(() => {
      overBudget = true;
      ctl.cancel();
    }, req.budgetSeconds * 1000)
    : undefined;
  try {
    let lastFailure = '';
    host.quota.startRun();
    for (;;) {
      const name = order[attempt];
      if (!name) throw new Error(`every backend failed during training (last: ${lastFailure})`);
      let net: SteeringNet | null = null;
      const fromBase = attempt === 0 && baseSaved !== null && !resumeFrom;
      try {
        await host.useBackend(name);
        if (fromBase) {
          const loaded = await loadModel(baseSaved);
          net = loaded.net;
          normalization = loaded.normalization;
        } else {
          net = createSteeringNet(config);
        }
        const threads = name === 'wasm' ? host.wasmThreads() ?? 1 : 1;
        const on = threads > 1 ? `${name} (${threads} threads)` : name;
        const how = attempt === 0 ? `training on ${on}` : `continuing on ${on} from the last checkpoint`;
        // One or two workers: the setting's 'two', or in 'auto' this device's measured verdict (a trial if none).
        const workers = await peers.decide(name);
        // The peer starts only when this backend's choice uses it (a cached 'one' starts none).
        const peer = workers?.usePeer ? await peers.peer() : null;
        let peerLost = false;
        onEvent({ kind: 'backend', backend: name, reason: peer && !workers?.trial ? `${how} with two workers` : how });
        if (workers) onEvent({ kind: 'workers', ...workers.note });
        if (workers?.usePeer && !peer) onEvent({ kind: 'backend', backend: name, reason: 'the second training worker did not start; training on one worker' });
        const result = await trainModel({
          net,
          train,
          validation,
          control: ctl,
          resumeFrom,
          training: config.training,
          ...(normalization ? { normalization } : {}),
          validateFirst: fromBase, // the base model alone on the same held-out clips
          peer,
          peerTrial: workers?.trial,
          onPeerTrial: (r) => {
            const { saved, ...note } = workers!.settle(r);
            onEvent({ kind: 'workers', ...note });
            return saved;
          },
          onPeerLost: (reason) => {
            peerLost = true;
            peers.lost();
            onEvent({ kind: 'backend', backend: name, reason: `two-worker training failed (${reason}); training on one worker` });
          },
          onProgress: host.overlays.watchTraining(net, train, onEvent),
          onCheckpoint: async (cp) => {
            resumeFrom = cp; // kept in memory whether or not the store takes it
            await host.quota.checkpoint(req.runId, cp, host.now(), (reason) => onEvent({ kind: 'storage', reason }));
          },
        });
        // The run ended before its trial decided: the verdict of the steps it had, or why none (workerChoice.ts).
        if (workers?.trial && peer && !peerLost && !workers.trial.done) {
          const { saved, ...note } = workers.conclude(workers.trial);
          onEvent({ kind: 'workers', ...note });
          await saved;
        }
        let modelId: string | null = null;
        // A run that diverged before any good epoch has nothing worth keeping (NaN weights).
        const worthSaving = result.status === 'diverged' ? result.best !== null : result.status !== 'cancelled' || result.epochsDone > 0 || overBudget;
        // The speedometer baseline depends on the validation clips alone, so any epoch's is the saved epoch's.
        const speedometerRmse = result.history.find((h) => h.speedometerRmse !== undefined)?.speedometerRmse;
        if (worthSaving) {
          const usedClips = await trainedOn();
          const saved = await saveModel(net, {
            normalization: result.normalization,
            metadata: {
              name: req.name,
              createdAt: host.now(),
              clips: usedClips.map((m) => ({ id: m.id, name: m.name })),
              metrics: { ...trainingMetrics(result), ...(speedometerRmse !== undefined ? { speedometerRmse } : {}) },
              backend: name,
            },
          });
          const stored = toStored(saved, { clipIds: usedClips.map((m) => m.id), createdAt: host.now() });
          modelId = await host.quota.saveModel(saved, stored, req.runId, (reason) => onEvent({ kind: 'storage', reason }));
        }
        const best = result.best ? result.history[result.best.epoch] ?? result.history[result.history.length - 1] : result.history[result.history.length - 1];
        return {
          status: overBudget ? 'budget' : result.status,
          modelId,
          epochsDone: result.epochsDone,
          backend: name,
          rmse: best ? (best.valRmse ?? best.trainRmse) : null,
          baselineRmse: best ? (best.baselineRmse.val ?? best.baselineRmse.train) : null,
          ...(best?.speedometerRmse !== undefined ? { speedometerRmse: best.speedometerRmse } : {}),
          ...(result.before ? { before: { rmse: result.before.rmse, baselineRmse: result.before.baseline } } : {}),
          ...(worthSaving && modelId === null ? { held: true } : {}),
        };
      } catch (e) {
        if (ctl.state === 'cancelled') throw e;
        // Only a failing backend is worth another backend: bad data or a full disk would fail the same way there.
        const kind = classifyTrainingError(e);
        if (kind === 'data') throw trainingDataError(e, metas, config);
        if (kind === 'quota') throw e;
        lastFailure = `${name}: ${(e as Error).message}`;
        onEvent({ kind: 'backend', backend: name, reason: `${name} failed (${(e as Error).message}); trying the next backend` });
        attempt++;
        host.dropBackend();
      } finally {
        net?.dispose();
      }
    }
  } finally {
    clearTimeout(budget);
    host.endRun();
  }
}

/** The run's peer replica: the choice per backend, and the peer started (once) when a choice keeps it. */
interface PeerSupply {
  /** Decides for the run's first backend and, if that keeps the peer, starts it without waiting. */
  prepare(backend: string): Promise<void>;
  /** The choice for a backend (null: the run has no peer to offer, or trains alone: `alone`). */
  decide(backend: string): Promise<WorkersDecision | null>;
  /** The peer, started on first call; null if it did not start or was lost. */
  peer(): Promise<GradientPeer | null>;
  /** The peer failed mid-run: later backends train alone. */
  lost(): void;
  /** Ends the conversation with the peer (a peer still starting is closed when it comes). */
  close(): void;
}

function peerSupply(req: TrainRequest, startPeer: PeerStarter | undefined, alone: boolean, decideFor: (backend: string) => Promise<WorkersDecision>): PeerSupply {
  const offered = !alone && (req.peerPort !== undefined || startPeer !== undefined);
  const decisions = new Map<string, Promise<WorkersDecision>>();
  let link: Promise<GradientPeer | null> | null = null;
  let gone = false;
  const decide = (backend: string): Promise<WorkersDecision> | null => {
    if (!offered || gone) return null;
    let d = decisions.get(backend);
    if (!d) decisions.set(backend, (d = decideFor(backend)));
    return d;
  };
  const peer = (): Promise<GradientPeer | null> => {
    if (gone) return Promise.resolve(null);
    link ??= (req.peerPort ? Promise.resolve(req.peerPort) : (startPeer?.() ?? Promise.resolve(null)))
      .catch(() => null)
      .then((port) => (port ? connectGradientPeer(port) : null));
    return link;
  };
  return {
    async prepare(backend) {
      // A failure here fails the run's own decision later, where a backend failure is handled.
      if ((await decide(backend)?.catch(() => null))?.usePeer) void peer();
    },
    async decide(backend) {
      return decide(backend);
    },
    peer,
    lost() {
      gone = true;
    },
    close() {
      gone = true;
      // A peer the caller started (peerPort) is told the run is over even when it was not used.
      if (!link && req.peerPort) link = Promise.resolve(connectGradientPeer(req.peerPort));
      void link?.then((p) => p?.close());
    },
  };
}
