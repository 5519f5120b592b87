// A small, typed hook on window for end-to-end tests and benchmarks (e2e and bench builds only):
// pause, step ticks fast, choose who drives, pick a track, and read the state. Tests still
// press real keys and click real buttons; the hook only controls time and seeds.

import { fromBase64, toBase64 } from '../core/base64.ts';
import { KMH_PER_MS } from '../core/units.ts';
import { carSpeed } from '../sim/car.ts';
import { hashWorld } from '../sim/world.ts';
import type { ClipMeta, ModelMeta } from '../data/index.ts';
import type { TrainOutcome, TrainRequest } from '../../workers/steeringApi.ts';
import type { OverlayRequest } from '../../workers/overlayApi.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { curvatureAhead } from '../sim/track.ts';
import { autonomyPct } from '../scoring/rules.ts';
import type { App } from './app.ts';
import { startSteeringWorker } from './steeringClient.ts';
import type { AutoRecordPlan, StartMode } from './autoRecord.ts';
import { overlapDepsOf, type OverlapStop, recordAndTrain } from './overlapTraining.ts';
import { improveRound } from './improve.ts';
import type { DriverKind } from './session.ts';
import { CENTER_CAMERA, NUMERIC_LABEL_FIELDS } from '../data/index.ts';
import type { Meters, Radians } from '../core/units.ts';
import type { ControlRecord, LatencySummary, Violation } from './latencyProbe.ts';
import { REALTIME_WAIT_MS } from './autopilotController.ts';
import type { SpeedControl, ThrottleSource } from './autopilot.ts';
import { type DashHooks, dashHooks } from './testHookDash.ts';
import type { Trainable } from '../model/config.ts';

export interface TestState {
  tick: number;
  trackId: string;
  x: number;
  y: number;
  heading: number;
  speedKmh: number;
  steer: number;
  offRoad: boolean;
  lapNumber: number;
  laps: { ticks: number; sectorTicks: number[]; offRoadTicks: number }[];
  mode: string;
  paused: boolean;
  fps: number;
  hash: string;
  /** The ghost being raced: its label and how far into its lap it is (ticks). */
  ghost: { label: string; ticksIntoLap: number } | null;
}

