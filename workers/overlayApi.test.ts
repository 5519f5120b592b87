// The overlays through the worker API, in Node: predictions are identical with overlays on and
// off, the gate trace covers the predictor's own window (its outputs are the prediction), the
// tensor count stays flat over many overlay calls, and training samples the gradient norm per
// time step. The live views come from the predictor's own work (no tensor op here): VisualBackProp
// and the layer views from the conv maps it keeps once asked for, equal to the standalone ones,
// and the maps are kept only while asked for. A prediction asked for while overlay work is
// pending is answered first, overlay work waits for a prediction that is running, and one asked
// for while a Grad-CAM runs waits for one piece of it, not the whole map. No view
// reads a tensor synchronously (on webgpu one dataSync breaks the worker's later async reads), and
// each equals the synchronous functions.
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import type { Meters, MetersPerSecond, Radians, Ticks } from '../src/core/units.ts';
import { openClipStore, openModelStore, openSettingsStore, type LabelRow } from '../src/data/index.ts';
import { createSteeringNet, createStreamingPredictor } from '../src/model/index.ts';
import { gateTrace } from '../src/model/introspect.ts';
import { gradCam, lookAtFrame } from '../src/model/saliency.ts';
import { syntheticSequence, tinyConfig } from '../src/model/testKit.ts';
import type { TargetNormalization } from '../src/model/preprocess.ts';
import { tf } from '../src/model/tfSetup.ts';
import { createSteeringApi, type PredictResult } from './steeringApi.ts';
import { createOverlayViews, type OverlayRequest } from './overlayApi.ts';

const W = 16;
const H = 12;
const FB = W * H * 3;

async function trainedApi() {
  const name = `overlay-${Math.random()}`;
  const clips = await openClipStore({ name, storage: null });
  const models = await openModelStore({ name });
  const settings = await openSettingsStore({ name });
  const seq = syntheticSequence({ count: 60, width: W, height: H });
  const w = await clips.startRecording({ name: 'clip', createdAt: 0, trackId: 'oval', theme: 'day', simVersion: '1', frameWidth: W, frameHeight: H });
  for (let i = 0; i < 60; i++) {
    const labels: LabelRow = {
      tick: (i * 3) as Ticks, steer: seq.targets[i * 3], steerRad: 0 as Radians, speed: seq.targets[i * 3 + 1] as MetersPerSecond,
      torque: seq.targets[i * 3 + 2], brake: 0, x: 0 as Meters, y: 0 as Meters, heading: 0 as Radians, lateralOffset: 0 as Meters,
      headingError: 0 as Radians, curvatureAhead: 0, lapProgress: 0, driver: 'expert',
    };
    w.append({ frames: [seq.frames.subarray(i * FB, (i + 1) * FB)], labels });
  }
  const clipId = (await w.finish()).id;
  const api = createSteeringApi({ clips: async () => clips, models: async () => models, settings: async () => settings, now: () => 1_000 });
  await api.init({ backend: 'cpu' });
  const out = await api.train({ name: 'tiny', config: tinyConfig({ training: { epochs: 2, batchSize: 4 }, sequence: { window: 4, runLength: 6 } }), trainClipIds: [clipId], valClipIds: [], runId: 'r' }, () => {});
  return { api, modelId: out.modelId!, frames: seq.frames };
}

/** A tiny CNN+LSTM (window 3), its streaming predictor, the overlay views and 4 synthetic frames: the live path's parts. */
function liveRig() {
  const net = createSteeringNet(tinyConfig({ sequence: { window: 3 } }));
  const norm = { mean: { steering: 0, speed: 0, torque: 0 }, std: { steering: 1, speed: 1, torque: 1 } };
  const predictor = createStreamingPredictor({ net, normalization: norm, frame: { width: W, height: H } });
  const model = { net, frame: { width: W, height: H }, predictor };
  const overlays = createOverlayViews();
  const frames = syntheticSequence({ count: 4, width: W, height: H }).frames;
  const frame = (i: number) => frames.slice((i % 4) * FB, ((i % 4) + 1) * FB);
  /** Frame i (of 4, in turn) as workers/steeringApi.ts predict() takes it: the overlays see it, the predictor predicts. */
  const predictAt = (i: number) => {
    const f = frame(i);
    overlays.observe(f, net);
    return predictor.predict(f);
  };
  return { net, predictor, model, overlays, frames, frame, predictAt };
}

