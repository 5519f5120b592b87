// The steering worker's one API object: backend choice, training over stored clips (the run
// itself is workers/trainingRun.ts), the streaming predictor that drives the car, and the saved
// models. A plain object with injected stores, so it runs (and is tested) in Node;
// workers/steering.worker.ts only exposes it.
//
// Ownership: this object owns the worker's tfjs state: the model loaded for driving (disposed
// when replaced) and, through trainingRun.ts, the model being trained. Frames arrive as
// transferred buffers.

import * as Comlink from 'comlink';
import { z } from 'zod';
import type { CheckpointInfo, ClipStore, ModelMeta, ModelStore, SettingsStore } from '../src/data/index.ts';
import {
  type BackendScore,
  type Calibration,
  CALIBRATION_VERSION,
  calibrateBackends,
  deviceKey,
} from '../src/model/backendChoice.ts';
import {
  BACKEND_NAMES,
  type BackendName,
  createStreamingPredictor,
  describeModel,
  exportModelZip,
  importModelZip,
  initBackend,
  loadModel,
  type ModelDescription,
  normalizeSpeeds,
  parseModelConfig,
  type Predictor,
  type SteeringNet,
  type TargetNormalization,
  TrainingControl,
  tensorMemory,
  type TensorMemory,
  wasmTrainingThreads,
  DEFAULT_CONFIG,
  serveGradientPeer,
} from '../src/model/index.ts';
import type { DashCamera, DashScene } from '../src/render/dashCamera.ts';
import type { CarPose } from '../src/render/pose.ts';
import { createOverlayViews, type OverlayRequest, type OverlayViews, type StillFrame, type TimeGradSample } from './overlayApi.ts';
import { fromStored, toStored } from './storedModel.ts';
import { createQuotaGuard } from './trainingFailure.ts';
import { type PeerStarter, runTraining, type TrainEvent, type TrainingRunHost, type TrainOutcome, type TrainRequest } from './trainingRun.ts';

export interface SteeringApiDeps {
  clips: () => Promise<ClipStore>;
  models: () => Promise<ModelStore>;
  settings: () => Promise<SettingsStore>;
  /** ms since epoch. */
  now: () => number;
}

export interface WorkerStatus {
  backend: BackendName | null;
  /** How the backend was chosen. */
  chosenBy: 'forced' | 'calibrated' | 'cached' | 'default' | null;
  training: 'idle' | 'running' | 'paused';
  /** Threads the wasm backend trains on once it started in this worker (init's wasmThreads: 2 with our conv helper thread), else null. */
  wasmThreads: number | null;
  loadedModel: { id: string; name: string; kind: string; window: number; inputWidth: number; inputHeight: number } | null;
}

export type { TrainEvent, TrainOutcome, TrainRequest } from './trainingRun.ts';
export { fromStored, toStored } from './storedModel.ts';

export interface PredictResult {
  steering: number;
  speed: number;
  torque: number;
  warm: boolean;
  /** Worker-side milliseconds: preprocessing, CNN, recurrent part, total (render: the worker's own dash camera, predictPose). */
  ms: { preprocess: number; encode: number; recurrent: number; total: number; render?: number };
  backend: BackendName;
}

/** predictPose's answer: the prediction and, when asked for, the frame the worker rendered (transferred). */
export interface PosePredictResult extends PredictResult {
  frame?: Uint8Array;
}

/** setDashScene's answer: the worker renders the dash camera itself, or why it cannot. */
export type DashSceneResult = { ok: true; key: string; softwareGl: boolean } | { ok: false; reason: string };

const CALIBRATION_KEY = 'backend-calibration';

function isCalibration(v: unknown): v is Calibration {
  const c = v as Calibration;
  return typeof c === 'object' && c !== null && c.version === CALIBRATION_VERSION && Array.isArray(c.scores) && Array.isArray(c.inference) && Array.isArray(c.training);
}

