// The worker's look inside the model, beside the prediction: the last T dash frames the
// predictor saw (copies, the same window and warm-up rule), and on request the saliency map
// (VisualBackProp or Grad-CAM), the conv feature maps and the recurrent gate trace of that
// window. During training it samples the gradient norm that reaches each time step on a small
// probe batch.
//
// A prediction never waits behind overlay work. The live views come from the streaming
// predictor's own work and run no tensor op here: VisualBackProp from the conv channel means and
// the layer views from the first channels it keeps while encoding each frame (it keeps them while
// they are asked for: captureConvMeans / captureChannels, cleared when another method is chosen
// or no request came for IDLE_FRAMES frames), the gate trace from the input projections of its
// window (Predictor.windowTrace). So they are of the newest frame whose prediction has finished,
// and until the first prediction after they are first asked for, the answer says `waiting`. The
// views that need tensors of their own (Grad-CAM, a still frame from a recorded clip, a predictor
// that keeps nothing) start only when no prediction is running, a task after the request, and
// again before each of their pieces (predictionsFirst), so a prediction asked for meanwhile goes
// first. Grad-CAM is cut into pieces of about one conv layer each (src/model/saliency.ts
// gradCamAsync), so a prediction that comes while it runs waits for one piece at most; live, it
// takes the older frames' projections from the predictor (Predictor.windowProjections) and
// encodes only the newest frame. Nothing here changes the weights, and the predictions are the same with overlays on or
// off, bit for bit (workers/overlayApi.test.ts).
//
// Every read here is asynchronous (the model functions' ...Async twins, src/model/readout.ts):
// on webgpu a synchronous read (dataSync), which tfjs-backend-webgpu 4.22 does through webgpu
// OffscreenCanvas copies, leaves every later async read in that worker failing in Chromium
// ("mapAsync ... A valid external Instance reference no longer exists", bench suite 'saliency'
// with kinds=none,layers), which stopped the predictions. So all views run on every backend.

// Ownership: plain arrays only; every tensor lives inside the model functions it calls.

import { gateTraceAsync, type GateTrace, timeStepGradientsAsync } from '../src/model/introspect.ts';
import { convGeometries, featureImagesOf, gradCamAsync, lookAtFrameAsync, visualBackPropFromMeans, type FeatureMaps, type SaliencyMap } from '../src/model/saliency.ts';
import type { BatchSource, Predictor, SteeringNet, TrainingEvent } from '../src/model/index.ts';

export type SaliencyMethod = 'vbp' | 'gradcam' | 'hirescam';

export interface OverlayRequest {
  saliency?: SaliencyMethod | null;
  /** Conv layer for Grad-CAM (0 = conv1); default the deepest. */
  gradcamLayer?: number;
  /** Channels per conv layer for the layer views; 0 or absent = none. */
  featureChannels?: number;
  gates?: boolean;
}

/**
 * Where a view came from: 'prediction' = the streaming predictor's own work on the frame it last
 * predicted (no tensor op for the overlay); 'own' = tensor work of the overlay's own; 'saliency' =
 * (layers only) the conv forward that VisualBackProp ran, so its time is counted there.
 */
export type ViewSource = 'prediction' | 'own' | 'saliency';

export interface OverlayViews {
  /** `shared`: VisualBackProp from the predictor's own conv maps (no second forward). */
  saliency: (SaliencyMap & { method: SaliencyMethod; shared: boolean }) | null;
  layers: FeatureMaps[];
  /** null for the single-frame CNN or when not asked. */
  gates: GateTrace | null;
  /** Frames the predictor has seen since its last reset. */
  framesSeen: number;
  /** Per view, where it came from; null when not asked for or not in yet. */
  from: { saliency: ViewSource | null; layers: ViewSource | null; gates: ViewSource | null };
  /** A live view asked for is not in yet: the predictor keeps its maps from its next prediction on. */
  waiting: boolean;
  /** Worker-side milliseconds of each part; `waited`: before tensor work, letting predictions go first. */
  ms: { saliency: number; layers: number; gates: number; total: number; waited: number };
}