export interface TestHook extends DashHooks {
  state(): TestState;
  pause(paused: boolean): void;
  /** Runs n ticks now (the loop's own pace is unaffected). */
  step(n: number): void;
  /** Steps until `laps` laps are complete or maxTicks pass; returns the laps. */
  runLaps(laps: number, maxTicks?: number): TestState['laps'];
  setDriver(d: DriverKind): void;
  setTrack(id: string): void;
  /** Auto-records with the expert (defaults: 10 s on the current track, day, 200x66 at 20 Hz). */
  autoRecord(plan?: Partial<AutoRecordPlan> & { sideCameras?: { lateralM: number; yawRad: number } }): Promise<{ clips: ClipMeta[]; ms: number }>;
  /**
   * Auto-records and trains at once (overlapTraining.ts): training starts once a held-out clip and
   * a training clip are recorded, later clips join at each epoch, every 6th clip is held out;
   * stopped by `stop`. Times are ms from the start of recording.
   */
  recordAndTrain(plan: Partial<AutoRecordPlan> & { sideCameras?: { lateralM: number; yawRad: number } }, train: Partial<TrainRequest> & { stop: OverlapStop }): Promise<{
    clips: ClipMeta[]; outcome: TrainOutcome | null; examplesPerSecond: number; recordMs: number; trainStartMs: number | null; trainEndMs: number;
    startedWhileRecording: boolean; trainClipIds: string[]; valClipIds: string[]; heldOut: string[]; messages: string[];
  }>;
  /**
   * A saved model's validation RMSE on clips, and the constant predictor's: what a fine-tune from it
   * measures before its first step (TrainOutcome.before), in a one-epoch run on `trainClipId` whose model is discarded.
   */
  evaluateModel(modelId: string, valClipIds: string[], trainClipId: string): Promise<{ rmse: { steering: number; speed: number; torque: number }; baselineRmse: { steering: number; speed: number; torque: number } }>;
  clips(): Promise<ClipMeta[]>;
  /** SHA-256 of a clip's frames (every camera) and numeric labels, to compare round trips. */
  clipDigest(id: string): Promise<{ frames: string; labels: string; count: number }>;
  /** Trains in the worker as the Train mode does: the outcome, wall ms, the last examples/s (step time only), the workers' decisions in order, ms to the first step, each epoch's examples and seconds. */
  train(req: Partial<TrainRequest> & { trainClipIds: string[] }): Promise<TrainOutcome & { ms: number; examplesPerSecond: number; workers: string[]; firstStepMs: number | null; epochs: { examples: number; seconds: number }[] }>;
  models(): Promise<ModelMeta[]>;
  /** Imports a model zip given as base64 (e.g. the starter model). */
  importModel(base64: string): Promise<ModelMeta>;
  exportModel(id: string): Promise<string>;
  /**
   * Drives `laps` laps on a track with a model in lockstep, as fast as predictions come (no
   * pacing), then disengages. Returns the laps and the autonomy figures.
   */
  driveModel(opts: { modelId: string; trackId: string; theme?: string; laps: number; maxSeconds?: number; throttle?: ThrottleSource; governor?: boolean; trace?: boolean; speedControl?: SpeedControl }): Promise<{
    laps: TestState['laps'];
    interventions: number;
    autonomyPct: number;
    engagedS: number;
    wallMs: number;
    latencyMs: number;
    /** Where each intervention happened: tick, speed (m/s), curvature ahead (1/m), lateral (m). */
    events: { tick: number; speed: number; curvature: number; lateral: number; s: number }[];
    /** With `trace`: every control tick, [tick, s (m), speed (m/s), predicted speed, predicted steering, torque applied]. */
    trace?: number[][];
  }>;
  /**
   * One DAgger round (src/app/improve.ts): the model drives the tracks in lockstep, the expert
   * labels, the model is fine-tuned on the aggregate; returns the rollout's autonomy and the new model.
   */
  improve(req: {
    modelId: string; round: number; trackIds: string[]; themes: string[]; minutes: number;
    trainClipIds: string[]; valClipIds: string[]; budgetSeconds?: number; epochs?: number; pace?: number; start?: StartMode;
    /** The rollouts' throttle source (the app's setting otherwise). */
    throttle?: ThrottleSource; learningRate?: number; trainable?: Trainable;
  }): Promise<{ rollout: { interventions: number; seconds: number; autonomyPct: number }; clipIds: string[]; trainClipIds: string[]; outcome: TrainOutcome; ms: number }>;
  /**
   * Engages the autopilot (current model, real time) and returns whether it took the wheel.
   * `realtimeWaitMs`: how long the step after a control tick waits for its prediction (0: not at all).
   */
  /** `workerDash: false`: the page renders the real-time frames (as before the worker's own dash camera). */
  engageAutopilot(timing?: 'realtime' | 'lockstep', opts?: { realtimeWaitMs?: number; workerDash?: boolean }): Promise<boolean>;
  /**
   * Loads a saved model in a fresh worker forced to `backend` and predicts `frames` synthetic
   * frames (the same on every backend); returns the predictions, for parity checks.
   */
  predictOn(backend: 'cpu' | 'wasm' | 'webgl' | 'webgpu', modelId: string, frames: number): Promise<{ steering: number; speed: number; torque: number; backend: string }[]>;
  /**
   * The same fresh worker forced to `backend`: after `frames` synthetic frames, each overlay
   * request in turn, each followed by one more prediction (a backend whose reads broke fails
   * there); the views as plain arrays (`still`: of the last frame as a recorded frame).
   */
  overlaysOn(backend: 'cpu' | 'wasm' | 'webgl' | 'webgpu', modelId: string, frames: number, requests: (OverlayRequest & { still?: boolean })[]): Promise<{
    backend: string;
    views: ({ saliency: { method: string; shared: boolean; values: number[] } | null; layers: { layer: string; pixels: number[] }[]; gates: { kind: string; steps: number; series: Record<string, number[]>; outputs: number[] } | null } | null)[];
    /** The prediction after each request. */
    after: { steering: number; speed: number; torque: number }[];
  }>;
  autopilotStats(): { engaged: boolean; interventions: number; engagedTicks: number; latencyMs: number; humanHasWheel: boolean };
  /**
   * The live-latency probe of the real-time autopilot since it was last engaged (latencyProbe.ts):
   * the summary, the first violations and, with `records`, every control tick's record; `reset`
   * starts a new measurement after reading (e.g. after a warm-up).
   */
  latencyProbe(opts?: { records?: boolean; reset?: boolean }): { summary: LatencySummary; violations: readonly Violation[]; records?: ControlRecord[] };
  /** Sets the main view's drawing-buffer pixels per CSS pixel; returns the scene canvas's drawing-buffer size. */
  setPixelRatio(ratio: number): { width: number; height: number };
  /** Changes a setting as the Settings panel does (e.g. trainingWorkers 'one', so a benchmark's training does not depend on a speed trial). */
  updateSetting(key: string, value: number | string | boolean): void;
}


