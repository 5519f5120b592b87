// Node suite 'conv_kernels': our wasm conv gradient kernels, layer by layer on the default
// PilotNet (66x200, batch 32), against the Conv2DBackpropInput that tfjs-backend-wasm ships.
// (No cpu here: its Conv2DBackpropFilter takes minutes per layer in Node; the browser suite
// 'train' compares whole steps with cpu.)
import { getKernel, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { initBackend, tf } from '../../src/model/tfSetup.ts';
import { replacedWasmKernel } from '../../src/model/wasmKernels/index.ts';
import { figure, sample, type Figure, type SamplingBudget, type SuiteOptions, type SuiteResult } from '../lib/stats.ts';

/** [height, width, inChannels, outChannels, kernel, stride] of PilotNet's convs at 66x200. */
const LAYERS: [number, number, number, number, number, number][] = [
  [66, 200, 3, 24, 5, 2], [31, 98, 24, 36, 5, 2], [14, 47, 36, 48, 5, 2], [5, 22, 48, 64, 3, 1], [3, 20, 64, 64, 3, 1],
];

/** Runs fn with `config` registered in place of the current kernel of the same name. */
async function withKernel<T>(config: KernelConfig, fn: () => Promise<T>): Promise<T> {
  const current = getKernel(config.kernelName, config.backendName);
  if (current) unregisterKernel(config.kernelName, config.backendName);
  registerKernel(config);
  try {
    return await fn();
  } finally {
    unregisterKernel(config.kernelName, config.backendName);
    if (current) registerKernel(current);
  }
}

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  const batch = options.quick ? 4 : 32;
  const layers = options.quick ? LAYERS.slice(1, 3) : LAYERS;
  const fast: SamplingBudget = { warmup: 1, minRuns: 3, maxRuns: 10, budgetMs: options.quick ? 300 : 2_000, hardLimitMs: 30_000 };
  const figures: Record<string, Figure> = {};
  const ratios: Record<string, number> = {};
  const totals: Record<string, number> = {};
  const add = (key: string, f: Figure) => {
    figures[key] = f;
    const total = key.replace(/\.L\d$/, '.total');
    totals[total] = (totals[total] ?? 0) + f.median;
  };

  const timeLayer = async (backend: 'wasm' | 'wasm_shipped', l: (typeof LAYERS)[number], i: number) => {
    const [h, w, ci, co, k, s] = l;
    const x = tf.randomNormal([batch, h, w, ci]) as tf.Tensor4D;
    const filter = tf.randomNormal([k, k, ci, co]) as tf.Tensor4D;
    const dy = tf.randomNormal(tf.conv2d(x, filter, s, 'valid').shape) as tf.Tensor4D;
    const budget = fast;
    const conv = { strides: [s, s], pad: 'valid', dataFormat: 'NHWC' } as const;
    const timeKernel = (name: string, inputs: Record<string, tf.Tensor>, attrs: object) => sample(() => {
      const r = tf.engine().runKernel(name, inputs, attrs as never) as tf.Tensor;
      r.dataSync();
      r.dispose();
    }, budget);
    const tag = `${backend}.L${i + 1}`;
    if (backend !== 'wasm_shipped') {
      add(`conv_backprop_filter_ms.${tag}`, figure(await timeKernel('Conv2DBackpropFilter', { x, dy }, { ...conv, filterShape: filter.shape }), 'ms'));
    }
    add(`conv_backprop_input_ms.${tag}`, figure(await timeKernel('Conv2DBackpropInput', { dy, filter }, { ...conv, inputShape: x.shape }), 'ms'));
    tf.dispose([x, filter, dy]);
  };

  await initBackend('wasm');
  const shipped = replacedWasmKernel('Conv2DBackpropInput');
  for (const [i, l] of layers.entries()) {
    await timeLayer('wasm', l, i);
    if (shipped) await withKernel(shipped, () => timeLayer('wasm_shipped', l, i));
  }

  for (const [k, v] of Object.entries(totals)) figures[k] = { median: v, min: v, max: v, unit: 'ms (sum of layer medians)', runs: 1 };
  const t = (key: string) => totals[key] ?? NaN;
  ratios['conv_backprop_input_vs_shipped.wasm'] = t('conv_backprop_input_ms.wasm_shipped.total') / t('conv_backprop_input_ms.wasm.total');
  return {
    figures,
    ratios,
    notes: [`PilotNet 66x200 conv layers L1..L${layers.length}, batch ${batch}, 'valid' padding, Node ${process.version}`],
  };
}
