// Adam's and SGD's updates in plain JS (cpu, wasm) and in our module on the wasm heap, against
// the tf ops they replace: the same bits, weights and moments (velocities), over steps with and without the global-norm clip,
// after a save and a restore.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRng } from '../core/rng.ts';
import type { GradientClipConfig, OptimizerConfig } from './config.ts';
import { clipAndApply, createOptimizer, type NamedVariable, type SteeringOptimizer } from './optimizers.ts';
import { initBackend, tf } from './tfSetup.ts';
import { simdConvSettings } from './wasmKernels/simdConv.ts';

const ADAM: OptimizerConfig = { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
const JS_OPTIMIZERS: readonly [string, OptimizerConfig][] = [
  ['Adam', ADAM],
  ['SGD with momentum', { kind: 'sgd', momentum: 0.9, nesterov: false }],
  ['SGD with Nesterov momentum', { kind: 'sgd', momentum: 0.85, nesterov: true }],
];
const SHAPES: readonly (readonly number[])[] = [[5, 5, 3, 4], [4], [37, 11], [1]];

function seededValues(seed: number, n: number, spread: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * spread);
}

let made = 0;
function weightsOf(seed: number): NamedVariable[] {
  return SHAPES.map((shape, i) => {
    const n = shape.reduce((a: number, b: number) => a * b, 1);
    return { name: `w${i}`, variable: tf.tidy(() => tf.variable(tf.tensor(seededValues(seed + i, n, 0.5), [...shape]), true, `opt_test_${made++}`)) };
  });
}

const bitsOf = (ws: readonly NamedVariable[]): Uint32Array[] => ws.map((w) => new Uint32Array(Float32Array.from(w.variable.dataSync() as Float32Array).buffer));

/** Gradients of step `s`, some large enough that the global-norm clip (max 5) acts. */
function gradients(s: number): tf.Tensor[] {
  return SHAPES.map((shape, i) => {
    const n = shape.reduce((a: number, b: number) => a * b, 1);
    return tf.tensor(seededValues(1000 * s + i, n, s % 2 === 0 ? 0.02 : 3), [...shape]);
  });
}

function step(opt: SteeringOptimizer, ws: readonly NamedVariable[], s: number, clip: GradientClipConfig): void {
  tf.tidy(() => {
    clipAndApply(opt, gradients(s), [{ from: 0, to: 2 }, { from: 2, to: ws.length }], clip, 1e-3 * (1 + s));
  });
}

/** Where the update runs: a JS loop on cpu, our module on the wasm heap, and the JS loop on wasm with our module off. */
const PLACES = [['cpu', 'a JS loop', false], ['wasm', 'our module on the heap', true], ['wasm', 'a JS loop', false]] as const;