const pick = (p: PredictResult) => [p.steering, p.speed, p.torque, p.warm];

describe('overlays in the steering worker', () => {
  it('leave every prediction unchanged, see the predictor\'s own window, and keep the tensor count flat', async () => {
    const { api, modelId, frames } = await trainedApi();
    // Training sampled the gradient norm per time step (T = 4 values each).
    const samples = api.timeGradients();
    expect(samples.length).toBeGreaterThanOrEqual(2);
    expect(samples.every((s) => s.norms.length === 4 && s.norms.every((v) => Number.isFinite(v) && v > 0))).toBe(true);

    await api.loadModel(modelId, { width: W, height: H });
    const norm = (await api.listModels())[0].normalization as unknown as TargetNormalization;
    expect(await api.overlayViews({ saliency: 'vbp' })).toBeNull(); // no frame yet
    const frame = (i: number) => frames.slice(i * FB, (i + 1) * FB);
    const plain = [];
    for (let i = 0; i < 20; i++) plain.push(pick(await api.predict(frame(i))));

    api.resetPredictor();
    const requests: OverlayRequest[] = [
      { saliency: 'vbp', featureChannels: 4, gates: true },
      { saliency: 'gradcam', gradcamLayer: 0 },
      { saliency: 'hirescam', gates: true },
      { featureChannels: 2 },
    ];
    const tensors = tf.memory().numTensors;
    const withOverlays = [];
    for (let i = 0; i < 20; i++) {
      const p = await api.predict(frame(i));
      withOverlays.push(pick(p));
      const v = (await api.overlayViews(requests[i % requests.length]))!;
      expect(v.framesSeen).toBe(i + 1);
      // A request that turns the predictor's maps on (the first; layers alone after Grad-CAM turned them off) waits for the next prediction.
      expect(v.waiting).toBe(i === 0 || i % 4 === 3);
      if (v.gates) {
        // The trace runs over the window the predictor used, so its outputs are the prediction.
        expect(v.gates.steps).toBe(4);
        expect(Math.abs(v.gates.outputs[0] * norm.std.steering + norm.mean.steering - p.steering)).toBeLessThan(1e-5);
        expect(Math.abs(v.gates.outputs[1] * norm.std.speed + norm.mean.speed - p.speed)).toBeLessThan(1e-4);
      }
      if (v.saliency) {
        expect(v.saliency.values.length).toBe(v.saliency.width * v.saliency.height);
        expect(v.ms.saliency).toBeGreaterThanOrEqual(0);
      }
      if (i % 4 === 0 && i > 0) expect(v.layers.map((l) => l.layer)).toEqual(['conv1', 'conv2']);
    }
    expect(withOverlays).toEqual(plain);
    // A still frame (the library's playback): the same map as the predicted frame, the window untouched.
    // The last request asked for layers alone: VisualBackProp's maps come with the next prediction (frame 19 again).
    expect((await api.overlayViews({ saliency: 'vbp' }))!.waiting).toBe(true);
    await api.predict(frame(19));
    const live = (await api.overlayViews({ saliency: 'vbp' }))!;
    expect(live.from.saliency).toBe('prediction');
    const still = (await api.overlayViews({ saliency: 'vbp', gates: true }, { pixels: frame(19), width: W, height: H }))!;
    expect(still.from).toEqual({ saliency: 'own', layers: null, gates: 'own' });
    still.saliency!.values.forEach((x, j) => expect(Math.abs(x - live.saliency!.values[j])).toBeLessThan(1e-5));
    expect(still.framesSeen).toBe(0);
    expect(still.gates!.steps).toBe(4);
    expect((await api.overlayViews({ saliency: 'vbp' }))!.framesSeen).toBe(21);
    await expect(api.overlayViews({ saliency: 'vbp' }, { pixels: new Uint8Array(5), width: W, height: H })).rejects.toThrow(/bytes/);
    expect(tf.memory().numTensors).toBe(tensors);
  }, 60_000);

  it('VisualBackProp and the layer views of the live frame use the predictor\'s conv maps: the same maps, the same predictions, tensors flat', async () => {
    const { api, modelId, frames } = await trainedApi();
    await api.loadModel(modelId, { width: W, height: H });
    const frame = (i: number) => frames.slice(i * FB, (i + 1) * FB);
    const plain = [];
    for (let i = 0; i < 12; i++) plain.push(pick(await api.predict(frame(i))));
    api.resetPredictor();
    const tensors = tf.memory().numTensors;
    const shared = [];
    const layerCounts = [];
    const withVbp = [];
    let maxDiff = 0;
    let maxPixelDiff = 0;
    for (let i = 0; i < 12; i++) {
      withVbp.push(pick(await api.predict(frame(i))));
      const v = (await api.overlayViews(i === 6 ? { saliency: 'gradcam' } : { saliency: 'vbp', featureChannels: 2 }))!;
      shared.push(v.saliency?.shared ?? null);
      layerCounts.push(v.layers.length);
      if (v.saliency?.shared) {
        expect(v.from).toEqual({ saliency: 'prediction', layers: 'prediction', gates: null });
        const own = (await api.overlayViews({ saliency: 'vbp', featureChannels: 2 }, { pixels: frame(i), width: W, height: H }))!;
        expect(own.saliency!.shared).toBe(false);
        expect(own.from).toEqual({ saliency: 'own', layers: 'saliency', gates: null });
        v.saliency.values.forEach((x, j) => (maxDiff = Math.max(maxDiff, Math.abs(x - own.saliency!.values[j]))));
        v.layers.forEach((l, k) => l.pixels.forEach((x, j) => (maxPixelDiff = Math.max(maxPixelDiff, Math.abs(x - own.layers[k].pixels[j])))));
      }
    }
    // The first request turns the maps on (nothing yet: waiting); Grad-CAM turns them off, so the next VisualBackProp waits again.
    expect(shared).toEqual([null, true, true, true, true, true, false, null, true, true, true, true]);
    expect(layerCounts).toEqual([0, 2, 2, 2, 2, 2, 0, 0, 2, 2, 2, 2]);
    expect(maxDiff).toBeLessThan(1e-5);
    expect(maxPixelDiff).toBeLessThanOrEqual(1);
    expect(withVbp).toEqual(plain);
    expect(tf.memory().numTensors).toBe(tensors);
  }, 60_000);

  it('has the predictor keep conv maps only while VisualBackProp or the layer views are asked for', async () => {
    await tf.setBackend('cpu');
    const { net, predictor, model, overlays, frames, predictAt: step } = liveRig();
    try {
      await step(0);
      expect(predictor.captureConvMeans).toBe(false);
      await overlays.views(model, { gates: true });
      expect([predictor.captureConvMeans, predictor.captureChannels]).toEqual([false, 0]);
      await overlays.views(model, { featureChannels: 2, gates: true });
      expect([predictor.captureConvMeans, predictor.captureChannels]).toEqual([false, 2]);
      await overlays.views(model, { saliency: 'vbp' }, { pixels: frames.slice(0, FB), width: W, height: H });
      expect(predictor.captureConvMeans).toBe(false); // a still frame does not need the predictor's maps
      await overlays.views(model, { saliency: 'vbp' });
      expect(predictor.captureConvMeans).toBe(true);
      await step(1);
      expect((await overlays.views(model, { saliency: 'vbp' }))!.saliency!.shared).toBe(true);
      await overlays.views(model, { saliency: 'hirescam' });
      expect([predictor.captureConvMeans, predictor.captureChannels]).toEqual([false, 0]);
      await overlays.views(model, { saliency: 'vbp' });
      // Overlays switched off (no more requests): the maps stop after IDLE_FRAMES frames.
      for (let i = 0; i < 120; i++) await step(i);
      expect(predictor.captureConvMeans).toBe(true);
      await step(0);
      expect(predictor.captureConvMeans).toBe(false);
      expect(predictor.convMeans()).toBeNull();
    } finally {
      predictor.dispose();
      net.dispose();
    }
  }, 60_000);
  it('never read synchronously (webgpu): every view comes back, equal to the synchronous functions\' maps (1e-5), tensors flat', async () => {
    await tf.setBackend('cpu');
    const { net, predictor, model, overlays, frames, frame, predictAt: step } = liveRig();
    const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      expect(a.length).toBe(b.length);
      let d = 0;
      for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
      return d;
    };
    try {
      for (let i = 0; i < 3; i++) await step(i);
      // The synchronous maps of the same window (frames 0..2, the newest 2), before the spy.
      const win = frames.slice(0, 3 * FB);
      const look = lookAtFrame(net, frame(2), { width: W, height: H }, { saliency: true, featureChannels: 4 });
      const cam = gradCam(net, win, { width: W, height: H }, { speeds: [0, 0, 0] });
      const hires = gradCam(net, win, { width: W, height: H }, { pooling: 'none', layer: 0, speeds: [0, 0, 0] });
      const trace = gateTrace(net, win, { width: W, height: H }, [0, 0, 0]);
      const tensors = tf.memory().numTensors;
      const reads = vi.spyOn(tf.Tensor.prototype, 'dataSync').mockImplementation(() => {
        throw new Error('a synchronous read');
      });
      try {
        for (let round = 0; round < 5; round++) {
          // VisualBackProp with its own forward (a predictor that keeps nothing), layers and gates together.
          const own = (await overlays.views({ net, frame: { width: W, height: H } }, { saliency: 'vbp', featureChannels: 4, gates: true }))!;
          expect(own.saliency!.shared).toBe(false);
          expect(own.from).toEqual({ saliency: 'own', layers: 'saliency', gates: 'own' });
          expect(maxDiff(own.saliency!.values, look.saliency!.values)).toBeLessThan(1e-5);
          expect(own.layers.map((l) => l.layer)).toEqual(look.layers.map((l) => l.layer));
          own.layers.forEach((l, k) => expect(maxDiff(l.pixels, look.layers[k].pixels)).toBeLessThanOrEqual(1));
          for (const name of Object.keys(trace.series)) expect(maxDiff(own.gates!.series[name], trace.series[name])).toBeLessThan(1e-5);
          expect(maxDiff(own.gates!.outputs, trace.outputs)).toBeLessThan(1e-5);
          const g = (await overlays.views(model, { saliency: 'gradcam' }))!;
          expect(maxDiff(g.saliency!.values, cam.values)).toBeLessThan(1e-5);
          const h = (await overlays.views(model, { saliency: 'hirescam', gradcamLayer: 0 }))!;
          expect(maxDiff(h.saliency!.values, hires.values)).toBeLessThan(1e-5);
          const still = (await overlays.views(model, { saliency: 'vbp' }, { pixels: frame(2), width: W, height: H }))!;
          expect(maxDiff(still.saliency!.values, look.saliency!.values)).toBeLessThan(1e-5);
          for (const v of [own, g, h, still]) expect(v.saliency!.values.every(Number.isFinite)).toBe(true);
        }
        expect(reads).not.toHaveBeenCalled();
        expect(tf.memory().numTensors).toBe(tensors);
      } finally {
        reads.mockRestore();
      }
    } finally {
      predictor.dispose();
      net.dispose();
    }
  }, 60_000);

  it('answers a prediction asked for while a Grad-CAM runs after one piece of it, not after the whole map, and the map is unchanged', async () => {
    await tf.setBackend('cpu');
    const { net, predictor, model, overlays, predictAt } = liveRig();
    let i = 0;
    const predict = () => predictAt(i++);
    const engine = tf.engine();
    const runKernel = engine.runKernel.bind(engine);
    let count = 0;
    let onKernel = (): void => {};
    const kernels = vi.spyOn(engine, 'runKernel').mockImplementation((...args: Parameters<typeof engine.runKernel>) => {
      count++;
      onKernel();
      return runKernel(...args);
    });
    try {
      for (let k = 0; k < 3; k++) await predict();
      for (const req of [{ saliency: 'gradcam', gradcamLayer: 0 }, { saliency: 'hirescam' }] as OverlayRequest[]) {
        // Kernels of one prediction, and of the whole map, each alone.
        count = 0;
        await predict();
        const perPrediction = count;
        count = 0;
        const alone = (await overlays.views(model, req))!;
        const perMap = count;
        // The same map, with a prediction asked for (a task later, as a worker message comes) once the map's first kernel has run.
        const order: string[] = [];
        let asked = -1;
        let answered = -1;
        let predicted!: () => void;
        const prediction = new Promise<void>((resolve) => (predicted = resolve));
        count = 0;
        onKernel = () => {
          onKernel = () => {};
          setTimeout(() => {
            asked = count;
            void predict().then(() => {
              answered = count;
              order.push('prediction');
              predicted();
            });
          }, 0);
        };
        const v = (await overlays.views(model, req))!;
        order.push('overlay');
        await prediction;
        expect(order, JSON.stringify(req)).toEqual(['prediction', 'overlay']);
        // What the prediction waited behind: the rest of the map's first piece, a small part of the map.
        const waitedBehind = answered - asked - perPrediction;
        expect(waitedBehind, JSON.stringify({ perMap, perPrediction, asked, answered })).toBeLessThan(perMap / 3);
        expect(Array.from(v.saliency!.values)).toEqual(Array.from(alone.saliency!.values));
        expect(v.ms.waited).toBeGreaterThan(0);
      }
    } finally {
      kernels.mockRestore();
      predictor.dispose();
      net.dispose();
    }
  }, 60_000);

  it('answers a prediction asked for while overlay work is pending first, waits for a running one, and the live views run no tensor op', async () => {
    await tf.setBackend('cpu');
    const { net, predictor, model, overlays, frame, predictAt } = liveRig();
    let i = 0;
    const predict = () => predictAt(i++);
    const kernels = vi.spyOn(tf.engine(), 'runKernel');
    try {
      for (let k = 0; k < 3; k++) await predict();
      // Work of the overlay's own (Grad-CAM, HiResCAM, a recorded frame's views), requested just before a prediction.
      const heavy: [OverlayRequest, boolean][] = [
        [{ saliency: 'gradcam' }, false],
        [{ saliency: 'hirescam', gates: true }, false],
        [{ saliency: 'vbp', featureChannels: 4, gates: true }, true],
      ];
      for (const [req, still] of heavy) {
        const order: string[] = [];
        const overlay = overlays.views(model, req, still ? { pixels: frame(1), width: W, height: H } : undefined).then((v) => {
          order.push('overlay');
          return v!;
        });
        const prediction = predict().then(() => order.push('prediction'));
        const [v] = await Promise.all([overlay, prediction]);
        expect(order, JSON.stringify(req)).toEqual(['prediction', 'overlay']);
        expect(v.saliency!.values.every(Number.isFinite)).toBe(true);
      }
      // A prediction already running (a slow backend): the overlay's tensor work starts only once it has finished.
      let release!: () => void;
      const running = new Promise<void>((resolve) => (release = resolve));
      const slow = { ...model, predictor: { ...predictor, busy: true, idle: () => running } };
      kernels.mockClear();
      let answered = false;
      const pending = overlays.views(slow, { saliency: 'gradcam' }).then(() => (answered = true));
      await new Promise((r) => setTimeout(r, 30));
      expect(kernels).not.toHaveBeenCalled();
      expect(answered).toBe(false);
      slow.predictor.busy = false;
      release();
      await pending;
      expect(kernels).toHaveBeenCalled();
      // The live views: from the prediction's own work, no tensor op at all, whatever they would cost.
      await overlays.views(model, { saliency: 'vbp', featureChannels: 4, gates: true });
      await predict();
      kernels.mockClear();
      const live = (await overlays.views(model, { saliency: 'vbp', featureChannels: 4, gates: true }))!;
      expect(kernels).not.toHaveBeenCalled();
      expect(live.from).toEqual({ saliency: 'prediction', layers: 'prediction', gates: 'prediction' });
      expect(live.waiting).toBe(false);
      expect(live.layers.map((l) => l.channels)).toEqual([4, 4]);
      expect(live.gates!.steps).toBe(3);
    } finally {
      kernels.mockRestore();
      predictor.dispose();
      net.dispose();
    }
  }, 60_000);
});