export function createSteeringApi(deps: SteeringApiDeps) {
  let backend: BackendName | null = null;
  let chosenBy: WorkerStatus['chosenBy'] = null;
  /** Threads asked for the wasm backend (init); wasmTrainingThreads() says what it runs. */
  let wasmThreadsWanted = 1;
  let calibration: Calibration | null = null;
  let control: TrainingControl | null = null;
  const quota = createQuotaGuard(deps.models);
  let driving: { net: SteeringNet; normalization: TargetNormalization; predictor: Predictor; meta: WorkerStatus['loadedModel']; frame: { width: number; height: number } } | null = null;
  const overlays = createOverlayViews();
  /** The worker's own dash camera (setDashScene), and the buffer it renders into. */
  let dash: DashCamera | null = null;
  let dashFrame = new Uint8Array(0);
  const replaceDash = <T extends DashCamera | null>(next: T): T => {
    dash?.dispose();
    dash = next;
    return next;
  };

  async function useBackend(name: BackendName): Promise<void> {
    if (backend === name) return;
    await initBackend(name, { wasmThreads: wasmThreadsWanted });
    backend = name;
  }

  async function cachedCalibration(): Promise<Calibration | null> {
    const settings = await deps.settings();
    const v = await settings.get(CALIBRATION_KEY, z.unknown(), null);
    return isCalibration(v) && v.deviceKey === deviceKey() ? v : null;
  }

  /** Training backends in order of preference (calibrated when known). */
  function trainingOrder(): BackendName[] {
    const ranked = calibration?.training ?? [];
    const rest = (['wasm', 'webgl', 'webgpu', 'cpu'] as BackendName[]).filter((b) => !ranked.includes(b));
    return backend && chosenBy === 'forced' ? [backend, ...ranked.filter((b) => b !== backend), ...rest] : [...ranked, ...rest];
  }

  function disposeDriving(): void {
    driving?.predictor.dispose();
    driving?.net.dispose();
    driving = null;
  }

  const runHost: TrainingRunHost = {
    ...deps,
    quota,
    overlays,
    trainingOrder,
    useBackend,
    wasmThreads: wasmTrainingThreads,
    dropBackend: () => {
      backend = null;
    },
    startRun: () => (control = new TrainingControl()),
    endRun: () => {
      control = null;
    },
  };

  const api = {
    /**
     * Starts a backend: the forced one, else the cached calibration's best for `use`, else
     * wasm (measured fastest on CPU-only machines) until calibrate() runs. `wasmThreads`: XNNPACK
     * threads for this worker's wasm backend (default 1; more need a cross-origin isolated page,
     * and only the first start of wasm in this worker reads it: tfSetup.ts BackendOptions).
     */
    async init(opts: { backend?: BackendName | 'auto'; use?: 'inference' | 'training'; wasmThreads?: number } = {}): Promise<WorkerStatus> {
      const use = opts.use ?? 'inference';
      if (opts.wasmThreads !== undefined) wasmThreadsWanted = opts.wasmThreads;
      if (opts.backend && opts.backend !== 'auto') {
        if (!BACKEND_NAMES.includes(opts.backend)) throw new Error(`unknown backend '${opts.backend}'`);
        await useBackend(opts.backend);
        chosenBy = 'forced';
        return api.status();
      }
      calibration = await cachedCalibration();
      const order = calibration ? (use === 'inference' ? calibration.inference : calibration.training) : [];
      for (const b of [...order, 'wasm', 'cpu'] as BackendName[]) {
        try {
          await useBackend(b);
          chosenBy = calibration && order.includes(b) ? 'cached' : 'default';
          return api.status();
        } catch {
          // try the next
        }
      }
      throw new Error('no tfjs backend could start here');
    },

    /** Times the actual model on every backend, caches the ranking for this device. */
    async calibrate(opts: { config?: unknown; use?: 'inference' | 'training' } = {}): Promise<Calibration> {
      const config = parseModelConfig(opts.config ?? DEFAULT_CONFIG);
      calibration = await calibrateBackends({ config, now: deps.now });
      const settings = await deps.settings();
      await settings.put(CALIBRATION_KEY, calibration);
      const best = (opts.use ?? 'inference') === 'inference' ? calibration.inference : calibration.training;
      backend = null;
      if (best[0]) await useBackend(best[0]);
      chosenBy = 'calibrated';
      return calibration;
    },

    async calibration(): Promise<Calibration | null> {
      return calibration ?? (await cachedCalibration());
    },

    async status(): Promise<WorkerStatus> {
      return {
        backend,
        chosenBy,
        training: control ? (control.state === 'paused' ? 'paused' : 'running') : 'idle',
        wasmThreads: wasmTrainingThreads(),
        loadedModel: driving?.meta ?? null,
      };
    },

    describe(config: unknown): ModelDescription {
      return describeModel(parseModelConfig(config));
    },

    /**
     * Trains a model over stored clips and saves it (workers/trainingRun.ts). Checkpoints after
     * every epoch; if the backend fails mid-run it moves to the next one and continues from the
     * last checkpoint, telling the caller through onEvent. `startPeer`: a peer replica on demand (trainingRun.ts's PeerStarter).
     */
    async train(req: TrainRequest, onEvent: (e: TrainEvent) => void, startPeer?: PeerStarter): Promise<TrainOutcome> {
      if (control) throw new Error('a training run is already going');
      return runTraining(runHost, req, onEvent, startPeer);
    },

    /** Serves as the second replica of another worker's training run (its TrainRequest.peerPort) until that run closes the port. */
    async servePeer(port: MessagePort): Promise<void> {
      await serveGradientPeer(port, (name) => useBackend(name as BackendName)).done;
    },

    /** Saves the model a full storage refused (trainingFailure.ts); its id, null if none is held, throws while still full. */
    saveHeldModel: (): Promise<string | null> => quota.saveHeld(),
    exportHeldModel(): Uint8Array | null {
      const saved = quota.heldModel();
      return saved ? exportModelZip(saved) : null;
    },

    pause(): void {
      control?.pause();
    },
    resume(): void {
      control?.resume();
    },
    cancel(): void {
      control?.cancel();
    },

    async listModels(): Promise<ModelMeta[]> {
      return (await deps.models()).list();
    },
    async renameModel(id: string, name: string): Promise<ModelMeta> {
      return (await deps.models()).rename(id, name);
    },
    async deleteModel(id: string): Promise<void> {
      if (driving?.meta?.id === id) disposeDriving();
      await (await deps.models()).remove(id);
    },
    async listCheckpoints(): Promise<CheckpointInfo[]> {
      return (await deps.models()).listCheckpoints();
    },

    /** Loads a saved model for driving; frames will arrive at `frame` size (the dash camera's). */
    async loadModel(id: string, frame: { width: number; height: number }): Promise<NonNullable<WorkerStatus['loadedModel']>> {
      const stored = await (await deps.models()).load(id);
      const loaded = await loadModel(fromStored(stored.artifacts.topology, stored.artifacts.weightSpecs, stored.artifacts.weightData));
      disposeDriving();
      const cfg = loaded.net.config;
      const meta = {
        id,
        name: stored.meta.name,
        kind: cfg.sequence.kind,
        window: cfg.sequence.kind === 'cnn' ? 1 : cfg.sequence.window,
        inputWidth: cfg.input.width,
        inputHeight: cfg.input.height,
      };
      driving = { net: loaded.net, normalization: loaded.normalization, predictor: createStreamingPredictor({ net: loaded.net, normalization: loaded.normalization, frame }), meta, frame };
      return meta;
    },

    unloadModel(): void {
      disposeDriving();
    },

    /**
     * One dash frame (RGB, the loaded frame size) and the car's measured speed (m/s) -> controls.
     * The buffer is transferred in.
     */
    async predict(frame: Uint8Array, speed?: number): Promise<PredictResult> {
      if (!driving) throw new Error('no model is loaded for driving');
      const expected = driving.frame.width * driving.frame.height * 3;
      if (frame.length !== expected) throw new Error(`the frame has ${frame.length} bytes; the model was loaded for ${driving.frame.width}x${driving.frame.height} RGB (${expected})`);
      if (speed !== undefined && !Number.isFinite(speed)) throw new Error(`the speed must be a number of m/s, got ${speed}`);
      overlays.observe(frame, driving.net, driving.net.speedInput && speed !== undefined ? normalizeSpeeds([speed], driving.normalization)[0] : 0);
      const p = await driving.predictor.predict(frame, speed);
      return { steering: p.steering, speed: p.speed, torque: p.torque, warm: p.warm, ms: p.ms, backend: backend ?? 'cpu' };
    },

    /**
     * Gives the worker its own dash camera for a scene (null: none), so predictPose renders the
     * frame next to the model. Refused with a reason where the worker cannot draw (no
     * OffscreenCanvas or WebGL2 in workers): the page then keeps rendering the frames.
     */
    async setDashScene(scene: DashScene | null): Promise<DashSceneResult> {
      replaceDash(null);
      if (!scene) return { ok: false, reason: 'no scene' };
      try {
        const { createDashCamera } = await import('../src/render/dashCamera.ts');
        // Disposes one a later call set while this one loaded the module.
        const camera = replaceDash(createDashCamera(scene));
        dashFrame = new Uint8Array(scene.width * scene.height * 3);
        return { ok: true, key: camera.key, softwareGl: camera.softwareGl };
      } catch (e) {
        return { ok: false, reason: e instanceof Error ? e.message : String(e) };
      }
    },

    /**
     * predict() from a pose: the worker's dash camera renders the frame of `pose` (the exact pose
     * of a control tick), then the model predicts from it. `wantFrame` sends the frame back too
     * (transferred: the page shows it in the picture-in-picture). Throws while no scene is set or
     * its context is lost.
     */
    async predictPose(pose: CarPose, speed: number | undefined, wantFrame: boolean): Promise<PosePredictResult> {
      if (!dash) throw new Error('the worker has no dash camera (setDashScene)');
      const t0 = performance.now();
      const out = wantFrame ? new Uint8Array(dashFrame.length) : dashFrame;
      const frame = dash.render(pose, undefined, out);
      if (!frame) throw new Error('the worker\'s dash camera lost its GPU context');
      const render = performance.now() - t0;
      const p = await api.predict(frame, speed);
      const result: PosePredictResult = { ...p, ms: { ...p.ms, render } };
      if (!wantFrame) return result;
      result.frame = frame;
      return Comlink.transfer(result, [frame.buffer]);
    },

    resetPredictor(): void {
      driving?.predictor.reset();
      overlays.reset();
    },

    /** Saliency, feature maps and gate trace of the last predicted window (null before one), or of a `still` frame. */
    overlayViews(req: OverlayRequest, still?: StillFrame): Promise<OverlayViews | null> {
      return overlays.views(driving, req, still);
    },
    /** Gradient norms per time step, sampled during the current or last training run. */
    timeGradients(): TimeGradSample[] {
      return overlays.timeGradients();
    },

    async exportModel(id: string): Promise<Uint8Array> {
      const stored = await (await deps.models()).load(id);
      return exportModelZip(fromStored(stored.artifacts.topology, stored.artifacts.weightSpecs, stored.artifacts.weightData));
    },

    /** Imports a zip of TensorFlow.js files with deepsteer.json; validates it by loading it. */
    async importModel(bytes: Uint8Array): Promise<ModelMeta> {
      const saved = importModelZip(bytes);
      const loaded = await loadModel(saved); // proves the files fit together
      loaded.net.dispose();
      const models = await deps.models();
      const id = await models.save(toStored(saved, { clipIds: saved.manifest.metadata.clips.map((c) => c.id), createdAt: deps.now() }));
      return models.getMeta(id);
    },

    scores(): readonly BackendScore[] {
      return calibration?.scores ?? [];
    },

    /** Tensors this worker holds on its backend (leak checks; the bench's memory suite). */
    memory(): TensorMemory & { backend: BackendName | null } {
      return { ...tensorMemory(), backend };
    },
  };
  return api;
}

export type SteeringApi = ReturnType<typeof createSteeringApi>;