describe.each(JS_OPTIMIZERS.flatMap(([name, config]) => PLACES.map(([backend, path, heap]) => [name, backend, path, config, heap] as const)))('%s updated on %s by %s', (_name, backend, _path, config, heap) => {
  beforeEach(() => { simdConvSettings.enabled = heap || backend !== 'wasm'; });
  afterEach(() => { simdConvSettings.enabled = true; });
  afterAll(() => tf.disposeVariables());

  it('gives the tf ops\' bits: weights and moments, clipped or not, after a save and restore', async () => {
    await initBackend(backend);
    const before = tf.memory().numTensors;
    const [wJs, wTf] = [weightsOf(7), weightsOf(7)];
    const js = createOptimizer(config, wJs);
    const ref = createOptimizer(config, wTf, { jsUpdate: false });
    expect(js.updatesInJs).toBe(true);
    expect(js.updatesOnHeap).toBe(heap);
    expect(ref.updatesInJs).toBe(false);
    const clip: GradientClipConfig = { kind: 'global-norm', maxNorm: 5 };
    for (let s = 0; s < 6; s++) {
      step(js, wJs, s, s === 4 ? { kind: 'none' } : clip);
      step(ref, wTf, s, s === 4 ? { kind: 'none' } : clip);
      expect(bitsOf(wJs)).toEqual(bitsOf(wTf));
    }
    const [stateJs, stateTf] = [await js.state(), await ref.state()];
    expect(stateJs.step).toBe(6);
    expect(new Uint8Array(stateJs.slots.data)).toEqual(new Uint8Array(stateTf.slots.data));
    // A restore replaces the moments the JS update holds: both go on from the tf optimiser's state.
    const restored = createOptimizer(config, wJs);
    restored.restore(stateTf);
    step(restored, wJs, 6, clip);
    step(ref, wTf, 6, clip);
    expect(bitsOf(wJs)).toEqual(bitsOf(wTf));
    expect(bitsOf(wJs)).not.toEqual(bitsOf(weightsOf(7)));
    for (const o of [js, ref, restored]) o.dispose();
    for (const w of [...wJs, ...wTf]) w.variable.dispose();
    tf.disposeVariables();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('applies a scale as tf.mul would, and refuses a non-finite one', async () => {
    await initBackend(backend);
    const [wJs, wTf] = [weightsOf(3), weightsOf(3)];
    const js = createOptimizer(config, wJs);
    const ref = createOptimizer(config, wTf, { jsUpdate: false });
    tf.tidy(() => {
      js.apply(gradients(1), 2e-3, 0.3712);
      ref.apply(gradients(1), 2e-3, 0.3712);
    });
    expect(bitsOf(wJs)).toEqual(bitsOf(wTf));
    expect(() => tf.tidy(() => js.apply(gradients(1), 1e-3, Number.NaN))).toThrow(/scale must be finite/);
    js.dispose();
    ref.dispose();
  });
});

describe('optimisers that stay on tf ops', () => {
  it('RMSProp does not update in JS', async () => {
    await initBackend('wasm');
    const ws = weightsOf(11);
    for (const config of [{ kind: 'rmsprop', decay: 0.9, momentum: 0, epsilon: 1e-7 }] as const) {
      const opt = createOptimizer(config as OptimizerConfig, ws);
      expect(opt.updatesInJs).toBe(false);
      opt.dispose();
    }
    for (const w of ws) w.variable.dispose();
  });
});

describe('clipAndApply on the wasm heap (our module\'s sums of squares)', () => {
  afterEach(() => { simdConvSettings.optimizer = true; });

  it.each([
    ['global-norm', { kind: 'global-norm', maxNorm: 5 }],
    ['value', { kind: 'value', maxValue: 0.5 }],
    ['none', { kind: 'none' }],
  ] as const)('reports the norms and clips as the tf ops do (%s)', async (_, clip) => {
    await initBackend('wasm');
    const run = (heap: boolean): { norms: number[]; weights: Float32Array[] } => {
      simdConvSettings.optimizer = heap;
      const ws = weightsOf(21);
      const opt = createOptimizer(ADAM, ws);
      expect(opt.updatesOnHeap).toBe(heap);
      const norms = tf.tidy(() => {
        const r = clipAndApply(opt, gradients(1), [{ from: 0, to: 2 }, { from: 2, to: ws.length }], clip as GradientClipConfig, 1e-2);
        return Array.from(tf.concat([tf.stack(r.layerNorms), tf.reshape(r.globalNorm, [1]), tf.reshape(r.appliedNorm, [1])]).dataSync());
      });
      const weights = ws.map((w) => Float32Array.from(w.variable.dataSync() as Float32Array));
      opt.dispose();
      for (const w of ws) w.variable.dispose();
      return { norms, weights };
    };
    const before = tf.memory().numTensors;
    const [heap, ops] = [run(true), run(false)];
    expect(tf.memory().numTensors).toBe(before);
    expect(heap.norms).toHaveLength(4);
    // Gradients of step 1 are large: the global-norm clip acts (the applied norm is the cap).
    if (clip.kind === 'global-norm') expect(heap.norms[3]).toBeCloseTo(5, 4);
    heap.norms.forEach((v, i) => expect(Math.abs(v - ops.norms[i])).toBeLessThan(1e-5 * ops.norms[i]));
    heap.weights.forEach((w, i) => w.forEach((v, j) => expect(Math.abs(v - ops.weights[i][j])).toBeLessThan(1e-6)));
  });
});
