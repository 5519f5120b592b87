// The torque head reading the last changes of the measured speed (config heads.torqueSpeedChanges):
// read only where it can be (a cnn_lstm reading the speed, at most T-1), the same numbers in the fused training forward, the tfjs model, the
// streaming and the naive predictors, a saved model that reloads, and (the reason for it) a torque
// label the same tiny net cannot learn from the speeds alone and learns from their changes.
import { beforeAll, describe, expect, it } from 'vitest';
import { createArrayBatchSource, type FrameSequence } from './batchSource.ts';
import { createConfig, type ConfigOverrides } from './config.ts';
import { torqueSpeedChanges } from './configSizes.ts';
import { describeModel } from './describe.ts';
import { createSteeringNet, type SteeringNet } from './factory.ts';
import { forwardGroups } from './forward.ts';
import type { TargetNormalization } from './preprocess.ts';
import { initBackend, tf } from './tfSetup.ts';
import { fusedVsModel, predictorsVsModel, randomizeWeights, saveAndReload, syntheticSequence, tinyConfig } from './testKit.ts';
import { trainModel } from './train.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const FRAME = { width: 16, height: 12 };
const NORM: TargetNormalization = { mean: { steering: 0, speed: 12, torque: 0 }, std: { steering: 0.4, speed: 4, torque: 0.3 } };

function changesNet(K: number, hidden = 4): SteeringNet {
  const net = createSteeringNet(tinyConfig({ input: { speed: true }, sequence: { kind: 'cnn_lstm', window: 4, runLength: 6 }, heads: { hidden, activation: 'tanh', torqueSpeedChanges: K } }));
  randomizeWeights(net, 70, 0.4);
  return net;
}

