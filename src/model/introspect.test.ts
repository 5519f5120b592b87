// The recurrent part at work: gate traces (gates in 0..1, one row per frame of the window, and
// the trace's last hidden state giving exactly what the streaming predictor predicts), and the
// per-time-step gradient norms (a simple RNN with small recurrent weights forgets: its
// gradients vanish with distance; an LSTM on the same data keeps more of them). The async twins
// (no synchronous read, for webgpu) give the same values.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { CellKind } from './config.ts';
import { createSteeringNet, type SteeringNet } from './factory.ts';
import { GATE_SERIES, gateTrace, gateTraceAsync, timeStepGradients, timeStepGradientsAsync, TRACE_SERIES } from './introspect.ts';
import { createStreamingPredictor } from './predictor.ts';
import { encodeFrames, projectInputs } from './forward.ts';
import { denormalizeOutputs, framesToTensor, type TargetNormalization } from './preprocess.ts';
import { initBackend, tf } from './tfSetup.ts';
import { randomizeWeights, syntheticSequence, tinyConfig } from './testKit.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const FRAME = { width: 16, height: 12 };
const FB = FRAME.width * FRAME.height * 3;
const NORM: TargetNormalization = { mean: { steering: 0.1, speed: 12, torque: -0.2 }, std: { steering: 0.4, speed: 3, torque: 0.3 } };

function scrambled(cell: CellKind, window: number): SteeringNet {
  const net = createSteeringNet(tinyConfig({ sequence: { kind: 'cnn_lstm', cell, window } }));
  randomizeWeights(net, 7, 0.5);
  return net;
}

describe('gate traces', () => {
  it.each(['lstm', 'gru', 'rnn'] as CellKind[])('%s: gates in 0..1, the window\'s length, and the streaming prediction from its last state', async (cell) => {
    const T = 5;
    const net = scrambled(cell, T);
    const seq = syntheticSequence({ count: 9, ...FRAME }).frames;
    const predictor = createStreamingPredictor({ net, normalization: NORM, frame: FRAME });
    try {
      let last = null;
      for (let i = 0; i < 9; i++) last = await predictor.predict(seq.subarray(i * FB, (i + 1) * FB));
      const trace = gateTrace(net, seq.subarray(4 * FB, 9 * FB), FRAME);
      expect(trace).toMatchObject({ kind: cell, steps: T, units: 6 });
      expect(Object.keys(trace.series)).toEqual(TRACE_SERIES[cell]);
      let spread = 0;
      for (const [name, v] of Object.entries(trace.series)) {
        expect(v.length).toBe(T * 6);
        if (GATE_SERIES.includes(name)) {
          expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
          expect(Math.max(...v)).toBeLessThanOrEqual(1);
          spread = Math.max(spread, Math.max(...v) - Math.min(...v));
        }
      }
      if (cell !== 'rnn') expect(spread).toBeGreaterThan(0.1);
      const [steering, speed, torque] = denormalizeOutputs(trace.outputs, NORM);
      expect(Math.abs(steering - last!.steering)).toBeLessThan(1e-5);
      expect(Math.abs(speed - last!.speed)).toBeLessThan(1e-5);
      expect(Math.abs(torque - last!.torque)).toBeLessThan(1e-5);
    } finally {
      predictor.dispose();
      net.dispose();
    }
  });

  it.each(['lstm', 'gru'] as CellKind[])('%s gates equal those recomputed with tf ops from the batch model on the same window (1e-5)', (cell) => {
    const T = 4;
    const net = scrambled(cell, T);
    const frames = syntheticSequence({ count: T, ...FRAME, seed: 2 }).frames;
    const trace = gateTrace(net, frames, FRAME);
    const U = 6;
    const c = net.cell!;
    let maxDiff = 0;
    tf.tidy(() => {
      const proj = projectInputs(c, encodeFrames(net, framesToTensor(frames, T, FRAME, net.config.input), false));
      const rk = c.recurrentKernel.read() as tf.Tensor2D;
      for (let t = 0; t < T; t++) {
        const hPrev = t === 0 ? tf.zeros([1, U]) : tf.tensor2d(trace.series.hidden.slice((t - 1) * U, t * U), [1, U]);
        const x = tf.slice(proj, [t, 0], [1, -1]);
        const expected: Record<string, tf.Tensor> = cell === 'lstm'
          ? (() => {
            const z = tf.add(x, tf.matMul(hPrev, rk));
            return { input: tf.sigmoid(tf.slice(z, [0, 0], [1, U])), forget: tf.sigmoid(tf.slice(z, [0, U], [1, U])), output: tf.sigmoid(tf.slice(z, [0, 3 * U], [1, U])) };
          })()
          : (() => {
            const z = tf.add(tf.slice(x, [0, 0], [1, 2 * U]), tf.matMul(hPrev, tf.slice(rk, [0, 0], [U, 2 * U])));
            return { update: tf.sigmoid(tf.slice(z, [0, 0], [1, U])), reset: tf.sigmoid(tf.slice(z, [0, U], [1, U])) };
          })();
        for (const [name, e] of Object.entries(expected)) {
          const got = trace.series[name].slice(t * U, (t + 1) * U);
          e.dataSync().forEach((v, j) => {
            maxDiff = Math.max(maxDiff, Math.abs(v - got[j]));
          });
        }
      }
    });
    expect(maxDiff).toBeLessThan(1e-5);
    net.dispose();
  });

  it('refuses the single-frame CNN', async () => {
    const net = createSteeringNet(tinyConfig({ sequence: { kind: 'cnn' } }));
    expect(() => gateTrace(net, new Uint8Array(FB), FRAME)).toThrow(/no recurrent layer/);
    await expect(gateTraceAsync(net, new Uint8Array(FB), FRAME)).rejects.toThrow(/no recurrent layer/);
    net.dispose();
  });

  it.each(['lstm', 'gru', 'rnn'] as CellKind[])('%s: the async trace equals the synchronous one (1e-5) without a synchronous read, tensors flat', async (cell) => {
    const T = 4;
    const net = scrambled(cell, T);
    const frames = syntheticSequence({ count: T, ...FRAME, seed: 3 }).frames;
    const speeds = [0.2, -0.4, 0.1, 0.9];
    const want = gateTrace(net, frames, FRAME, speeds);
    const reads = vi.spyOn(tf.Tensor.prototype, 'dataSync');
    const tensors = tf.memory().numTensors;
    try {
      for (let i = 0; i < 5; i++) {
        const got = await gateTraceAsync(net, frames, FRAME, speeds);
        expect(got).toMatchObject({ kind: cell, steps: T, units: 6 });
        expect(Object.keys(got.series)).toEqual(Object.keys(want.series));
        let maxDiff = 0;
        for (const [name, v] of Object.entries(want.series)) v.forEach((x, j) => (maxDiff = Math.max(maxDiff, Math.abs(x - got.series[name][j]))));
        want.outputs.forEach((x, j) => (maxDiff = Math.max(maxDiff, Math.abs(x - got.outputs[j]))));
        expect(maxDiff).toBeLessThan(1e-5);
      }
      expect(reads).not.toHaveBeenCalled();
      expect(tf.memory().numTensors).toBe(tensors);
    } finally {
      reads.mockRestore();
      net.dispose();
    }
  });

  it('the async trace stops with "disposed" when the model is let go between its two reads', async () => {
    const net = scrambled('lstm', 3);
    const pending = gateTraceAsync(net, syntheticSequence({ count: 3, ...FRAME }).frames, FRAME);
    net.dispose();
    await expect(pending).rejects.toThrow(/disposed/);
  });
});

