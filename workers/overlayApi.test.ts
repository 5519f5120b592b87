// The overlays through the worker API, in Node: predictions are identical with overlays on and
// off, the gate trace covers the predictor's own window (its outputs are the prediction), the
// tensor count stays flat over many overlay calls, and training samples the gradient norm per
// time step. VisualBackProp of the live frame comes from the predictor's own conv maps (no
// second forward) once asked for, equals the standalone map, and the predictor keeps those maps
// only while VisualBackProp is being asked for.
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import type { Meters, MetersPerSecond, Radians, Ticks } from '../src/core/units.ts';
import { openClipStore, openModelStore, openSettingsStore, type LabelRow } from '../src/data/index.ts';
import { createSteeringNet, createStreamingPredictor } from '../src/model/index.ts';
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
    expect(api.overlayViews({ saliency: 'vbp' })).toBeNull(); // no frame yet
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
      const v = api.overlayViews(requests[i % requests.length])!;
      expect(v.framesSeen).toBe(i + 1);
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
      if (i % 4 === 0) expect(v.layers.map((l) => l.layer)).toEqual(['conv1', 'conv2']);
    }
    expect(withOverlays).toEqual(plain);
    // A still frame (the library's playback): the same map as the predicted frame, the window untouched.
    const live = api.overlayViews({ saliency: 'vbp' })!;
    const still = api.overlayViews({ saliency: 'vbp', gates: true }, { pixels: frame(19), width: W, height: H })!;
    expect(still.saliency!.values).toEqual(live.saliency!.values);
    expect(still.framesSeen).toBe(0);
    expect(still.gates!.steps).toBe(4);
    expect(api.overlayViews({ saliency: 'vbp' })!.framesSeen).toBe(20);
    expect(() => api.overlayViews({ saliency: 'vbp' }, { pixels: new Uint8Array(5), width: W, height: H })).toThrow(/bytes/);
    expect(tf.memory().numTensors).toBe(tensors);
  }, 60_000);

  it('VisualBackProp of the live frame uses the predictor\'s conv maps: the same map, the same predictions, tensors flat', async () => {
    const { api, modelId, frames } = await trainedApi();
    await api.loadModel(modelId, { width: W, height: H });
    const frame = (i: number) => frames.slice(i * FB, (i + 1) * FB);
    const plain = [];
    for (let i = 0; i < 12; i++) plain.push(pick(await api.predict(frame(i))));
    api.resetPredictor();
    const tensors = tf.memory().numTensors;
    const shared = [];
    const withVbp = [];
    let maxDiff = 0;
    for (let i = 0; i < 12; i++) {
      withVbp.push(pick(await api.predict(frame(i))));
      const v = api.overlayViews(i === 6 ? { saliency: 'gradcam' } : { saliency: 'vbp', featureChannels: i % 3 === 0 ? 2 : 0 })!;
      shared.push(v.saliency!.shared);
      if (i % 3 === 0 && i !== 6) expect(v.layers.length).toBe(2);
      if (v.saliency!.shared) {
        const own = api.overlayViews({ saliency: 'vbp' }, { pixels: frame(i), width: W, height: H })!.saliency!;
        expect(own.shared).toBe(false);
        v.saliency!.values.forEach((x, j) => (maxDiff = Math.max(maxDiff, Math.abs(x - own.values[j]))));
      }
    }
    // The first request turns the maps on; Grad-CAM turns them off, so the next VisualBackProp runs its own forward.
    expect(shared).toEqual([false, true, true, true, true, true, false, false, true, true, true, true]);
    expect(maxDiff).toBeLessThan(1e-5);
    expect(withVbp).toEqual(plain);
    expect(tf.memory().numTensors).toBe(tensors);
  }, 60_000);

  it('has the predictor keep conv maps only while VisualBackProp is asked for', async () => {
    await tf.setBackend('cpu');
    const net = createSteeringNet(tinyConfig({ sequence: { window: 3 } }));
    const norm = { mean: { steering: 0, speed: 0, torque: 0 }, std: { steering: 1, speed: 1, torque: 1 } };
    const predictor = createStreamingPredictor({ net, normalization: norm, frame: { width: W, height: H } });
    const model = { net, frame: { width: W, height: H }, predictor };
    const overlays = createOverlayViews();
    const frames = syntheticSequence({ count: 4, width: W, height: H }).frames;
    const step = async (i: number) => {
      const f = frames.slice((i % 4) * FB, ((i % 4) + 1) * FB);
      overlays.observe(f, net);
      await predictor.predict(f);
    };
    try {
      await step(0);
      expect(predictor.captureConvMeans).toBe(false);
      overlays.views(model, { featureChannels: 2, gates: true });
      expect(predictor.captureConvMeans).toBe(false);
      overlays.views(model, { saliency: 'vbp' }, { pixels: frames.slice(0, FB), width: W, height: H });
      expect(predictor.captureConvMeans).toBe(false); // a still frame does not need the predictor's maps
      overlays.views(model, { saliency: 'vbp' });
      expect(predictor.captureConvMeans).toBe(true);
      await step(1);
      expect(overlays.views(model, { saliency: 'vbp' })!.saliency!.shared).toBe(true);
      overlays.views(model, { saliency: 'hirescam' });
      expect(predictor.captureConvMeans).toBe(false);
      overlays.views(model, { saliency: 'vbp' });
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
  it('on webgpu gives live VisualBackProp from the predictor\'s maps and refuses, with a message, the views that need a synchronous read', async () => {
    await tf.setBackend('cpu');
    const net = createSteeringNet(tinyConfig({ sequence: { window: 3 } }));
    const norm = { mean: { steering: 0, speed: 0, torque: 0 }, std: { steering: 1, speed: 1, torque: 1 } };
    const predictor = createStreamingPredictor({ net, normalization: norm, frame: { width: W, height: H } });
    const model = { net, frame: { width: W, height: H }, predictor };
    // The backend as the overlays see it: webgpu (the kernels still run on cpu here).
    const overlays = createOverlayViews(() => performance.now(), () => 'webgpu');
    const frames = syntheticSequence({ count: 4, width: W, height: H }).frames;
    const step = async (i: number) => {
      const f = frames.slice((i % 4) * FB, ((i % 4) + 1) * FB);
      overlays.observe(f, net);
      await predictor.predict(f);
    };
    const reads = vi.spyOn(tf.Tensor.prototype, 'dataSync');
    try {
      for (let i = 0; i < 3; i++) await step(i);
      const first = overlays.views(model, { saliency: 'vbp' })!;
      expect(first.saliency).toBeNull(); // no maps of this frame yet, and no forward of its own
      expect(first.unavailable).toBeUndefined();
      await step(3);
      const live = overlays.views(model, { saliency: 'vbp' })!;
      expect(live.saliency!.shared).toBe(true);
      expect(live.unavailable).toBeUndefined();
      const rest = overlays.views(model, { saliency: 'gradcam', featureChannels: 2, gates: true })!;
      expect(rest.saliency).toBeNull();
      expect(rest.layers).toEqual([]);
      expect(rest.gates).toBeNull();
      expect(rest.unavailable).toMatch(/WebGPU.*Grad-CAM, layer views, gates.*WebGL or wasm/);
      expect(overlays.views(model, { saliency: 'vbp' }, { pixels: frames.slice(0, FB), width: W, height: H })!.unavailable).toMatch(/recorded frame/);
      expect(reads).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
      predictor.dispose();
      net.dispose();
    }
  }, 60_000);
});