describe('heads.torqueSpeedChanges', () => {
  it('is read only by a cnn_lstm that reads the speed, at most window - 1 of them', () => {
    const K = (o: ConfigOverrides) => torqueSpeedChanges(createConfig(o));
    expect(K({})).toBe(4); // the default for new models
    // Four more inputs of the torque head: the model's description counts them.
    expect(describeModel(createConfig()).params.heads - describeModel(createConfig({ heads: { torqueSpeedChanges: 0 } })).params.heads).toBe(4);
    expect(K({ heads: { torqueSpeedChanges: 0 } })).toBe(0);
    expect(K({ heads: { torqueSpeedChanges: 2 } })).toBe(2);
    expect(K({ heads: { torqueSpeedChanges: 2 }, sequence: { kind: 'cnn' } })).toBe(0);
    expect(K({ heads: { torqueSpeedChanges: 2 }, input: { speed: false } })).toBe(0);
    expect(K({ heads: { torqueSpeedChanges: 9 }, sequence: { window: 6 } })).toBe(5);
    expect(() => createConfig({ heads: { torqueSpeedChanges: 32 } })).toThrow('heads.torqueSpeedChanges');
    // A cnn built from a config that asks for changes has the plain torque head.
    const cnn = createSteeringNet(createConfig({ heads: { torqueSpeedChanges: 2 }, sequence: { kind: 'cnn' } }));
    try {
      expect(cnn.heads[2].out.trainableWeights[0].shape[0]).toBe(cnn.heads[0].out.trainableWeights[0].shape[0]);
    } finally {
      cnn.dispose();
    }
  });

  it.each([[1, 0], [3, 0], [2, 4]])('computes the same in the fused forward and the tfjs model, and the torque reads the changes (K %i, head hidden %i)', (K, hidden) => {
    const net = changesNet(K, hidden);
    try {
      tf.tidy(() => {
        const lengths = [6, 5];
        const { frames, speeds, fast, maxDiff } = fusedVsModel(net, lengths);
        expect(maxDiff).toBeLessThan(1e-5);
        // The torque head's input is the cell's output and K changes.
        const torqueIn = net.heads[2].hidden ?? net.heads[2].out;
        const kernel = torqueIn.trainableWeights.find((w) => w.originalName.endsWith('/kernel'))!;
        expect(kernel.shape[0]).toBe(net.config.sequence.units + K);
        // Zero the kernel rows the changes meet: the torque moves, steering and speed do not.
        const rows = kernel.read();
        const U = net.config.sequence.units;
        kernel.write(tf.concat([tf.slice(rows, [0, 0], [U, -1]), tf.zerosLike(tf.slice(rows, [U, 0], [K, -1]))], 0));
        const blind = forwardGroups(net, frames, lengths, false, speeds);
        const moved = tf.max(tf.abs(tf.sub(blind, fast)), 0).dataSync();
        expect(moved[0]).toBe(0);
        expect(moved[1]).toBe(0);
        expect(moved[2]).toBeGreaterThan(1e-3);
      });
    } finally {
      net.dispose();
    }
  });

  it('streams what the full model computes on each window, from the first frame on', async () => {
    const net = changesNet(2);
    const frames = syntheticSequence({ count: 9, ...FRAME }).frames;
    const speeds = [6, 6.3, 6.9, 7.2, 7.1, 6.5, 6.6, 7.4, 8];
    try {
      const { maxDiff, streamed } = await predictorsVsModel(net, NORM, FRAME, frames, speeds);
      expect(maxDiff).toBeLessThan(1e-4);
      const torques = streamed.map((p) => p.torque);
      expect(Math.max(...torques) - Math.min(...torques)).toBeGreaterThan(1e-3);
    } finally {
      net.dispose();
    }
  });

  it('saves and reloads with no extra weights, and predicts the same', async () => {
    const net = changesNet(2);
    try {
      const r = await saveAndReload(net, NORM);
      expect(r.savedNames).toEqual(r.netNames);
      expect(r.maxDiff).toBe(0);
    } finally {
      net.dispose();
    }
  });

  it('lets a tiny net learn a torque label that the measured speeds alone do not teach it', async () => {
    // A driver whose throttle wanders smoothly; the car's speed integrates it. The frames show
    // nothing of either (a still road), so the torque can only come from the speedometer.
    function drive(count: number, seed: number): FrameSequence {
      const base = syntheticSequence({ count, ...FRAME, seed });
      const frames = new Uint8Array(base.frames.length).fill(90);
      const targets = new Float32Array(count * 3);
      const speeds = new Float32Array(count);
      let v = 12;
      for (let i = 0; i < count; i++) {
        const torque = 0.8 * Math.sin((2 * Math.PI * i) / (23 + 7 * seed) + seed) * Math.cos((2 * Math.PI * i) / 71);
        speeds[i] = v;
        targets.set([0, v, torque], i * 3);
        v += 0.3 * torque;
      }
      // The speed changes from step i-1 to i reflect torque i-1, which is close to torque i.
      return { frames, targets, speeds };
    }
    async function torqueRatio(K: number): Promise<number> {
      const overrides: ConfigOverrides = {
        input: { speed: true }, sequence: { kind: 'cnn_lstm', window: 4, runLength: 8 },
        heads: { steering: { lossWeight: 0 }, speed: { lossWeight: 0 }, torque: { lossWeight: 1 }, torqueSpeedChanges: K },
        training: { epochs: 10, learningRate: 5e-3, batchSize: 16 },
      };
      const net = createSteeringNet(tinyConfig(overrides));
      const src = (seqs: FrameSequence[], shuffleSeed: number | null) => createArrayBatchSource({
        sequences: seqs, frameWidth: FRAME.width, frameHeight: FRAME.height, window: 4, runLength: 8, batchSize: 16, shuffleSeed,
      });
      try {
        const r = await trainModel({ net, train: src([drive(300, 1), drive(300, 2)], 5), validation: src([drive(200, 3)], null), yieldToEventLoop: async () => {} });
        const best = r.history.reduce((a, b) => ((b.valRmse?.torque ?? Infinity) < (a.valRmse?.torque ?? Infinity) ? b : a));
        return best.valRmse!.torque / best.baselineRmse.val!.torque;
      } finally {
        net.dispose();
      }
    }
    const without = await torqueRatio(0);
    const withChanges = await torqueRatio(2);
    console.log(`torque RMSE / constant predictor: speeds only ${without.toFixed(3)}, with their last 2 changes ${withChanges.toFixed(3)}`);
    expect(withChanges).toBeLessThan(0.45);
    expect(without).toBeGreaterThan(0.8);
  });
});
