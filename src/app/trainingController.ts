// Training runs in its own instance of the steering worker, on the backend ranked best for
// training, so the car can keep driving (on the inference worker) while a model trains. Progress
// comes back through a comlink-proxied callback. Also the door to the model library.
// With two training workers ('two', or 'auto' where the device has 2+ hardware threads: the worker
// then keeps the peer only where this device measured two faster), a third instance starts as
// the peer replica when the run asks for it (its PeerStarter: 'two', a trial, or a cached verdict
// of two; a cached 'one' starts none): the two talk over a MessageChannel of their own, each
// computing half of every batch (src/model/dataParallel.ts); if the peer cannot start or dies,
// the run goes on in the one worker. The peer is stopped when the run ends.

import * as Comlink from 'comlink';
import type { ModelMeta } from '../data/index.ts';
import type { TrainEvent, TrainOutcome, TrainRequest, WorkerStatus } from '../../workers/steeringApi.ts';
import { defaultTabLocks, TRAINING_LOCK } from '../data/tabLocks.ts';
import type { Calibration } from '../model/backendChoice.ts';
import { downloadBytes } from '../ui/dom.ts';
import type { Shell } from '../ui/shell.ts';
import { startSteeringWorker, type SteeringWorker, transferBytes } from './steeringClient.ts';

type BackendChoice = NonNullable<WorkerStatus['backend']> | 'auto';
const tabLocks = defaultTabLocks();
/** How often a model the full storage refused is offered to the store again, ms. */
const HELD_RETRY_MS = 15_000;

export class TrainingController {
  private worker: SteeringWorker | null = null;
  private starting: Promise<SteeringWorker> | null = null;
  running = false;
  status: WorkerStatus | null = null;
  private listeners: ((e: TrainEvent) => void)[] = [];
  private heldTimer: ReturnType<typeof setTimeout> | undefined;
  /** The worker holds a trained model the full storage refused: it must not be restarted. */
  private holding = false;
  private readonly tabId = Math.random().toString(36).slice(2);
  /** A held model (storage was full) reached the store: its id. */
  onHeldSaved: (modelId: string) => void = () => {};
  /** A run ended with its model held in memory (storage full). */
  onHeld: () => void = () => {};

  constructor(
    private readonly backend: () => BackendChoice,
    private readonly onCrash: (reason: string) => void,
    /** Workers a run trains on: 'two' splits every batch between two; 'auto' starts the peer and lets the worker keep the faster (workers/trainingWorkers.ts). */
    private readonly workers: () => 'one' | 'auto' | 'two' = () => 'one',
    /** XNNPACK threads the training worker's wasm asks for (the app: the device's hardware threads; used where the page is cross-origin isolated). */
    private readonly wasmThreads = 1,
  ) {}

