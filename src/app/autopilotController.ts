// Wires the autopilot to the world: the steering worker (started on demand, restarted if it
// dies while the car brakes to a stop), the model it drives with, the control ticks of real-time
// and lockstep modes, takeovers (with optional recording of the corrections as clips) and the
// figures the HUD shows. The app owns one of these.
// Hand-back rule: a takeover that ends with the car off the road does not give the model the car
// on the grass: it goes back onto the centreline and counts as an intervention. Ticks off the
// road do not count as engaged time, so the autonomy figure never rises while the car is off it.
// A car the model holds at a standstill (STALL_S with a prediction in hand) is an intervention too.

import type { ClipStore } from '../data/index.ts';
import { CENTER_CAMERA } from '../data/index.ts';
import type { HumanSample } from '../input/humanInput.ts';
import { autonomyPct } from '../scoring/rules.ts';
import { carSpeed } from '../sim/car.ts';
import { TICK_HZ } from '../sim/constants.ts';
import type { World } from '../sim/world.ts';
import type { ModelMeta } from '../data/index.ts';
import type { PosePredictResult, WorkerStatus } from '../../workers/steeringApi.ts';
import { poseOfCar } from '../render/pose.ts';
import type { Learner } from './autoRecord.ts';
import { Autopilot, modelTorque, STALL_S, STALL_SPEED, type AutopilotOptions } from './autopilot.ts';
import { LatencyProbe } from './latencyProbe.ts';
import { PredictDeadline } from './predictDeadline.ts';
import { type ActiveRecording, startRecording } from './recorder.ts';
import type { Session } from './session.ts';
import { startSteeringWorker, type SteeringWorker, transferBytes } from './steeringClient.ts';
import { type DashSceneParts, type DashSource, WorkerDash } from './workerDash.ts';

export interface AutopilotHost {
  session: Session;
  /** The dash frame of a world's tick (shared with the recorder and the PiP); the renderer owns the buffer. */
  dashFrame(world: World): Uint8Array | null;
  dashSize(): { width: number; height: number };
  notify(text: string, kind?: 'info' | 'ok' | 'warn' | 'error'): void;
  store: Promise<ClipStore | null>;
  theme(): string;
  now(): number;
  /** Forced backend from the URL or settings, or 'auto'. */
  backend(): NonNullable<WorkerStatus['backend']> | 'auto';
  /**
   * What the page's dash camera draws now (null: no renderer), for the worker's own dash camera:
   * the live objects, cheap to ask for at every control tick.
   */
  dashScene?(): DashSceneParts | null;
  /** A real-time frame the worker rendered (when asked for: wantsWorkerFrames), for the picture-in-picture. */
  showWorkerFrame?(frame: Uint8Array): void;
  wantsWorkerFrames?(): boolean;
}

/**
 * Real time: how long the main loop holds the step after a control tick for the prediction of
 * that tick's frame, ms. A later answer is applied when it comes; the car drives on the previous
 * one meanwhile, so a slow machine still drives worse rather than slower.
 */
export const REALTIME_WAIT_MS = 25;

export class AutopilotController {
  readonly autopilot: Autopilot;
  worker: SteeringWorker | null = null;
  status: WorkerStatus | null = null;
  model: { id: string; name: string; window: number; inputWidth: number; inputHeight: number } | null = null;
  /** True while the worker is being (re)started: the car brakes. */
  private workerDown = false;
  /** How long a prediction may take before the worker counts as dead (follows the answers). */
  private readonly deadline = new PredictDeadline();
  private inFlight = false;
  /** The prediction in flight (real time): the tick its frame shows, and its answer (settles either way). */
  private pending: { tick: number; answered: boolean; answer: Promise<void> } | null = null;
  /** Real time: the hold of gate(), ms (0: never hold, the answer waits for the next frame). */
  realtimeWaitMs = REALTIME_WAIT_MS;
  /**
   * Real time: render each control tick's frame in the driving worker, next to the model (the
   * default), off the page's main thread (on software GL the latency measured the same); false
   * keeps it on the page. The page renders it anyway until the worker's camera is ready, and
   * from then on if it cannot be.
   */
  workerDash = true;
  /** The worker's dash camera: the scene it was given and whether it draws. */
  readonly dash: WorkerDash;
  private engaged = false;
  recordTakeovers = false;
  private takeoverRec: ActiveRecording | null = null;
  private starting: Promise<SteeringWorker> | null = null;
  /** Engaged ticks spent off the road (left out of the autonomy figure's elapsed time). */
  private offRoadTicks = 0;
  /** Ticks in a row the model has held the car below STALL_SPEED; whether this engagement said so yet. */
  private stalledTicks = 0;
  private stallSaid = false;

