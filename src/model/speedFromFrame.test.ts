// A speed head that reads the window's last frame's embedding (config heads.speedFrom 'frame'):
// refused where it cannot be, blind to the speedometer and to the older frames, the same numbers
// in the fused training forward, the tfjs model, the streaming and naive predictors and the gate
// trace, and a saved model that reloads with no extra weights.
import { beforeAll, describe, expect, it } from 'vitest';
import { createConfig, type ConfigOverrides } from './config.ts';
import { speedFromFrame } from './configSizes.ts';
import { createSteeringNet, type SteeringNet } from './factory.ts';
import { forwardGroups } from './forward.ts';
import { gateTrace } from './introspect.ts';
import type { TargetNormalization } from './preprocess.ts';
import { initBackend, tf } from './tfSetup.ts';
import { fusedVsModel, predictorsVsModel, randomizeWeights, saveAndReload, syntheticSequence, tinyConfig } from './testKit.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const FRAME = { width: 16, height: 12 };
const NORM: TargetNormalization = { mean: { steering: 0, speed: 12, torque: 0 }, std: { steering: 0.4, speed: 4, torque: 0.3 } };

function frameNet(hidden: number): SteeringNet {
  const net = createSteeringNet(tinyConfig({
    input: { speed: true }, sequence: { kind: 'cnn_lstm', window: 4, runLength: 6 },
    heads: { hidden, activation: 'tanh', speedFrom: 'frame', speedResidual: false, torqueSpeedChanges: 2 },
  }));
  randomizeWeights(net, 90, 0.4);
  return net;
}

describe("heads.speedFrom 'frame'", () => {
  it('is taken only by a cnn_lstm whose speed head adds no speedometer back', () => {
    const on = (o: ConfigOverrides) => speedFromFrame(createConfig(o));
    expect(on({})).toBe(false);
    expect(on({ heads: { speedFrom: 'cell' } })).toBe(false);
    expect(on({ heads: { speedFrom: 'frame', speedResidual: false } })).toBe(true);
    expect(() => createConfig({ heads: { speedFrom: 'frame', speedResidual: true } })).toThrow(/speedResidual to false/);
    expect(() => createConfig({ heads: { speedFrom: 'frame', speedResidual: false }, sequence: { kind: 'cnn' } })).toThrow(/needs sequence.kind 'cnn_lstm'/);
    expect(() => createConfig({ heads: { speedFrom: 'window' as never } })).toThrow('heads.speedFrom');
  });

  it.each([0, 4])('computes the same in the fused forward and the tfjs model, and the speed reads only the last frame (head hidden %i)', (hidden) => {
    const net = frameNet(hidden);
    try {
      tf.tidy(() => {
        const lengths = [6, 5];
        const { frames, speeds, fast, maxDiff } = fusedVsModel(net, lengths);
        expect(maxDiff).toBeLessThan(1e-5);
        // The speed head's input is the embedding, not the cell's output.
        const speedIn = net.heads[1].hidden ?? net.heads[1].out;
        const kernel = speedIn.trainableWeights.find((w) => w.originalName.endsWith('/kernel'))!;
        expect(kernel.shape[0]).toBe(net.config.encoder.embedding);
        // Other speedometer readings: steering moves (the cell reads them), the speed does not.
        const reread = forwardGroups(net, frames, lengths, false, tf.add(speeds, 1.5) as tf.Tensor2D);
        const moved = tf.max(tf.abs(tf.sub(reread, fast)), 0).dataSync();
        expect(moved[0]).toBeGreaterThan(1e-4);
        expect(moved[1]).toBe(0);
        // A different first frame of the first run: the window that starts there moves in
        // steering, not in speed (its last frame is unchanged).
        const altered = tf.concat([tf.zeros([1, 12, 16, 3]), tf.slice(frames, [1], [-1])]) as tf.Tensor4D;
        const other = forwardGroups(net, altered, lengths, false, speeds);
        const first = tf.sub(tf.slice(other, [0, 0], [1, 3]), tf.slice(fast, [0, 0], [1, 3])).abs().dataSync();
        expect(first[0]).toBeGreaterThan(1e-5);
        expect(first[1]).toBe(0);
      });
    } finally {
      net.dispose();
    }
  });

  it('streams what the full model computes on each window, from the first frame on, and traces the same outputs', async () => {
    const net = frameNet(4);
    const fb = FRAME.width * FRAME.height * 3;
    const frames = syntheticSequence({ count: 7, ...FRAME }).frames;
    const speeds = [6, 6.3, 6.9, 7.2, 7.1, 6.5, 6.6];
    try {
      let streamedTrace: Float32Array | null = null;
      const { maxDiff } = await predictorsVsModel(net, NORM, FRAME, frames, speeds, (streaming) => {
        streamedTrace = streaming.windowTrace()!.outputs;
      });
      expect(maxDiff).toBeLessThan(1e-4);
      // The gate trace of the last window (normalised outputs) and the streaming predictor's own trace agree.
      const last = frames.subarray((speeds.length - 4) * fb, speeds.length * fb);
      const norm = speeds.slice(-4).map((v) => (v - NORM.mean.speed) / NORM.std.speed);
      const traced = gateTrace(net, last, FRAME, norm).outputs;
      for (let h = 0; h < 3; h++) expect(Math.abs(traced[h] - streamedTrace![h])).toBeLessThan(1e-4);
    } finally {
      net.dispose();
    }
  });

  it('saves and reloads with no extra weights, and predicts the same', async () => {
    const net = frameNet(0);
    try {
      const r = await saveAndReload(net, NORM);
      expect(r.savedNames).toEqual(r.netNames);
      expect(r.maxDiff).toBe(0);
      expect(speedFromFrame(r.config)).toBe(true);
    } finally {
      net.dispose();
    }
  });
});
