// Conv2DBackpropFilter and Conv2DBackpropInput on wasm (ours) against tfjs' cpu backend.
import { beforeAll, describe, expect, it } from 'vitest';
import { getKernel } from '@tensorflow/tfjs-core';
import { initBackend, tf } from '../tfSetup.ts';
import { conv2DBackpropFilterConfig } from './conv2dBackpropFilter.ts';
import { conv2DBackpropInputConfig } from './conv2dBackpropInput.ts';
import { maxPoolGradConfig } from './maxPoolGrad.ts';
import { compareBackends, seededTensor, type ParityResult } from './parity.ts';
import { CONV_CASE_SHAPES, convGradientCases } from './parityCases.ts';
import { simdConvSettings } from './simdConv.ts';
import { convKernelTuning } from './wasmHeap.ts';

const TOLERANCE = 1e-4;
const cases = convGradientCases();
// The parity cases run on our SIMD kernels (simdConv.ts, the default where they start), then on
// the XNNPACK paths: dx as stride phases (convKernelTuning.phaseDxMinElements 0), then again
// with one image per chunk and dx through patch space, so batches of 2 and 3 take the multi-chunk
// col2im path.
const chunkedCases = cases.filter((c) => !c.name.startsWith(`conv2d ${CONV_CASE_SHAPES[0].batch}x`));
let simdResults = new Map<string, ParityResult>();
let simdStarted: string | null | undefined;
let results = new Map<string, ParityResult>();
let chunkedResults = new Map<string, ParityResult>();

beforeAll(async () => {
  const saved = { ...convKernelTuning };
  try {
    simdStarted = (await initBackend('wasm')).simdConv;
    simdResults = new Map((await compareBackends(cases)).map((r) => [r.name, r]));
    simdConvSettings.enabled = false;
    convKernelTuning.phaseDxMinElements = 0;
    results = new Map((await compareBackends(cases)).map((r) => [r.name, r]));
    convKernelTuning.patchChunkElements = 1;
    convKernelTuning.phaseDxMinElements = Infinity;
    chunkedResults = new Map((await compareBackends(chunkedCases)).map((r) => [r.name, r]));
  } finally {
    Object.assign(convKernelTuning, saved);
    simdConvSettings.enabled = true;
  }
}, 300_000);

describe('conv2d gradients on our SIMD kernels, wasm vs cpu', () => {
  it('run here (the module started over the backend\'s memory)', () => expect(simdStarted).toBeNull());
  it.each(cases.map((c) => c.name))('%s', (name) => {
    const r = simdResults.get(name);
    expect(r?.outputs).toBe(3);
    expect(r!.relError).toBeLessThan(TOLERANCE);
  });
});

describe('conv2d gradients on the XNNPACK paths, wasm vs cpu', () => {
  it.each(cases.map((c) => c.name))('%s', (name) => {
    const r = results.get(name);
    expect(r, 'case ran').toBeDefined();
    expect(r!.outputs).toBe(3); // y, dx, dW
    expect(r!.relError).toBeLessThan(TOLERANCE);
  });
});

describe('conv2d gradients computed one image per chunk, dx through patch space, wasm vs cpu', () => {
  it('covers batches of more than one image', () => expect(chunkedCases.length).toBeGreaterThan(20));
  it.each(chunkedCases.map((c) => c.name))('%s', (name) => {
    expect(chunkedResults.get(name)?.relError).toBeLessThan(TOLERANCE);
  });
});

describe('wasm training kernels', () => {
  it('are the ones the wasm backend runs', async () => {
    await initBackend('wasm');
    expect(getKernel('Conv2DBackpropFilter', 'wasm')).toBe(conv2DBackpropFilterConfig);
    expect(getKernel('Conv2DBackpropInput', 'wasm')).toBe(conv2DBackpropInputConfig);
    expect(getKernel('MaxPoolGrad', 'wasm')).toBe(maxPoolGradConfig);
  });

  it('free every scratch buffer they allocate on the wasm heap', async () => {
    await initBackend('wasm');
    const x = seededTensor([2, 9, 8, 3], 'leak/x') as tf.Tensor4D;
    const w = seededTensor([3, 3, 3, 4], 'leak/w') as tf.Tensor4D;
    const step = () => tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')))([x, w]));
    tf.dispose(step()); // first call may create long-lived XNNPACK state
    const before = tf.engine().backend.numDataIds();
    tf.dispose(step());
    expect(tf.engine().backend.numDataIds()).toBe(before);
    tf.dispose([x, w]);
  });
});