  /** Frame-to-control bookkeeping of real-time driving (latencyProbe.ts); reset on engage. */
  probe: LatencyProbe;

  constructor(private readonly host: AutopilotHost, opts: Partial<AutopilotOptions> = {}) {
    this.autopilot = new Autopilot(opts);
    this.dash = new WorkerDash((text) => host.notify(text, 'info'));
    this.probe = new LatencyProbe(this.autopilot.every);
  }

  get isEngaged(): boolean {
    return this.engaged;
  }

  /** The worker, started (and its backend chosen) on first use. */
  ensureWorker(): Promise<SteeringWorker> {
    if (this.worker && !this.worker.dead) return Promise.resolve(this.worker);
    this.starting ??= (async () => {
      const w = startSteeringWorker();
      w.onDeath((reason) => void this.onWorkerDeath(reason));
      this.status = await w.api.init({ backend: this.host.backend(), use: 'inference' });
      this.worker = w;
      return w;
    })().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async onWorkerDeath(reason: string): Promise<void> {
    if (reason === 'stopped') return;
    this.worker = null;
    this.dash.forget();
    this.workerDown = true;
    this.inFlight = false;
    this.host.notify(`${reason}. The car is braking while a new worker starts.`, 'warn');
    try {
      await this.ensureWorker();
      if (this.model) await this.loadModel(this.model.id);
      this.host.notify('The steering worker is back; the model drives again.', 'ok');
    } catch (e) {
      this.host.notify(`The steering worker could not restart: ${(e as Error).message}`, 'error');
    } finally {
      this.workerDown = false;
    }
  }

  /**
   * Loads a saved model for driving. Refuses a model whose input does not fit the dash camera
   * (another aspect ratio, or more pixels than the camera gives) with a message.
   */
  async loadModel(id: string): Promise<void> {
    const w = await this.ensureWorker();
    const metas: ModelMeta[] = await w.api.listModels();
    const meta = metas.find((m) => m.id === id);
    if (!meta) throw new Error('that model is not in the library');
    const shape = meta.inputShape;
    const [h, wd] = shape.length === 4 ? [shape[1], shape[2]] : [shape[0], shape[1]];
    const dash = this.host.dashSize();
    const aspectModel = wd / h;
    const aspectDash = dash.width / dash.height;
    if (Math.abs(aspectModel / aspectDash - 1) > 0.06 || wd > dash.width || h > dash.height) {
      throw new Error(`"${meta.name}" reads ${wd}x${h} frames, which the ${dash.width}x${dash.height} dash camera cannot give without distorting them. Set the dash camera to a size of the same shape (Settings), or train a model on this camera's clips.`);
    }
    const loaded = await w.api.loadModel(id, dash);
    this.deadline.loaded();
    this.model = loaded;
    this.autopilot.latest = null;
    this.status = await w.api.status();
  }

  /** Hands the wheel to the model. False (with a notice) when no model is loaded. */
  engage(): boolean {
    if (!this.model) {
      this.host.notify('No model to drive with yet: train one (Train) or pick one in the Training panel.', 'warn');
      return false;
    }
    this.engaged = true;
    this.autopilot.resetStats();
    this.probe = new LatencyProbe(this.autopilot.every);
    this.offRoadTicks = 0;
    this.stalledTicks = 0;
    this.stallSaid = false;
    this.inFlight = false;
    void this.worker?.api.resetPredictor();
    return true;
  }

  disengage(): void {
    this.engaged = false;
    void this.endTakeoverRecording();
  }

  /** Where this control tick's frame is rendered (workerDash.ts). */
  dashSource(): DashSource {
    const w = this.worker;
    if (!w || !this.workerDash) return 'page';
    return this.dash.source(this.host.dashScene?.() ?? null, (scene) => w.api.setDashScene(scene));
  }

  /** Whether the frames of the real-time autopilot are rendered in the worker now (the page need not render them for the PiP). */
  get framesFromWorker(): boolean {
    return this.workerDash && this.engaged && this.autopilot.opts.timing === 'realtime' && !this.autopilot.humanHasWheel && this.dash.ready;
  }

  /**
   * Sends the frame of this control tick to the worker, if none is in flight (real time). With the
   * worker's own dash camera only the tick's pose goes (capture = posting it; the worker renders
   * the frame and predicts); a frame it could not render sends the next ones through the page.
   */
  private requestPrediction(world: World): void {
    if (this.inFlight || !this.worker || this.workerDown) return;
    const w = this.worker;
    const tick = world.tick;
    const probe = this.probe;
    const scene = this.dashSource() === 'worker' ? this.dash.current : null;
    const captureStart = performance.now();
    let call: Promise<PosePredictResult>;
    if (scene) {
      call = w.api.predictPose(poseOfCar(world.car), carSpeed(world.car), this.host.wantsWorkerFrames?.() ?? false);
    } else {
      const frame = this.host.dashFrame(world);
      if (!frame) return;
      // The renderer reuses its buffer; the copy moves to the worker.
      call = w.api.predict(transferBytes(frame.slice()), carSpeed(world.car));
    }
    const sent = performance.now();
    probe.captured(tick, captureStart, scene ? captureStart : sent);
    probe.sent(tick, sent);
    this.inFlight = true;
    const pending = { tick, answered: false, answer: Promise.resolve() };
    this.pending = pending;
    pending.answer = w.within(this.deadline.ms, call)
      .then((p: PosePredictResult) => {
        const back = performance.now();
        this.deadline.answered(back - sent);
        probe.ready(tick, back, p.ms.total + (p.ms.render ?? 0));
        this.autopilot.receive(p, tick, back - sent, this.host.session.world.tick);
        if (this.status) this.status = { ...this.status, backend: p.backend };
        if (p.frame) this.host.showWorkerFrame?.(p.frame);
      })
      .catch((e: Error) => {
        if (/did not answer/.test(e.message)) {
          w.terminate();
          void this.onWorkerDeath(e.message);
        } else if (scene) {
          this.dash.failFrame(scene, e.message);
        }
      })
      .finally(() => {
        this.inFlight = false;
        pending.answered = true;
      });
  }

  /**
   * For the main loop, before each tick (loop.ts `gate`): while the model drives in real time and
   * the prediction of this very tick's frame is in flight, a promise that settles when it is back
   * or after realtimeWaitMs, so the next step uses it; otherwise null.
   */
  gate(): Promise<void> | null {
    const p = this.pending;
    if (!p || p.answered || this.realtimeWaitMs <= 0 || !this.engaged || this.autopilot.humanHasWheel) return null;
    if (this.autopilot.opts.timing !== 'realtime' || p.tick !== this.host.session.world.tick) return null;
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.realtimeWaitMs);
      void p.answer.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Waits for the prediction of this tick's frame (lockstep). */
  private async predictNow(world: World): Promise<void> {
    const w = await this.ensureWorker();
    const frame = this.host.dashFrame(world);
    if (!frame) return;
    const sent = performance.now();
    const p = await w.within(this.deadline.ms, w.api.predict(transferBytes(frame.slice()), carSpeed(world.car)));
    this.deadline.answered(performance.now() - sent);
    this.autopilot.receive(p, world.tick, performance.now() - sent, world.tick);
  }

  /**
   * One simulation tick under the autopilot: arbitration between the human and the model,
   * interventions, leaving the road. `sample` is the human's input this tick.
   */
  tick(sample: HumanSample): void {
    const s = this.host.session;
    const humanHadWheel = this.autopilot.humanHasWheel;
    const arb = this.autopilot.arbitrate(sample.takeover);
    if (arb.intervention) {
      s.markIntervention();
      if (this.recordTakeovers) void this.beginTakeoverRecording();
    }
    if (!arb.human && this.takeoverRec) void this.endTakeoverRecording();
    if (humanHadWheel && !arb.human && s.world.offRoad) {
      // Handed back off the road: the model never starts on the grass. Back onto the centreline,
      // counted as the intervention it is.
      this.interveneAndReset();
    }
    s.driver = arb.human ? 'human' : 'autopilot';
    const modelControls = this.workerDown ? { steer: 0, torque: -1 } : this.autopilot.modelControls(s.world);
    if (!arb.human && this.autopilot.opts.timing === 'realtime') this.probe.applied(s.world.tick, this.workerDown ? null : (this.autopilot.latest?.tick ?? null), performance.now());
    s.tick({ human: sample.controls, autopilot: modelControls });
    this.takeoverRec?.afterTick(s.world, 'takeover');
    if (s.world.offRoad) this.offRoadTicks++;
    // Standing still under the model, with its answer in hand and the worker up: a driver would
    // take over. Counted once per STALL_S, with a reset onto the centreline as for leaving the
    // road (the replay's rule: an intervention while the model drives comes with a reset).
    const holding = !arb.human && !this.workerDown && this.autopilot.latest !== null && carSpeed(s.world.car) < STALL_SPEED;
    this.stalledTicks = holding ? this.stalledTicks + 1 : 0;
    if (this.stalledTicks >= STALL_S * TICK_HZ) {
      this.stalledTicks = 0;
      this.interveneAndReset();
      if (!this.stallSaid) this.host.notify(`The model held the car still for ${STALL_S} s: counted as an intervention (and again every ${STALL_S} s it stays).`, 'warn');
      this.stallSaid = true;
    }
    if (s.world.offRoad && !arb.human && !s.prev.offRoad) {
      // Off the road under the model: an intervention, and back onto the centreline.
      this.interveneAndReset();
    }
    if (this.autopilot.opts.timing === 'realtime' && this.autopilot.isControlTick(s.world)) this.requestPrediction(s.world);
  }

  /**
   * An intervention by rule (off the road under the model, handed back off it, held still): counted,
   * marked in the replay, the car back onto the centreline and the predictor's window cleared.
   */
  private interveneAndReset(): void {
    const s = this.host.session;
    this.autopilot.ruleIntervention();
    s.markIntervention();
    s.requestReset();
    void this.worker?.api.resetPredictor();
  }

  /**
   * Lockstep: predicts from the current frame, then runs the ticks until the next control
   * tick with it. `humanSample` gives the human's input per tick.
   */
  async lockstepControlTick(humanSample: () => HumanSample): Promise<void> {
    const s = this.host.session;
    if (!this.workerDown) {
      try {
        await this.predictNow(s.world);
      } catch (e) {
        const w = this.worker;
        if (w && !w.dead) {
          w.terminate();
          void this.onWorkerDeath((e as Error).message);
        }
      }
    }
    const every = this.autopilot.every;
    do this.tick(humanSample());
    while (s.world.tick % every !== 0);
  }

  private async beginTakeoverRecording(): Promise<void> {
    const st = await this.host.store;
    const dash = this.host.dashSize();
    if (!st || this.takeoverRec) return;
    try {
      this.takeoverRec = await startRecording(this.host.session.world, {
        store: st,
        render: (w) => this.host.dashFrame(w) ?? new Uint8Array(dash.width * dash.height * 3),
        rateHz: this.autopilot.opts.rateHz,
        frameWidth: dash.width,
        frameHeight: dash.height,
        cameras: [CENTER_CAMERA],
        name: `Takeover on ${this.host.session.track.name}`,
        theme: this.host.theme(),
        now: () => this.host.now(),
      });
    } catch (e) {
      this.host.notify(`Could not record the takeover: ${(e as Error).message}`, 'warn');
    }
  }

  private async endTakeoverRecording(): Promise<void> {
    const rec = this.takeoverRec;
    this.takeoverRec = null;
    if (!rec) return;
    if (rec.frames < 5) {
      await rec.discard();
      return;
    }
    const meta = await rec.finish();
    this.host.notify(`Takeover saved as a clip (${meta.frameCount} frames) for the next training round.`, 'ok');
  }

  /** Engaged ticks on the road: the elapsed time the autonomy figure is measured over. */
  get onRoadTicks(): number {
    return Math.max(0, this.autopilot.stats.engagedTicks - this.offRoadTicks);
  }

  /** Autonomy so far, 0..1 (interventions against on-road engaged time). */
  get autonomy(): number {
    return autonomyPct(this.autopilot.stats.interventions, this.onRoadTicks / TICK_HZ) / 100;
  }

  /** What the HUD shows while the model drives. */
  hudInfo(): { latencyMs: number; rateHz: number; backend: string; autonomy: number; interventions: number; model: string | null } | null {
    if (!this.engaged) return null;
    const st = this.autopilot.stats;
    const elapsed = this.onRoadTicks / TICK_HZ;
    return {
      latencyMs: st.latencyMs,
      rateHz: st.rateHz,
      backend: this.status?.backend ?? '…',
      autonomy: autonomyPct(st.interventions, elapsed) / 100,
      // The governor is an assist the model does not have: say so wherever the model is named.
      model: this.model ? `${this.model.name}${this.autopilot.opts.governor ? ' + speed governor' : ''}` : null,
      interventions: st.interventions,
    };
  }

  /**
   * A learner for DAgger rollouts: loads the saved model and drives from each frame (steering and
   * speed), awaiting every prediction (lockstep). The autopilot stays disengaged meanwhile.
   */
  async learner(modelId: string): Promise<Learner> {
    await this.loadModel(modelId);
    const w = this.worker!;
    return {
      reset: async () => {
        await w.api.resetPredictor();
      },
      drive: async (frame, speed) => {
        const sent = performance.now();
        const p = await w.within(this.deadline.ms, w.api.predict(transferBytes(frame.slice()), speed));
        this.deadline.answered(performance.now() - sent);
        return { steering: p.steering, speed: p.speed, torque: p.torque };
      },
      throttle: (out, speed) => modelTorque(out, speed, this.autopilot.opts),
    };
  }

  dispose(): void {
    void this.endTakeoverRecording();
    this.worker?.terminate();
    this.worker = null;
  }
}