/** Gradient norms per time step, sampled during training on a fixed probe batch. */
export interface TimeGradSample {
  epoch: number;
  step: number;
  /** T values, oldest frame first. */
  norms: number[];
}

/** A frame from elsewhere (a recorded clip): RGB, row 0 at the top, any size (resized to the model's input). */
export interface StillFrame {
  pixels: Uint8Array;
  width: number;
  height: number;
}

export interface DrivingModel {
  net: SteeringNet;
  frame: { width: number; height: number };
  /** The streaming predictor driving with `net`: VisualBackProp reads its conv maps when it has them. */
  predictor?: Predictor;
}

/** Training steps between two time-step gradient samples. */
const SAMPLE_EVERY_STEPS = 25;
const MAX_SAMPLES = 200;
/** Frame groups kept in the probe batch (its cost stays a small share of a training step). */
const PROBE_GROUPS = 4;
/** Frames without a live VisualBackProp request after which the predictor stops keeping conv maps. */
const IDLE_FRAMES = 120;

export function createOverlayViews(clock: () => number = () => performance.now()) {
  let ring: Uint8Array[] = [];
  /** The normalised measured speed beside each frame of `ring` (models that read the speed). */
  const speedRing: number[] = [];
  let seen = 0;
  let watched: SteeringNet | null = null;
  let samples: TimeGradSample[] = [];
  /** The predictor asked to keep conv maps, and the frame count of the last live request that needed them. */
  let sharing: Predictor | null = null;
  let lastAsked = 0;

  function stopSharing(): void {
    if (sharing) {
      sharing.captureConvMeans = false;
      sharing.captureChannels = 0;
    }
    sharing = null;
  }

  /**
   * Lets the predictions go first: resolves a task later (a prediction message already sent is
   * taken first) at a moment no prediction is running; the milliseconds waited.
   */
  async function predictionsFirst(p: Predictor | undefined): Promise<number> {
    const t0 = clock();
    for (;;) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      if (!p?.busy) return clock() - t0;
      await p.idle();
    }
  }

  /** The predictor's window of `T` frames, oldest first (before T frames the oldest stands in). */
  function ringWindow(T: number, bytes: number): Uint8Array {
    const out = new Uint8Array(T * bytes);
    const have = Math.min(seen, T);
    for (let t = 0; t < T; t++) out.set(ring[Math.max(seen - have, seen - T + t) % T], t * bytes);
    return out;
  }

  /** A still frame held for a whole window of `n` frames. */
  function held(pixels: Uint8Array, n: number): Uint8Array {
    const out = new Uint8Array(n * pixels.length);
    for (let t = 0; t < n; t++) out.set(pixels, t * pixels.length);
    return out;
  }

  /** The normalised speeds of ringWindow's frames, oldest first. */
  function ringSpeeds(T: number): number[] {
    const have = Math.min(seen, T);
    return Array.from({ length: T }, (_, t) => speedRing[Math.max(seen - have, seen - T + t) % T] ?? 0);
  }

  return {
    /**
     * Called by predict with each frame before it is used (a copy is kept) and, for a model
     * that reads the speed, its normalised measured speed; a new model starts over.
     */
    observe(frame: Uint8Array, net: SteeringNet, speed = 0): void {
      const window = net.window;
      if (ring.length !== window || watched !== net) {
        if (watched !== net) stopSharing();
        watched = net;
        ring = Array.from({ length: window }, () => new Uint8Array(frame.length));
        seen = 0;
      }
      if (ring[seen % window].length !== frame.length) ring[seen % window] = new Uint8Array(frame.length);
      ring[seen % window].set(frame);
      speedRing[seen % window] = speed;
      seen++;
      if (sharing && seen - lastAsked > IDLE_FRAMES) stopSharing();
    },
    reset(): void {
      seen = 0;
    },

    /**
     * The views of the predictor's last window, or with `still`, of that one frame held for a
     * whole window (a recorded clip's frame; the predictor's window is left alone). Every read
     * is asynchronous; the inputs are copied before the first, so predictions that come in
     * meanwhile change nothing here.
     */
    async views(model: DrivingModel | null, req: OverlayRequest, still?: StillFrame): Promise<OverlayViews | null> {
      if (!model) return null;
      const { net } = model;
      const T = net.window;
      if (!still && (seen === 0 || ring.length !== T || watched !== net)) return null;
      const frame = still ? { width: still.width, height: still.height } : model.frame;
      const bytes = frame.width * frame.height * 3;
      if (still && still.pixels.length !== bytes) throw new Error(`the frame has ${still.pixels.length} bytes, not ${still.width}x${still.height} RGB`);
      const t0 = clock();
      const method = req.saliency ?? null;
      const channels = Math.max(0, Math.min(64, Math.floor(req.featureChannels ?? 0)));
      const cam = method === 'gradcam' || method === 'hirescam';
      const gatesAsked = !!req.gates && !!net.cell;
      /** Live views from the predictor's own work (none for a still frame). */
      const live = still ? undefined : model.predictor;
      // Copies of everything read from the ring, taken now (before any await).
      const newest = (still ? still.pixels : ring[(seen - 1) % T]).slice();
      const framesSeen = still ? 0 : seen;
      const window = cam || (gatesAsked && !live) ? (still ? held(still.pixels, T) : ringWindow(T, bytes)) : null;
      const speeds = still ? null : ringSpeeds(T);
      let saliency: OverlayViews['saliency'] = null;
      let layers: FeatureMaps[] = [];
      let gates: GateTrace | null = null;
      const from: OverlayViews['from'] = { saliency: null, layers: null, gates: null };
      let waiting = false;
      let waited = 0;
      const ms = { saliency: 0, layers: 0, gates: 0 };
      if (!still) {
        // Live: the predictor keeps the maps asked for, and only while they are asked for.
        const keepMeans = method === 'vbp' && !!live;
        const keepChannels = live ? channels : 0;
        if (keepMeans || keepChannels > 0) {
          if (sharing !== live) stopSharing();
          sharing = live!;
          live!.captureConvMeans = keepMeans;
          live!.captureChannels = keepChannels;
          lastAsked = seen;
        } else stopSharing();
      }
      if (live) {
        const cm = live.convMeans();
        let t = clock();
        if (method === 'vbp') {
          if (cm) {
            const { width, height } = net.config.input;
            saliency = { width, height, values: visualBackPropFromMeans(cm.means, convGeometries(net)), method: 'vbp', shared: true };
            from.saliency = 'prediction';
          } else waiting = true;
          ms.saliency = clock() - t;
        }
        t = clock();
        if (channels > 0) {
          if (cm && cm.channels > 0) {
            layers = featureImagesOf(net, cm.maps, cm.channels, channels);
            from.layers = 'prediction';
          } else waiting = true;
          ms.layers = clock() - t;
        }
        t = clock();
        if (gatesAsked) {
          gates = live.windowTrace();
          if (gates) from.gates = 'prediction';
          else waiting = true;
          ms.gates = clock() - t;
        }
      }
      // Tensor work of the overlay's own: after the predictions, a piece at a time.
      const ownVbp = method === 'vbp' && !live;
      const ownLayers = channels > 0 && !live;
      if (ownVbp || ownLayers) {
        waited += await predictionsFirst(model.predictor);
        const t = clock();
        const look = await lookAtFrameAsync(net, newest, frame, { saliency: ownVbp, featureChannels: ownLayers ? channels : 0 });
        if (look.saliency) saliency = { ...look.saliency, method: 'vbp', shared: false };
        layers = [...look.layers];
        // One forward serves both; its time counts as saliency when saliency was asked for.
        if (ownVbp) {
          ms.saliency = clock() - t;
          from.saliency = 'own';
          if (ownLayers) from.layers = 'saliency';
        } else {
          ms.layers = clock() - t;
          from.layers = 'own';
        }
      }
      if (cam && window) {
        waited += await predictionsFirst(model.predictor);
        const t = clock();
        // Live, with no prediction running the predictor has taken every frame observed: its window's
        // projections stand for the older frames and the ring's newest frame is the window's newest.
        const p = model.predictor;
        const projections = !still && p && watched === net && seen > 0 && p.framesSeen === seen ? p.windowProjections() : null;
        const frames = projections ? ring[(seen - 1) % T].slice() : window;
        const layer = req.gradcamLayer;
        let paused = 0;
        const between = async (): Promise<void> => {
          paused += await predictionsFirst(p);
        };
        const map = await gradCamAsync(net, frames, frame, { pooling: method === 'hirescam' ? 'none' : 'mean', speeds: projections ? ringSpeeds(T) : speeds, projections, ...(layer !== undefined ? { layer } : {}) }, between);
        saliency = { ...map, method, shared: false };
        waited += paused;
        ms.saliency = clock() - t - paused;
        from.saliency = 'own';
      }
      if (gatesAsked && !live && window) {
        waited += await predictionsFirst(model.predictor);
        const t = clock();
        gates = await gateTraceAsync(net, window, frame, speeds);
        ms.gates = clock() - t;
        from.gates = 'own';
      }
      return { saliency, layers, gates, framesSeen, from, waiting, ms: { ...ms, waited, total: clock() - t0 - waited } };
    },

    /**
     * Wraps a training run's progress callback: every SAMPLE_EVERY_STEPS steps and at each
     * epoch's end, the gradient norm per time step on a probe batch (the first training batch,
     * cut to PROBE_GROUPS groups) is appended to the samples timeGradients() returns.
     */
    watchTraining(net: SteeringNet, train: BatchSource, onEvent: (e: TrainingEvent) => void): (e: TrainingEvent) => void {
      samples = [];
      let probe: { frames: Uint8Array; lengths: number[]; steering: Float32Array } | null = null;
      void (async () => {
        for await (const b of train.batches(0)) {
          const groups = Math.min(PROBE_GROUPS, b.lengths.length);
          const lengths = b.lengths.slice(0, groups);
          const frameCount = lengths.reduce((s, n) => s + n, 0);
          const windows = lengths.reduce((s, n) => s + n - train.window + 1, 0);
          const steering = new Float32Array(windows);
          let sum = 0;
          for (let i = 0; i < windows; i++) sum += (steering[i] = b.targets[i * 3]);
          const mean = sum / windows;
          const sd = Math.sqrt(steering.reduce((s, v) => s + (v - mean) ** 2, 0) / windows) || 1;
          for (let i = 0; i < windows; i++) steering[i] = (steering[i] - mean) / sd;
          probe = { frames: b.frames.slice(0, frameCount * train.frameWidth * train.frameHeight * 3), lengths, steering };
          break;
        }
      })().catch(() => {});
      let steps = 0;
      /** A sample being read (async): the next due one is skipped until it is in. */
      let reading = false;
      return (e) => {
        onEvent(e);
        const due = e.kind === 'epoch' || (e.kind === 'step' && ++steps % SAMPLE_EVERY_STEPS === 1);
        if (!due || !probe || reading || net.isDisposed) return;
        reading = true;
        const at = { epoch: e.epoch, step: e.kind === 'step' ? e.step : -1 };
        const run = samples;
        timeStepGradientsAsync(net, probe.frames, probe.lengths, { width: train.frameWidth, height: train.frameHeight }, probe.steering)
          .then((g) => {
            // A sample of an earlier run that came in late is dropped.
            if (run !== samples) return;
            samples.push({ ...at, norms: Array.from(g.norms) });
            if (samples.length > MAX_SAMPLES) samples.splice(0, samples.length - MAX_SAMPLES);
          })
          .catch(() => {})
          .finally(() => {
            reading = false;
          });
      };
    },

    /** The samples of the current (or last) training run, oldest first. */
    timeGradients(): TimeGradSample[] {
      return samples;
    },
  };
}

export type OverlayViewsState = ReturnType<typeof createOverlayViews>;