declare global {
  interface Window {
    __deepsteer?: TestHook;
  }
}

/** The dash camera's frame size, and a synthetic frame of it (the same on every backend). */
const DASH = { width: 200, height: 66 };
function syntheticDash(f: number): Uint8Array {
  const frame = new Uint8Array(DASH.width * DASH.height * 3);
  for (let i = 0; i < frame.length; i++) frame[i] = (i * 7 + f * 31 + (i % 200) * 3) & 255;
  return frame;
}

export function installTestHook(app: App): TestHook {
  const state = (): TestState => {
    const w = app.session.world;
    return {
      tick: w.tick,
      trackId: w.track.id,
      x: w.car.x,
      y: w.car.y,
      heading: w.car.heading,
      speedKmh: carSpeed(w.car) * KMH_PER_MS,
      steer: w.applied.steer,
      offRoad: w.offRoad,
      lapNumber: w.laps.completed.length + (w.laps.lapStartTick >= 0 ? 1 : 0),
      laps: w.laps.completed.map((l) => ({ ticks: l.ticks, sectorTicks: [...l.sectorTicks], offRoadTicks: l.offRoadTicks })),
      mode: app.mode,
      paused: app.loop.paused,
      fps: app.fps,
      hash: hashWorld(w),
      ghost: app.ghost ? { label: app.ghost.label, ticksIntoLap: app.ghost.world.tick - app.ghost.lapStart } : null,
    };
  };
  /** A hook's auto-record plan: its overrides over 10 s on the current track, day, 200x66 at 20 Hz. */
  const planOf = (plan: Partial<AutoRecordPlan> & { sideCameras?: { lateralM: number; yawRad: number } }): AutoRecordPlan => {
    const { sideCameras: side, ...rest } = plan;
    return {
      minutes: 10 / 60,
      trackIds: [app.session.track.id],
      themes: ['day'],
      steerNoise: 0.05,
      weaveRate: 0.1,
      cameras: side
        ? [CENTER_CAMERA, { id: 'left', lateralM: side.lateralM as Meters, yawRad: side.yawRad as Radians }, { id: 'right', lateralM: -side.lateralM as Meters, yawRad: -side.yawRad as Radians }]
        : [CENTER_CAMERA],
      rateHz: 20,
      frameWidth: 200,
      frameHeight: 66,
      seed: 1,
      ...rest,
    };
  };
  const hook: TestHook = {
    ...dashHooks(app),
    state,
    pause: (p) => app.loop.setPaused(p),
    step: (n) => app.loop.runTicks(n),
    runLaps(laps, maxTicks = 60 * 60 * 10) {
      const start = app.session.world.tick;
      while (app.session.world.laps.completed.length < laps && app.session.world.tick - start < maxTicks) app.loop.runTicks(60);
      return state().laps;
    },
    setDriver: (d) => {
      app.session.driver = d;
    },
    setTrack: (id) => app.setTrack(id),
    async autoRecord(plan = {}) {
      const t0 = performance.now();
      const r = await app.runAutoRecord(planOf(plan));
      if (r.error) throw r.error;
      return { clips: r.clips, ms: performance.now() - t0 };
    },
    async recordAndTrain(plan, { stop, ...req }) {
      let rate = 0;
      const messages: string[] = [];
      const off = app.training.onEvent((e) => {
        if (e.kind === 'step') rate = e.examplesPerSecond;
        if (e.kind === 'preparing') messages.push(e.message);
      });
      // As train() does: the game stands still (auto-record pauses it too, and gives back this state).
      const wasPaused = app.loop.paused;
      app.loop.setPaused(true);
      try {
        const r = await recordAndTrain(overlapDepsOf(app, {
          plan: planOf(plan),
          request: { name: 'test model', config: {}, runId: `test-${Date.now()}`, ...req },
          train: (t) => app.training.train(t),
          onNote: (t) => messages.push(t),
        }), stop);
        if (r.record.error) throw r.record.error;
        return {
          clips: r.record.clips, outcome: r.outcome, examplesPerSecond: rate, recordMs: r.recordEndMs, trainStartMs: r.trainStartMs, trainEndMs: r.trainEndMs,
          startedWhileRecording: r.startedWhileRecording, trainClipIds: [...r.trainClipIds], valClipIds: [...r.valClipIds], heldOut: [...r.heldOut], messages,
        };
      } finally {
        off();
        app.loop.setPaused(wasPaused);
      }
    },
    async evaluateModel(modelId, valClipIds, trainClipId) {
      const out = await app.training.train({ name: 'evaluation', config: { training: { epochs: 1 } }, fromModelId: modelId, trainClipIds: [trainClipId], valClipIds, runId: `eval-${Date.now()}` });
      if (out.modelId) await app.training.deleteModel(out.modelId);
      if (!out.before) throw new Error('the evaluation run measured nothing before training');
      return out.before;
    },
    async clips() {
      const st = await app.store;
      return st ? st.list() : [];
    },
    async clipDigest(id) {
      const st = await app.store;
      if (!st) throw new Error('no store');
      const meta = await st.getMeta(id);
      const hex = async (b: BufferSource) => [...new Uint8Array(await crypto.subtle.digest('SHA-256', b))].map((x) => x.toString(16).padStart(2, '0')).join('');
      const parts: Uint8Array[] = [];
      for (const cam of meta.cameras) parts.push(await st.readFrames(id, { start: 0, end: meta.frameCount, camera: cam.id }));
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        all.set(p, o);
        o += p.length;
      }
      const labels = await st.labels(id);
      const cols = NUMERIC_LABEL_FIELDS;
      const lab = new Float64Array(cols.length * labels.count);
      cols.forEach((c, i) => lab.set(labels[c], i * labels.count));
      return { frames: await hex(all), labels: await hex(lab), count: meta.frameCount };
    },
    async train(req) {
      const t0 = performance.now();
      let rate = 0;
      let firstStepMs: number | null = null;
      const workers: string[] = [];
      const epochs: { examples: number; seconds: number }[] = [];
      const off = app.training.onEvent((e) => {
        if (e.kind === 'step') {
          rate = e.examplesPerSecond;
          firstStepMs ??= performance.now() - t0;
        }
        if (e.kind === 'epoch') epochs.push({ examples: e.examples, seconds: e.seconds });
        if (e.kind === 'workers') workers.push(`${e.workers ?? '?'}: ${e.reason}`);
      });
      // As the Train mode does: the game stands still while the worker trains.
      const wasPaused = app.loop.paused;
      app.loop.setPaused(true);
      try {
        const out = await app.training.train({
          name: 'test model',
          config: req.config ?? {},
          valClipIds: [],
          runId: `test-${Date.now()}`,
          ...req,
        });
        return { ...out, ms: performance.now() - t0, examplesPerSecond: rate, workers, firstStepMs, epochs };
      } finally {
        off();
        app.loop.setPaused(wasPaused);
      }
    },
    models: () => app.training.listModels(),
    importModel: (b64) => app.training.importModel(fromBase64(b64)),
    async exportModel(id) {
      return toBase64(await app.training.exportModel(id));
    },
    async driveModel(opts) {
      const ap = app.autopilot;
      app.loop.setPaused(true);
      app.setTrack(opts.trackId);
      if (opts.theme) app.setTheme(opts.theme as Parameters<App['setTheme']>[0]);
      await ap.loadModel(opts.modelId);
      ap.autopilot.opts = {
        ...ap.autopilot.opts,
        timing: 'lockstep',
        ...(opts.throttle ? { throttle: opts.throttle } : {}),
        ...(opts.governor !== undefined ? { governor: opts.governor } : {}),
        ...(opts.speedControl ? { speedControl: opts.speedControl } : {}),
      };
      const s = app.session;
      s.restart(resolveTrack(opts.trackId));
      if (!ap.engage()) throw new Error('the autopilot would not engage');
      const t0 = performance.now();
      const maxTicks = (opts.maxSeconds ?? 600) * 60;
      const idle = { controls: { steer: 0, torque: 0 }, activity: 0, takeover: false, device: null };
      const events: { tick: number; speed: number; curvature: number; lateral: number; s: number }[] = [];
      const trace: number[][] = [];
      try {
        while (s.world.laps.completed.length < opts.laps && s.world.tick < maxTicks) {
          const before = ap.autopilot.stats.interventions;
          const w = s.world;
          await ap.lockstepControlTick(() => idle as never);
          if (ap.autopilot.stats.interventions > before) {
            events.push({ tick: w.tick, speed: carSpeed(w.car), curvature: curvatureAhead(w.track, w.trackPos.s, 20), lateral: w.trackPos.lateral, s: w.trackPos.s });
          }
          const p = ap.autopilot.latest;
          if (opts.trace && p) trace.push([s.world.tick, s.world.trackPos.s, carSpeed(s.world.car), p.speed, p.steering, s.world.applied.torque]);
        }
      } finally {
        ap.disengage();
        s.driver = 'human';
      }
      const st = ap.autopilot.stats;
      const engagedS = st.engagedTicks / 60;
      return {
        laps: state().laps,
        interventions: st.interventions,
        autonomyPct: autonomyPct(st.interventions, engagedS),
        engagedS,
        wallMs: performance.now() - t0,
        latencyMs: st.latencyMs,
        events,
        ...(opts.trace ? { trace } : {}),
      };
    },
    async predictOn(backend, modelId, frames) {
      const w = startSteeringWorker();
      try {
        await w.api.init({ backend });
        await w.api.loadModel(modelId, DASH);
        const out: { steering: number; speed: number; torque: number; backend: string }[] = [];
        for (let f = 0; f < frames; f++) {
          const p = await w.api.predict(syntheticDash(f), 8 + (f % 5)); // a fixed speed per frame: the same input on every backend
          out.push({ steering: p.steering, speed: p.speed, torque: p.torque, backend: p.backend });
        }
        return out;
      } finally {
        w.terminate();
      }
    },
    async overlaysOn(backend, modelId, frames, requests) {
      const w = startSteeringWorker();
      try {
        const status = await w.api.init({ backend });
        await w.api.loadModel(modelId, DASH);
        let f = 0;
        for (; f < frames; f++) await w.api.predict(syntheticDash(f), 8);
        const views = [];
        const after = [];
        for (const { still, ...req } of requests) {
          const v = await w.api.overlayViews(req, still ? { pixels: syntheticDash(f - 1), ...DASH } : undefined);
          views.push(v && {
            saliency: v.saliency && { method: v.saliency.method, shared: v.saliency.shared, values: Array.from(v.saliency.values) },
            layers: v.layers.map((l) => ({ layer: l.layer, pixels: Array.from(l.pixels) })),
            gates: v.gates && { kind: v.gates.kind, steps: v.gates.steps, series: Object.fromEntries(Object.entries(v.gates.series).map(([k, s]) => [k, Array.from(s)])), outputs: Array.from(v.gates.outputs) },
          });
          const p = await w.api.predict(syntheticDash(f++), 8);
          after.push({ steering: p.steering, speed: p.speed, torque: p.torque });
        }
        return { backend: status.backend ?? '', views, after };
      } finally {
        w.terminate();
      }
    },
    async improve(req) {
      const t0 = performance.now();
      const model = (await app.training.listModels()).find((m) => m.id === req.modelId);
      if (!model) throw new Error(`no model ${req.modelId}`);
      if (req.throttle) app.autopilot.autopilot.opts = { ...app.autopilot.autopilot.opts, throttle: req.throttle };
      const r = await improveRound({
        model, round: req.round, trackIds: req.trackIds, themes: req.themes, minutes: req.minutes,
        trainClipIds: req.trainClipIds, valClipIds: req.valClipIds,
        recording: { cameras: [CENTER_CAMERA], rateHz: 20, frameWidth: 200, frameHeight: 66, ...(req.pace !== undefined ? { pace: req.pace } : {}), ...(req.start !== undefined ? { start: req.start } : {}) },
        ...(req.budgetSeconds !== undefined ? { budgetSeconds: req.budgetSeconds } : {}),
        ...(req.epochs !== undefined ? { epochs: req.epochs } : {}),
        ...(req.learningRate !== undefined ? { learningRate: req.learningRate } : {}),
        ...(req.trainable !== undefined ? { trainable: req.trainable } : {}),
      }, {
        learner: (id) => app.autopilot.learner(id),
        record: (plan, learner) => app.runAutoRecord(plan, undefined, undefined, learner),
        train: (t) => app.training.train(t),
      });
      return { rollout: r.rollout, clipIds: r.clips.map((c) => c.id), trainClipIds: [...r.trainClipIds], outcome: r.outcome, ms: performance.now() - t0 };
    },
    async engageAutopilot(timing = 'realtime', opts = {}) {
      app.autopilot.autopilot.opts = { ...app.autopilot.autopilot.opts, timing };
      app.autopilot.realtimeWaitMs = opts.realtimeWaitMs ?? REALTIME_WAIT_MS;
      app.autopilot.workerDash = opts.workerDash ?? true;
      app.setMode('autopilot');
      for (let i = 0; i < 200 && !app.autopilot.isEngaged; i++) await new Promise((r) => setTimeout(r, 50));
      return app.autopilot.isEngaged;
    },
    autopilotStats() {
      const st = app.autopilot.autopilot.stats;
      return { engaged: app.autopilot.isEngaged, interventions: st.interventions, engagedTicks: st.engagedTicks, latencyMs: st.latencyMs, humanHasWheel: app.autopilot.autopilot.humanHasWheel };
    },
    latencyProbe(opts = {}) {
      const p = app.autopilot.probe;
      const out = { summary: p.summary(), violations: [...p.violations()], ...(opts.records ? { records: p.list() } : {}) };
      if (opts.reset) p.reset();
      return out;
    },
    setPixelRatio(ratio) {
      app.renderer?.setQuality({ pixelRatio: ratio });
      const canvas = app.shell.viewport.querySelector('canvas');
      return { width: canvas?.width ?? 0, height: canvas?.height ?? 0 };
    },
    updateSetting: (key, value) => app.updateSetting(key, value),
  };
  window.__deepsteer = hook;
  return hook;
}