describe('gradient norms per time step', () => {
  const T = 6;
  const seq = syntheticSequence({ count: 24, ...FRAME });
  const lengths = [12, 12];
  const steering = new Float32Array(lengths.reduce((s, n) => s + n - T + 1, 0));
  let k = 0;
  for (const [g, n] of lengths.entries()) for (let s = 0; s < n - T + 1; s++) steering[k++] = seq.targets[(g * 12 + s + T - 1) * 3] / 0.5;

  function norms(cell: CellKind, recurrentScale: number): Float32Array {
    const net = createSteeringNet(tinyConfig({ seed: 4, sequence: { kind: 'cnn_lstm', cell, window: T } }));
    tf.tidy(() => {
      net.cell!.recurrentKernel.write(tf.mul(net.cell!.recurrentKernel.read(), recurrentScale));
    });
    const before = tf.memory().numTensors;
    const out = timeStepGradients(net, seq.frames, lengths, FRAME, steering);
    expect(tf.memory().numTensors).toBe(before);
    expect(out.windows).toBe(steering.length);
    expect(out.norms.length).toBe(T);
    net.dispose();
    return out.norms;
  }

  it('vanish with distance in a simple RNN with small recurrent weights; the LSTM keeps more', () => {
    const rnn = norms('rnn', 0.1);
    for (let t = 1; t < T; t++) expect(rnn[t]).toBeGreaterThan(rnn[t - 1]);
    const rnnRatio = rnn[0] / rnn[T - 1];
    expect(rnnRatio).toBeLessThan(1e-3);
    const lstm = norms('lstm', 1);
    const lstmRatio = lstm[0] / lstm[T - 1];
    expect(lstmRatio).toBeGreaterThan(100 * rnnRatio);
  });

  it('for the CNN there is one step', () => {
    const net = createSteeringNet(tinyConfig({ sequence: { kind: 'cnn' } }));
    const out = timeStepGradients(net, seq.frames.subarray(0, 4 * FB), [1, 1, 1, 1], FRAME, new Float32Array(4));
    expect(out.norms.length).toBe(1);
    expect(out.norms[0]).toBeGreaterThan(0);
    net.dispose();
  });

  it('the async twin gives the same norms (1e-5) without a synchronous read, also inside an enclosing tidy scope', async () => {
    const net = createSteeringNet(tinyConfig({ seed: 4, sequence: { kind: 'cnn_lstm', cell: 'lstm', window: T } }));
    const want = timeStepGradients(net, seq.frames, lengths, FRAME, steering);
    const reads = vi.spyOn(tf.Tensor.prototype, 'dataSync');
    const tensors = tf.memory().numTensors;
    try {
      // Started inside a scope that ends before the read resolves (a training step's progress callback).
      let pending: Promise<{ norms: Float32Array }> | null = null;
      tf.tidy(() => {
        pending = timeStepGradientsAsync(net, seq.frames, lengths, FRAME, steering);
      });
      const got = await pending!;
      expect(got.norms.length).toBe(T);
      got.norms.forEach((v, t) => expect(Math.abs(v - want.norms[t])).toBeLessThan(1e-5));
      expect(reads).not.toHaveBeenCalled();
      expect(tf.memory().numTensors).toBe(tensors);
    } finally {
      reads.mockRestore();
      net.dispose();
    }
  });
});
