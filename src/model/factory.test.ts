// The factories on the cpu backend: output shapes of every variant, parameter counts equal to
// describeModel's, the fused training forward equal to the tfjs-layers model, input checks,
// and dispose freeing every weight.
import { beforeAll, describe, expect, it } from 'vitest';
import { type CellKind, type ModelKind } from './config.ts';
import { describeModel } from './describe.ts';
import { createCnnLstmModel, createCnnModel, createEncoder, createRecurrentHead, createSteeringNet, netWeights, orthogonalRows } from './factory.ts';
import { forwardGroups } from './forward.ts';
import { isModelError } from './modelErrors.ts';
import { initBackend, tf } from './tfSetup.ts';
import { tinyConfig } from './testKit.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const CELLS: readonly CellKind[] = ['lstm', 'gru', 'rnn'];
const SIZES = [
  { height: 12, width: 16 },
  { height: 9, width: 20 },
  { height: 16, width: 12 },
] as const;

describe('model factories', () => {
  it.each(SIZES.flatMap((size) => [...CELLS.map((cell) => ({ size, kind: 'cnn_lstm' as ModelKind, cell })), { size, kind: 'cnn' as ModelKind, cell: 'lstm' as CellKind }]))(
    'builds $kind ($cell) for $size.height x $size.width with the described shapes and parameters',
    ({ size, kind, cell }) => {
      const config = tinyConfig({ input: size, sequence: { kind, cell, units: 5, window: 4, runLength: 6 }, heads: { hidden: kind === 'cnn' ? 4 : 0 } });
      const net = createSteeringNet(config);
      try {
        const d = describeModel(config);
        expect(net.model.countParams()).toBe(d.params.total);
        expect(net.encoder.countParams()).toBe(d.params.encoder);
        expect(net.head.countParams()).toBe(d.params.recurrent + d.params.heads);
        expect(net.encoder.outputs[0].shape).toEqual([null, config.encoder.embedding]);
        const T = kind === 'cnn' ? 1 : 4;
        expect(net.window).toBe(T);
        expect(net.model.inputs[0].shape).toEqual(kind === 'cnn' ? [null, size.height, size.width, 3] : [null, 4, size.height, size.width, 3]);
        tf.tidy(() => {
          const x = tf.randomUniform(kind === 'cnn' ? [2, size.height, size.width, 3] : [2, 4, size.height, size.width, 3], -1, 1);
          expect((net.model.predict(x) as tf.Tensor).shape).toEqual([2, 3]);
          expect((net.encoder.predict(tf.randomUniform([5, size.height, size.width, 3])) as tf.Tensor).shape).toEqual([5, config.encoder.embedding]);
        });
        // Every weight is grouped under exactly one layer, with stable names.
        expect(netWeights(net).map((w) => w.originalName).sort()).toEqual(net.model.trainableWeights.map((w) => w.originalName).sort());
        expect(net.layers.map((l) => l.name)).toEqual([
          'conv1', 'conv2', 'embedding',
          ...(kind === 'cnn_lstm' ? ['rnn'] : []),
          ...(kind === 'cnn' ? ['steering_hidden', 'steering', 'speed_hidden', 'speed', 'torque_hidden', 'torque'] : ['steering', 'speed', 'torque']),
        ]);
      } finally {
        net.dispose();
      }
    },
  );

  it.each([...CELLS.map((cell) => ({ kind: 'cnn_lstm' as ModelKind, cell })), { kind: 'cnn' as ModelKind, cell: 'lstm' as CellKind }])(
    'computes in the fused forward over runs what the tfjs-layers model computes per window ($kind, $cell)',
    ({ kind, cell }) => {
      const net = createSteeringNet(tinyConfig({ sequence: { kind, cell, units: 5, window: 3 }, heads: { hidden: 4, activation: 'tanh' }, encoder: { hidden: [7] } }));
      try {
        tf.tidy(() => {
          const lengths = kind === 'cnn' ? [1, 1, 1, 1, 1] : [6, 4, 5];
          const T = net.window;
          const total = lengths.reduce((s, n) => s + n, 0);
          const frames = tf.randomUniform([total, 12, 16, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
          const fast = forwardGroups(net, frames, lengths, false);
          const windows: tf.Tensor[] = [];
          let o = 0;
          for (const n of lengths) {
            for (let s = 0; s + T <= n; s++) windows.push(T === 1 ? tf.squeeze(tf.slice(frames, [o + s], [1]), [0]) : tf.slice(frames, [o + s], [T]));
            o += n;
          }
          const ref = net.model.predict(tf.stack(windows)) as tf.Tensor;
          expect(fast.shape).toEqual(ref.shape);
          expect(fast.shape[0]).toBe(lengths.reduce((s, n) => s + n - T + 1, 0));
          expect(tf.max(tf.abs(tf.sub(fast, ref))).dataSync()[0]).toBeLessThan(1e-5);
          expect(tf.max(tf.abs(ref)).dataSync()[0]).toBeGreaterThan(1e-3); // not trivially zero
        });
      } finally {
        net.dispose();
      }
    },
  );

  it('builds the encoder and the recurrent head on their own', () => {
    const config = tinyConfig({ sequence: { window: 5 } });
    const encoder = createEncoder(config);
    const head = createRecurrentHead(config);
    try {
      expect(encoder.outputs[0].shape).toEqual([null, 8]);
      expect(head.inputs[0].shape).toEqual([null, 5, 8]);
      expect(head.outputs[0].shape).toEqual([null, 3]);
    } finally {
      encoder.dispose();
      head.dispose();
    }
  });

  it('checks its inputs: the kind, the config and the frames', () => {
    const cnnConfig = tinyConfig({ sequence: { kind: 'cnn' } });
    expect(() => createCnnLstmModel(cnnConfig)).toThrow("sequence.kind must be 'cnn_lstm'");
    expect(() => createRecurrentHead(cnnConfig)).toThrow("sequence.kind must be 'cnn_lstm'");
    expect(() => createCnnModel(tinyConfig())).toThrow("sequence.kind must be 'cnn'");
    const bad = { ...tinyConfig(), encoder: { ...tinyConfig().encoder, embedding: 0 } };
    expect(() => createSteeringNet(bad)).toThrow('encoder.embedding must be 1..1024');
    const net = createSteeringNet(tinyConfig());
    try {
      tf.tidy(() => {
        expect(() => forwardGroups(net, tf.zeros([6, 10, 16, 3]) as tf.Tensor4D, [6], false)).toThrow('frames must be [n, 12, 16, 3]');
        expect(() => forwardGroups(net, tf.zeros([6, 12, 16, 3]) as tf.Tensor4D, [3, 2], false)).toThrow('add up to 5, but 6 frames');
        expect(() => forwardGroups(net, tf.zeros([6, 12, 16, 3]) as tf.Tensor4D, [4, 2], false)).toThrow('frame group 1 has 2 frames; a window needs 3');
      });
    } finally {
      net.dispose();
    }
    try {
      forwardGroups(net, tf.zeros([3, 12, 16, 3]) as tf.Tensor4D, [3], false);
      throw new Error('ran');
    } catch (e) {
      expect(isModelError(e, 'disposed')).toBe(true);
    }
  });

  it('seeds the initial weights and frees every one of them on dispose', () => {
    const before = tf.memory().numTensors;
    const a = createSteeringNet(tinyConfig({ seed: 5 }));
    const b = createSteeringNet(tinyConfig({ seed: 5 }));
    const c = createSteeringNet(tinyConfig({ seed: 6 }));
    const values = (n: typeof a) => netWeights(n).map((w) => Array.from(w.read().dataSync()));
    expect(values(a)).toEqual(values(b));
    expect(values(a)[0]).not.toEqual(values(c)[0]);
    // Layers of equal shapes still start different (a seed per layer): hidden2 and embedding are both 8x8.
    const d = createSteeringNet(tinyConfig({ encoder: { hidden: [8, 8], embedding: 8 } }));
    const kernelOf = (name: string) => Array.from(d.encoder.getLayer(name).getWeights()[0].dataSync());
    expect(kernelOf('hidden2')).toHaveLength(64);
    expect(kernelOf('embedding')).toHaveLength(64);
    expect(kernelOf('hidden2')).not.toEqual(kernelOf('embedding'));
    for (const n of [a, b, c, d]) n.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('starts the recurrent kernel orthogonal (rows orthonormal) and the LSTM forget gate at 1', () => {
    const expectOrthonormalRows = (m: ArrayLike<number>, rows: number, cols: number): void => {
      for (let a = 0; a < rows; a++) {
        for (let b = 0; b < rows; b++) {
          let dot = 0;
          for (let j = 0; j < cols; j++) dot += m[a * cols + j] * m[b * cols + j];
          expect(dot).toBeCloseTo(a === b ? 1 : 0, 5);
        }
      }
    };
    expectOrthonormalRows(orthogonalRows(6, 24, 3), 6, 24);
    expect(orthogonalRows(6, 24, 3)).not.toEqual(orthogonalRows(6, 24, 4));
    const net = createSteeringNet(tinyConfig({ sequence: { units: 6 } }));
    try {
      expectOrthonormalRows(net.cell!.recurrentKernel.read().dataSync(), 6, 24);
      expect(Array.from(net.cell!.bias.read().dataSync())).toEqual([...new Array(6).fill(0), ...new Array(6).fill(1), ...new Array(12).fill(0)]);
    } finally {
      net.dispose();
    }
  });
});
