// The measured speed as a model input (config.input.speed, the default): the fused training
// forward, the tfjs model, the streaming and the naive predictors compute the same thing with it;
// the speed changes the output (it is not ignored); a model that reads it refuses to run
// without it; and the dataset feeds the PRESENT speed of every frame, not the speed label
// (which reads one second ahead).
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Meters, MetersPerSecond, Radians, Ticks } from '../core/units.ts';
import { openClipStore } from '../data/clipStore.ts';
import { CENTER_CAMERA } from '../data/clipTypes.ts';
import { createDatasetBatchSource } from './batchSource.ts';
import { createConfig, type ModelKind } from './config.ts';
import { describeModel } from './describe.ts';
import { createSteeringNet, type SteeringNet } from './factory.ts';
import { forwardGroups } from './forward.ts';
import type { TargetNormalization } from './preprocess.ts';
import { initBackend, tf } from './tfSetup.ts';
import { fusedVsModel, predictorsVsModel, randomizeWeights, syntheticSequence, tinyConfig } from './testKit.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const FRAME = { width: 16, height: 12 };
const NORM: TargetNormalization = { mean: { steering: 0, speed: 12, torque: 0 }, std: { steering: 0.4, speed: 4, torque: 0.3 } };

function speedNet(kind: ModelKind, speedResidual = false): SteeringNet {
  const net = createSteeringNet(tinyConfig({ input: { speed: true }, sequence: { kind, window: 3 }, heads: { hidden: 4, activation: 'tanh', speedResidual } }));
  randomizeWeights(net, 50, 0.4);
  return net;
}

describe('the measured speed as an input', () => {
  it('is on by default, and widens what the cell reads by one', () => {
    const on = describeModel(createConfig());
    const off = describeModel(createConfig({ input: { speed: false } }));
    const rnn = (d: typeof on) => d.layers.find((l) => l.name === 'rnn')!.params;
    expect(createConfig().input.speed).toBe(true);
    expect(rnn(on) - rnn(off)).toBe(4 * 64); // one more input row per LSTM gate unit
  });

  const KINDS_RESIDUAL: [ModelKind, boolean][] = [['cnn_lstm', false], ['cnn', false], ['cnn_lstm', true], ['cnn', true]];

  it.each(KINDS_RESIDUAL)('gives the same outputs in the fused forward and the tfjs model, and the speed matters (%s, speed residual %s)', (kind, residual) => {
    const net = speedNet(kind, residual);
    try {
      tf.tidy(() => {
        const lengths = kind === 'cnn' ? [1, 1, 1, 1] : [5, 4];
        const { frames, speeds, fast, maxDiff } = fusedVsModel(net, lengths);
        expect(maxDiff).toBeLessThan(1e-5);
        const other = forwardGroups(net, frames, lengths, false, tf.add(speeds, 1) as tf.Tensor2D);
        expect(tf.max(tf.abs(tf.sub(fast, other))).dataSync()[0]).toBeGreaterThan(1e-3);
        expect(() => forwardGroups(net, frames, lengths, false)).toThrow('reads the measured speed');
      });
    } finally {
      net.dispose();
    }
  });

  it.each(KINDS_RESIDUAL)('streams what the full model computes on each window, speeds included (%s, speed residual %s)', async (kind, residual) => {
    const net = speedNet(kind, residual);
    const fb = FRAME.width * FRAME.height * 3;
    const frames = syntheticSequence({ count: 8, ...FRAME }).frames;
    const speeds = Array.from({ length: 8 }, (_, i) => 6 + 2 * i);
    try {
      const { maxDiff } = await predictorsVsModel(net, NORM, FRAME, frames, speeds, async (streaming) => {
        await expect(streaming.predict(frames.subarray(0, fb))).rejects.toThrow("predict needs the car's speed");
      });
      expect(maxDiff).toBeLessThan(1e-4);
    } finally {
      net.dispose();
    }
  });

  it('is fed the present speed of every frame while the speed label reads one second ahead', async () => {
    const store = await openClipStore({ factory: new IDBFactory(), storage: null });
    try {
      const rate = 20;
      const writer = await store.startRecording({
        name: 'ramp', createdAt: 1_700_000_000_000, trackId: 'oval', theme: 'day', simVersion: 'test-1',
        rateHz: rate, frameWidth: FRAME.width, frameHeight: FRAME.height, cameras: [CENTER_CAMERA],
      });
      const steps = 60;
      for (let i = 0; i < steps; i++) {
        writer.append({
          frames: [new Uint8Array(FRAME.width * FRAME.height * 3).fill(i)],
          labels: {
            tick: (i * 3) as Ticks, steer: 0, steerRad: 0 as Radians, speed: i as MetersPerSecond, torque: 0, brake: 0,
            x: 0 as Meters, y: 0 as Meters, heading: 0 as Radians, lateralOffset: 0 as Meters, headingError: 0 as Radians,
            curvatureAhead: 0, lapProgress: 0, driver: 'expert',
          },
        });
      }
      const id = (await writer.finish()).id;
      for (const kind of ['cnn_lstm', 'cnn'] as ModelKind[]) {
        const config = tinyConfig({ input: { speed: true }, sequence: { kind, window: 3, runLength: 6 }, heads: { speedAheadS: 1 }, training: { batchSize: 4 } });
        const src = await createDatasetBatchSource({ source: store, clipIds: [id], config, shuffle: false });
        let checked = 0;
        for await (const b of src.batches(0)) {
          expect(b.speeds).toBeDefined();
          expect(b.speeds!.length).toBe(b.lengths.reduce((s, n) => s + n, 0));
          // Frame k of the clip is filled with the byte k and was recorded at k m/s.
          b.speeds!.forEach((v, f) => expect(v).toBe(b.frames[f * FRAME.width * FRAME.height * 3]));
          // The label of the window ending at frame k: the speed 1 s (20 steps) on, clamped to the clip.
          let f = 0;
          let e = 0;
          for (const n of b.lengths) {
            for (let w = 0; w < n - src.window + 1; w++, e++) {
              const last = b.speeds![f + w + src.window - 1];
              expect(b.targets[e * 3 + 1]).toBe(Math.min(steps - 1, last + rate));
            }
            f += n;
          }
          checked += b.speeds!.length;
        }
        expect(checked).toBeGreaterThan(0);
        const plain = await createDatasetBatchSource({ source: store, clipIds: [id], config: tinyConfig({ sequence: { kind } }), shuffle: false });
        for await (const b of plain.batches(0)) expect(b.speeds).toBeUndefined();
      }
    } finally {
      store.close();
    }
  });
});