  ensureWorker(): Promise<SteeringWorker> {
    if (this.worker && !this.worker.dead) return Promise.resolve(this.worker);
    this.starting ??= (async () => {
      const w = startSteeringWorker();
      w.onDeath((reason) => {
        if (reason === 'stopped') return;
        this.worker = null;
        this.running = false;
        this.onCrash(reason);
      });
      this.status = await w.api.init({ backend: this.backend(), use: 'training', wasmThreads: this.wasmThreads });
      this.worker = w;
      return w;
    })().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  /** Everyone who wants training events (the panel, the HUD, the test hook). */
  onEvent(cb: (e: TrainEvent) => void): () => void {
    this.listeners.push(cb);
    return () => this.listeners.splice(this.listeners.indexOf(cb), 1);
  }

  async train(req: TrainRequest): Promise<TrainOutcome> {
    if (this.running) throw new Error('a model is already training');
    const w = await this.ensureWorker();
    this.running = true;
    // Other tabs see that this one trains (src/app/elsewhere.ts); the name is this tab's own, so nobody waits on it.
    const release = await tabLocks.hold(`${TRAINING_LOCK}${this.tabId}`);
    const mode = this.workers();
    // The peer worker, once the run asks for it; none after the run ended.
    const run: { peer: { worker: SteeringWorker; port: MessagePort } | null; ended: boolean; asked: boolean } = { peer: null, ended: false, asked: false };
    const startPeerOnce = async (): Promise<MessagePort | null> => {
      if (run.ended || run.asked) return null;
      run.asked = true;
      run.peer = startPeer();
      return run.peer ? Comlink.transfer(run.peer.port, [run.peer.port]) : null;
    };
    try {
      const onEvent = Comlink.proxy((e: TrainEvent) => {
        if (e.kind === 'backend' && this.status) this.status = { ...this.status, backend: e.backend };
        for (const l of [...this.listeners]) l(e);
      });
      const out = mode === 'one'
        ? await w.api.train(req, onEvent)
        : await w.api.train({ ...req, peerMode: mode }, onEvent, Comlink.proxy(startPeerOnce));
      this.status = await w.api.status();
      if (out.held) {
        this.holding = true;
        this.scheduleHeldRetry();
        this.onHeld();
      }
      return out;
    } finally {
      run.ended = true;
      run.peer?.worker.terminate();
      release();
      this.running = false;
    }
  }

  /** Offers the held model to the store now (space was freed); true once it is saved or none is held. */
  async retryHeld(): Promise<boolean> {
    const w = this.worker;
    if (!w || w.dead) return true;
    try {
      const id = await w.api.saveHeldModel();
      if (id) this.onHeldSaved(id);
      this.holding = false;
      clearTimeout(this.heldTimer);
      return true;
    } catch {
      return false; // still full
    }
  }

  private scheduleHeldRetry(): void {
    clearTimeout(this.heldTimer);
    this.heldTimer = setTimeout(() => {
      void this.retryHeld().then((done) => {
        if (!done) this.scheduleHeldRetry();
      });
    }, HELD_RETRY_MS);
  }

  /** The held model as a model zip, or null (the way out when no space can be freed). */
  async exportHeld(): Promise<Uint8Array | null> {
    return this.worker && !this.worker.dead ? this.worker.api.exportHeldModel() : null;
  }

  async pause(): Promise<void> {
    await this.worker?.api.pause();
  }
  async resume(): Promise<void> {
    await this.worker?.api.resume();
  }
  async cancel(): Promise<void> {
    await this.worker?.api.cancel();
  }

  async calibrate(config?: unknown): Promise<Calibration> {
    if (this.running) throw new Error('wait for training to finish before measuring backends');
    const w = await this.ensureWorker();
    const c = await w.api.calibrate({ config, use: 'training' });
    this.status = await w.api.status();
    return c;
  }

  async listModels(): Promise<ModelMeta[]> {
    return (await this.ensureWorker()).api.listModels();
  }
  async renameModel(id: string, name: string): Promise<ModelMeta> {
    return (await this.ensureWorker()).api.renameModel(id, name);
  }
  async deleteModel(id: string): Promise<void> {
    return (await this.ensureWorker()).api.deleteModel(id);
  }
  async exportModel(id: string): Promise<Uint8Array> {
    return (await this.ensureWorker()).api.exportModel(id);
  }
  async importModel(bytes: Uint8Array): Promise<ModelMeta> {
    return (await this.ensureWorker()).api.importModel(transferBytes(bytes));
  }
  async listCheckpoints(): Promise<{ runId: string; savedAt: number }[]> {
    return (await this.ensureWorker()).api.listCheckpoints();
  }
  async lastCalibration(): Promise<Calibration | null> {
    return (await this.ensureWorker()).api.calibration();
  }
  /** Starts over on the backend choice of the moment (after a forced change); not while training. */
  restart(): void {
    if (this.running || this.holding) return;
    this.dispose();
  }
  async describe(config: unknown): Promise<unknown> {
    return (await this.ensureWorker()).api.describe(config);
  }

  dispose(): void {
    clearTimeout(this.heldTimer);
    this.worker?.terminate();
    this.worker = null;
  }
}

/**
 * A steering worker serving as the peer replica, and the trainer's end of the channel to it;
 * null if it cannot start (the run then trains on one worker).
 */
function startPeer(): { worker: SteeringWorker; port: MessagePort } | null {
  try {
    const worker = startSteeringWorker();
    const { port1, port2 } = new MessageChannel();
    // Resolves when the trainer closes the channel; a failure reaches the trainer as a silent or erring peer.
    worker.api.servePeer(Comlink.transfer(port2, [port2])).catch(() => undefined);
    return { worker, port: port1 };
  } catch {
    return null;
  }
}

/**
 * The app's notices about training: a backend that failed or full storage; a trained model held in
 * memory while the storage is full (with an Export button), and saved once there is room.
 */
export function noticeTraining(training: TrainingController, shell: Pick<Shell, 'notify'>, saved: () => void): void {
  training.onEvent((e) => {
    if ((e.kind === 'backend' && /failed/.test(e.reason)) || e.kind === 'storage') shell.notify(`Training: ${e.reason}.`, 'warn');
  });
  training.onHeld = () =>
    shell.notify('The storage is full: the trained model is kept in memory and saved as soon as there is room. Delete clips or models, or export it now.', 'warn', 30_000, {
      label: 'Export',
      run: () => void training.exportHeld().then((bytes) => bytes && downloadBytes(bytes, 'deepsteer-model.zip')),
    });
  training.onHeldSaved = () => {
    shell.notify('The trained model kept in memory is saved now that there is room.', 'ok');
    saved();
  };
}
