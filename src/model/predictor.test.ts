// The streaming predictor against the full tfjs model on the same window (1e-5), the naive
// predictor, warm-up and reset, input checks, and a flat tensor count over 500 predictions.
// On request it hands out the newest frame's conv channel means and first channels: VisualBackProp
// and the layer views from them equal the standalone saliency path's (1e-5), they stay while the
// next prediction runs, and the predictions stay the same bit for bit. Its gate trace of the window
// (from the projections it holds) equals the batch model's (1e-5); busy / idle say when it runs.
import { beforeAll, describe, expect, it } from 'vitest';
import type { CellKind, ModelKind } from './config.ts';
import { createSteeringNet, type SteeringNet } from './factory.ts';
import { createNaivePredictor, createStreamingPredictor } from './predictor.ts';
import { gateTrace } from './introspect.ts';
import { convGeometries, featureImagesOf, lookAtFrame, visualBackPropFromMeans } from './saliency.ts';
import { denormalizeOutputs, framesToTensor, type TargetNormalization } from './preprocess.ts';
import { initBackend, tf } from './tfSetup.ts';
import { randomizeWeights, syntheticSequence, tinyConfig } from './testKit.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const FRAME = { width: 20, height: 15 }; // clip frames, resized to the model's 16x12
const NORM: TargetNormalization = { mean: { steering: 0.1, speed: 12, torque: -0.2 }, std: { steering: 0.4, speed: 3, torque: 0.3 } };

/** Scrambles the weights so no output is near its initial (tiny) value. */
function randomize(net: SteeringNet): void {
  randomizeWeights(net, 100, 0.4);
}

/** The full model's output (real units) for the window of `frames` ending at frame `end`. */
function fullModel(net: SteeringNet, frames: Uint8Array, end: number): number[] {
  const T = net.window;
  const fb = FRAME.width * FRAME.height * 3;
  const window = new Uint8Array(T * fb);
  for (let t = 0; t < T; t++) {
    const i = Math.max(0, end - T + 1 + t); // before T frames the oldest stands in
    window.set(frames.subarray(i * fb, (i + 1) * fb), t * fb);
  }
  const y = tf.tidy(() => {
    const x = framesToTensor(window, T, FRAME, net.config.input);
    return (net.model.predict(T === 1 ? x : tf.expandDims(x, 0)) as tf.Tensor).dataSync();
  });
  return Array.from(denormalizeOutputs(y, NORM));
}

