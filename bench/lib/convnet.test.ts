// ConvNetJS and our single-frame CNN are the same network: same shapes and weight count, the
// same outputs once the weights are copied, and the same weights after one SGD step on the
// same batch (our trainModel against ConvNetJS's Trainer).
import convnetjs from 'convnetjs';
import { describe, expect, it } from 'vitest';
import { createArrayBatchSource } from '../../src/model/batchSource.ts';
import { createConfig } from '../../src/model/config.ts';
import { convPlan } from '../../src/model/configSizes.ts';
import { createSteeringNet } from '../../src/model/factory.ts';
import { computeTargetNormalization, framesToTensor } from '../../src/model/preprocess.ts';
import { initBackend, tf } from '../../src/model/tfSetup.ts';
import { trainModel } from '../../src/model/train.ts';
import {
  comparableCnnConfig, convnetLayerDefs, convnetParamCount, convnetTrainer, copyWeights, createConvnet, frameToVol, normalizedTargets,
} from './convnet.ts';

function randomFrames(count: number, width: number, height: number, seed: number): Uint8Array {
  const out = new Uint8Array(count * width * height * 3);
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

describe('ConvNetJS twin of the single-frame CNN', () => {
  it.each([['the default width', {}], ['width 1', { encoder: { widthMultiplier: 1 } }]] as const)('has our conv shapes and weight count at the default input, %s (33x100: valid 5x5/2 convs, same 3x3 convs as pad 1)', async (_, over) => {
    await initBackend('cpu');
    const config = comparableCnnConfig(over);
    const cnet = createConvnet(config);
    const convs = cnet.layers.filter((l) => l.layer_type === 'conv');
    expect(convs.map((l) => [l.out_sy, l.out_sx, l.out_depth])).toEqual(convPlan(config).layers.map((c) => [c.outHeight, c.outWidth, c.filters]));
    expect(convs.map((l) => l.pad)).toEqual([0, 0, 0, 1, 1]);
    const net = createSteeringNet(config);
    expect(convnetParamCount(cnet)).toBe(net.model.countParams());
    net.dispose();
  });

  it('refuses what it cannot match', () => {
    expect(() => convnetLayerDefs(createConfig({}))).toThrow(/sequence.kind/);
    expect(() => convnetLayerDefs(comparableCnnConfig({ input: { standardize: true } }))).toThrow(/input.standardize/);
    // 'same' with stride 2 on an even size pads 0 before and 1 after: no single ConvNetJS pad.
    const odd = comparableCnnConfig({ input: { height: 16, width: 16 }, encoder: { layers: [{ filters: 4, kernel: 3, stride: 2, padding: 'same', activation: 'relu' }] } });
    expect(() => convnetLayerDefs(odd)).toThrow(/no ConvNetJS equivalent/);
    expect(() => convnetTrainer(createConvnet(comparableCnnConfig()), comparableCnnConfig({ training: { optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } } }))).toThrow(/Adam/);
  });

  it('computes our outputs, and makes our SGD update on the same batch', async () => {
    await initBackend('cpu');
    const batch = 4;
    const config = comparableCnnConfig({ training: { batchSize: batch, epochs: 1, learningRate: 0.02 } });
    const { height, width } = config.input;
    const frames = randomFrames(batch + 1, width, height, 7);
    const targets = Float32Array.from({ length: batch * 3 }, (_, i) => Math.sin(i) * (1 + (i % 3)));
    const net = createSteeringNet(config);
    const cnet = createConvnet(config);
    copyWeights(net, cnet);
    const probe = frameToVol(frames, batch, width, height);
    const ours = () => tf.tidy(() => Array.from((net.model.predict(framesToTensor(frames.subarray(batch * width * height * 3), 1, { width, height }, config.input)) as tf.Tensor).dataSync()));
    const theirs = () => Array.from(cnet.forward(probe).w);
    const maxDiff = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));

    const before = ours();
    expect(maxDiff(theirs(), before)).toBeLessThan(1e-4 * Math.max(1, ...before.map(Math.abs)));

    const norm = computeTargetNormalization(targets);
    const trainer = convnetTrainer(cnet, config);
    for (let i = 0; i < batch; i++) trainer.train(frameToVol(frames, i, width, height), normalizedTargets(targets, i, norm));
    const source = createArrayBatchSource({ sequences: [{ frames: frames.subarray(0, batch * width * height * 3), targets }], frameWidth: width, frameHeight: height, window: 1, runLength: 1, batchSize: batch, shuffleSeed: null });
    const result = await trainModel({ net, train: source, yieldToEventLoop: async () => {} });
    expect(result.steps).toBe(1);
    const after = ours();
    const moved = maxDiff(after, before);
    expect(moved).toBeGreaterThan(1e-3);
    expect(maxDiff(theirs(), after)).toBeLessThan(1e-3 * moved);
    net.dispose();
  });

  it('loads as the package the bench page imports', () => {
    expect(typeof convnetjs.Net).toBe('function');
  });
});
