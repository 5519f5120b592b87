// The overlays through the worker API, in Node: predictions are identical with overlays on and
// off, the gate trace covers the predictor's own window (its outputs are the prediction), the
// tensor count stays flat over many overlay calls, and training samples the gradient norm per
// time step.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { Meters, MetersPerSecond, Radians, Ticks } from '../src/core/units.ts';
import { openClipStore, openModelStore, openSettingsStore, type LabelRow } from '../src/data/index.ts';
import { syntheticSequence, tinyConfig } from '../src/model/testKit.ts';
import type { TargetNormalization } from '../src/model/preprocess.ts';
import { tf } from '../src/model/tfSetup.ts';
import { createSteeringApi, type PredictResult } from './steeringApi.ts';
import type { OverlayRequest } from './overlayApi.ts';

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
});