describe('streaming predictor', () => {
  it.each([
    ...(['lstm', 'gru', 'rnn'] as CellKind[]).map((cell) => ({ kind: 'cnn_lstm' as ModelKind, cell, hidden: 0 })),
    { kind: 'cnn_lstm' as ModelKind, cell: 'lstm' as CellKind, hidden: 5 },
    { kind: 'cnn' as ModelKind, cell: 'lstm' as CellKind, hidden: 5 },
  ])('equals the full model on every window to 1e-5 ($kind, $cell, head hidden $hidden)', async ({ kind, cell, hidden }) => {
    const net = createSteeringNet(tinyConfig({ sequence: { kind, cell, window: 4 }, heads: { hidden, activation: 'elu' }, encoder: { hidden: [10] } }));
    randomize(net);
    const frames = syntheticSequence({ count: 12, ...FRAME }).frames;
    const fb = FRAME.width * FRAME.height * 3;
    const streaming = createStreamingPredictor({ net, normalization: NORM, frame: FRAME });
    const naive = createNaivePredictor({ net, normalization: NORM, frame: FRAME });
    try {
      let maxDiff = 0;
      let spread = 0;
      for (let i = 0; i < 12; i++) {
        const frame = frames.subarray(i * fb, (i + 1) * fb);
        const s = await streaming.predict(frame);
        const n = await naive.predict(frame);
        const ref = fullModel(net, frames, i);
        const got = [s.steering, s.speed, s.torque];
        got.forEach((v, h) => {
          maxDiff = Math.max(maxDiff, Math.abs(v - ref[h]), Math.abs([n.steering, n.speed, n.torque][h] - ref[h]));
        });
        spread = Math.max(spread, Math.abs(s.steering - NORM.mean.steering));
        expect(s.warm).toBe(i >= net.window - 1);
        expect(s.ms.total).toBeGreaterThanOrEqual(s.ms.encode);
      }
      expect(maxDiff).toBeLessThan(1e-5);
      expect(spread).toBeGreaterThan(0.01); // outputs really vary
      expect(streaming.framesSeen).toBe(12);
    } finally {
      streaming.dispose();
      naive.dispose();
      net.dispose();
    }
  });

  it('forgets the past on reset (track change, teleport)', async () => {
    const net = createSteeringNet(tinyConfig({ sequence: { window: 3 } }));
    randomize(net);
    const frames = syntheticSequence({ count: 8, ...FRAME }).frames;
    const fb = FRAME.width * FRAME.height * 3;
    const p = createStreamingPredictor({ net, normalization: NORM, frame: FRAME });
    try {
      const first = await p.predict(frames.subarray(5 * fb, 6 * fb));
      for (let i = 0; i < 5; i++) await p.predict(frames.subarray(i * fb, (i + 1) * fb));
      p.reset();
      expect(p.framesSeen).toBe(0);
      const again = await p.predict(frames.subarray(5 * fb, 6 * fb));
      expect(again.steering).toBe(first.steering);
      expect(again.warm).toBe(false);
    } finally {
      p.dispose();
      net.dispose();
    }
  });

  it('checks frames and notices a disposed model', async () => {
    const net = createSteeringNet(tinyConfig());
    const p = createStreamingPredictor({ net, normalization: NORM, frame: FRAME });
    await expect(p.predict(new Uint8Array(10))).rejects.toThrow('a frame must be 20x15 RGB (900 bytes), got 10 bytes');
    net.dispose();
    await expect(p.predict(new Uint8Array(900))).rejects.toThrow('disposed');
  });

  it('keeps the tensor count flat across 500 predictions, and follows new weights after refreshWeights', async () => {
    const net = createSteeringNet(tinyConfig({ sequence: { window: 5 } }));
    const frames = syntheticSequence({ count: 50, ...FRAME }).frames;
    const fb = FRAME.width * FRAME.height * 3;
    const streaming = createStreamingPredictor({ net, normalization: NORM, frame: FRAME });
    const naive = createNaivePredictor({ net, normalization: NORM, frame: FRAME });
    try {
      const before = tf.memory().numTensors;
      for (let i = 0; i < 500; i++) {
        const frame = frames.subarray((i % 50) * fb, ((i % 50) + 1) * fb);
        await streaming.predict(frame);
        if (i % 5 === 0) await naive.predict(frame);
        if (i === 250) expect(tf.memory().numTensors).toBe(before);
      }
      expect(tf.memory().numTensors).toBe(before);
      // After the weights change (more training), refreshWeights() re-reads them and restarts the window.
      randomize(net);
      streaming.refreshWeights();
      expect(streaming.framesSeen).toBe(0);
      const p = await streaming.predict(frames.subarray(0, fb));
      const ref = fullModel(net, frames, 0);
      expect(Math.abs(p.steering - ref[0])).toBeLessThan(1e-5);
      expect(Math.abs(p.speed - ref[1])).toBeLessThan(1e-5);
    } finally {
      streaming.dispose();
      naive.dispose();
      net.dispose();
    }
  });

  it.each(['cnn_lstm', 'cnn'] as ModelKind[])('hands out conv channel means only when asked: VisualBackProp from them equals the standalone path, predictions bit-identical, tensors flat (%s)', async (kind) => {
    const net = createSteeringNet(tinyConfig({ sequence: { kind, window: 3 }, encoder: { hidden: [10] } }));
    randomize(net);
    const frames = syntheticSequence({ count: 10, ...FRAME }).frames;
    const fb = FRAME.width * FRAME.height * 3;
    const plain = createStreamingPredictor({ net, normalization: NORM, frame: FRAME });
    const sharing = createStreamingPredictor({ net, normalization: NORM, frame: FRAME, captureConvMeans: true });
    const geometry = convGeometries(net);
    try {
      expect(plain.captureConvMeans).toBe(false);
      const before = tf.memory().numTensors;
      let maxDiff = 0;
      let litCells = 0;
      for (let i = 0; i < 30; i++) {
        const frame = frames.slice((i % 10) * fb, ((i % 10) + 1) * fb);
        const a = await plain.predict(frame);
        const b = await sharing.predict(frame);
        expect([b.steering, b.speed, b.torque, b.warm]).toEqual([a.steering, a.speed, a.torque, a.warm]);
        expect(plain.convMeans()).toBeNull();
        const cm = sharing.convMeans()!;
        expect(cm.frame).toEqual(frame);
        expect(cm.means.map((m) => m.length)).toEqual(geometry.map((g) => g.outHeight * g.outWidth));
        const shared = visualBackPropFromMeans(cm.means, geometry);
        const standalone = lookAtFrame(net, frame, FRAME, { saliency: true, featureChannels: 0 }).saliency!.values;
        expect(shared.length).toBe(standalone.length);
        shared.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - standalone[j]))));
        litCells = Math.max(litCells, shared.filter((v) => v > 0.05).length);
      }
      expect(maxDiff).toBeLessThan(1e-5);
      expect(litCells).toBeGreaterThan(10); // the maps are not trivially empty
      expect(tf.memory().numTensors).toBe(before);
      // Off again, after a reset, or after new weights: nothing stale is handed out.
      sharing.reset();
      expect(sharing.convMeans()).toBeNull();
      await sharing.predict(frames.subarray(0, fb));
      expect(sharing.convMeans()).not.toBeNull();
      sharing.refreshWeights();
      expect(sharing.convMeans()).toBeNull();
      await sharing.predict(frames.subarray(0, fb));
      sharing.captureConvMeans = false;
      expect(sharing.convMeans()).toBeNull();
      await sharing.predict(frames.subarray(fb, 2 * fb));
      expect(sharing.convMeans()).toBeNull();
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      plain.dispose();
      sharing.dispose();
      net.dispose();
    }
  });

  it.each(['lstm', 'gru', 'rnn'] as CellKind[])('gives the gate trace of its window equal to the batch model\'s (1e-5), its outputs the prediction\'s (%s)', async (cellKind) => {
    const net = createSteeringNet(tinyConfig({ sequence: { kind: 'cnn_lstm', cell: cellKind, window: 4 } }));
    randomize(net);
    const frames = syntheticSequence({ count: 8, ...FRAME }).frames;
    const fb = FRAME.width * FRAME.height * 3;
    const p = createStreamingPredictor({ net, normalization: NORM, frame: FRAME });
    try {
      expect(p.windowTrace()).toBeNull();
      for (let end = 0; end < 7; end++) {
        const out = await p.predict(frames.slice(end * fb, (end + 1) * fb));
        const window = new Uint8Array(4 * fb);
        for (let t = 0; t < 4; t++) {
          const i = Math.max(0, end - 3 + t);
          window.set(frames.subarray(i * fb, (i + 1) * fb), t * fb);
        }
        const batch = gateTrace(net, window, FRAME);
        const mine = p.windowTrace()!;
        expect([mine.kind, mine.steps, mine.units]).toEqual([batch.kind, batch.steps, batch.units]);
        for (const [name, series] of Object.entries(batch.series)) {
          let d = 0;
          series.forEach((v, j) => (d = Math.max(d, Math.abs(v - mine.series[name][j]))));
          expect(d, `${name} at frame ${end}`).toBeLessThan(1e-5);
        }
        expect(Math.abs(mine.outputs[0] * NORM.std.steering + NORM.mean.steering - out.steering)).toBeLessThan(1e-6); // the trace keeps float32 series
        expect(Math.abs(mine.outputs[0] - batch.outputs[0])).toBeLessThan(1e-5);
      }
      const cnn = createSteeringNet(tinyConfig({ sequence: { kind: 'cnn' } }));
      const q = createStreamingPredictor({ net: cnn, normalization: NORM, frame: FRAME });
      await q.predict(frames.slice(0, fb));
      expect(q.windowTrace()).toBeNull();
      q.dispose();
      cnn.dispose();
    } finally {
      p.dispose();
      net.dispose();
    }
  });

  it('keeps the first channels of each conv layer when asked (the layer views, as lookAtFrame\'s), keeps them while the next prediction runs, and says when it is busy', async () => {
    const net = createSteeringNet(tinyConfig({ sequence: { window: 3 } }));
    randomize(net);
    const frames = syntheticSequence({ count: 4, ...FRAME }).frames;
    const fb = FRAME.width * FRAME.height * 3;
    const frame = (i: number) => frames.slice(i * fb, (i + 1) * fb);
    const plain = createStreamingPredictor({ net, normalization: NORM, frame: FRAME });
    const p = createStreamingPredictor({ net, normalization: NORM, frame: FRAME });
    try {
      p.captureChannels = 3;
      expect(p.captureChannels).toBe(3);
      expect(p.captureConvMeans).toBe(false);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 4; i++) {
        const a = await plain.predict(frame(i));
        const b = await p.predict(frame(i));
        expect([b.steering, b.speed, b.torque]).toEqual([a.steering, a.speed, a.torque]);
        const cm = p.convMeans()!;
        expect(cm.frame).toEqual(frame(i));
        expect(cm.channels).toBe(3);
        const mine = featureImagesOf(net, cm.maps, cm.channels, 3);
        const look = lookAtFrame(net, frame(i), FRAME, { saliency: true, featureChannels: 3 });
        expect(mine.map((l) => [l.layer, l.channels, l.totalChannels, l.width, l.height])).toEqual(look.layers.map((l) => [l.layer, l.channels, l.totalChannels, l.width, l.height]));
        mine.forEach((l, k) => l.pixels.forEach((v, j) => expect(Math.abs(v - look.layers[k].pixels[j])).toBeLessThanOrEqual(1)));
        expect(featureImagesOf(net, cm.maps, cm.channels, 2).map((l) => l.channels)).toEqual([2, 2]);
        // The means come along: VisualBackProp works from the same capture.
        expect(visualBackPropFromMeans(cm.means, convGeometries(net)).length).toBe(look.saliency!.values.length);
      }
      expect(tf.memory().numTensors).toBe(before);
      // A prediction in flight: busy, the last maps still handed out; idle() resolves after it.
      expect(p.busy).toBe(false);
      const kept = p.convMeans();
      const next = p.predict(frame(0));
      expect(p.busy).toBe(true);
      expect(p.convMeans()).toBe(kept);
      let idle = false;
      const waited = p.idle().then(() => (idle = true));
      await next;
      await waited;
      expect(idle).toBe(true);
      expect(p.busy).toBe(false);
      expect(p.convMeans()!.frame).toEqual(frame(0));
      p.captureChannels = 0;
      expect(p.convMeans()).toBeNull();
    } finally {
      plain.dispose();
      p.dispose();
      net.dispose();
    }
  });
});
