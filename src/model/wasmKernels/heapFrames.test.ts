// A batch's frames made on the wasm heap by our module (heapFrames.ts) against the JS path they
// replace (frameValues, then the upload): the same float32 bits, at the model's size and from the
// dash camera's (the 2x2 box), augmented and standardised in place; the other resizes keep the JS
// path; nothing leaks.
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../core/rng.ts';
import { drawAugmentations } from '../augment.ts';
import { createConfig, type ModelConfig } from '../config.ts';
import { framesToTensor, trainingFrames, type FrameSize } from '../preprocess.ts';
import { initBackend, tf } from '../tfSetup.ts';
import { heapFrames } from './heapFrames.ts';
import { simdConvSettings } from './simdConv.ts';

const bytes = (seed: number, n: number): Uint8Array => {
  const rng = createRng(seed);
  // Every byte value, then random ones: the tables' ends (0, 255, sums 0 and 1020) are covered.
  return Uint8Array.from({ length: n }, (_, i) => (i < 256 ? i : i < 512 ? 255 : Math.floor(rng.next() * 256)));
};

/** The result's bits, and whether heapFrames made it (our module on) or the JS path did. */
function both(make: () => tf.Tensor): { heap: Uint32Array; js: Uint32Array } {
  const run = (enabled: boolean): Uint32Array => {
    simdConvSettings.enabled = enabled;
    try {
      const t = make();
      const bits = new Uint32Array((t.dataSync() as Float32Array).slice().buffer);
      t.dispose();
      return bits;
    } finally {
      simdConvSettings.enabled = true;
    }
  };
  return { heap: run(true), js: run(false) };
}

const config = createConfig();
const input = (over: Partial<ModelConfig['input']> = {}): ModelConfig['input'] => ({ ...config.input, width: 100, height: 33, ...over });
const dash: FrameSize = { width: 200, height: 66 };
const model: FrameSize = { width: 100, height: 33 };

beforeAll(async () => {
  expect((await initBackend('wasm')).simdConv).toBeNull();
});

describe('heapFrames', () => {
  it.each([
    ['at the model\'s size', model, 5],
    ['from the dash camera\'s, 2x2 area boxes', dash, 7],
  ] as const)('framesToTensor %s: the JS path\'s bits', (_, size, count) => {
    const frames = bytes(count, count * size.width * size.height * 3);
    expect(heapFrames(frames, count, size, model, 'area')).not.toBeNull();
    for (const standardize of [false, true]) {
      const { heap, js } = both(() => framesToTensor(frames, count, size, input({ resize: 'area', standardize })));
      expect(heap.length).toBe(count * 33 * 100 * 3);
      expect(heap).toEqual(js);
    }
  });

  it('trainingFrames with every augmentation drawn: the JS path\'s bits', () => {
    const augmentation = { ...config.augmentation, brightness: 0.3, contrast: 0.3, shadowProbability: 0.7, flipProbability: 0.5, shiftX: 6, shiftY: 3 };
    const lengths = [4, 3, 5];
    const count = 12;
    for (const size of [dash, model]) {
      const frames = bytes(11, count * size.width * size.height * 3);
      const draws = drawAugmentations(augmentation, model, createRng(3), lengths.length);
      const { heap, js } = both(() => trainingFrames(frames, count, size, input({ standardize: true }), draws, lengths));
      expect(heap).toEqual(js);
    }
  });

  it('leaves to the JS path what it does not do: bilinear and other area factors, another backend', async () => {
    const frames = bytes(2, 2 * 200 * 66 * 3);
    expect(heapFrames(frames, 2, dash, model, 'bilinear')).toBeNull();
    expect(heapFrames(bytes(2, 2 * 150 * 99 * 3), 2, { width: 150, height: 99 }, { width: 50, height: 33 }, 'area')).toBeNull();
    simdConvSettings.enabled = false;
    try {
      expect(heapFrames(frames, 2, dash, model, 'area')).toBeNull();
    } finally {
      simdConvSettings.enabled = true;
    }
    await initBackend('cpu');
    try {
      expect(heapFrames(frames, 2, dash, model, 'area')).toBeNull();
    } finally {
      await initBackend('wasm');
    }
  });

  it('refuses frames of the wrong length before touching the heap, and a failed augmentation frees its tensor', () => {
    const before = tf.memory().numTensors;
    expect(() => framesToTensor(bytes(1, 100), 2, dash, input())).toThrow(/expected 2 RGB frames/);
    const frames = bytes(4, 3 * 200 * 66 * 3);
    const draws = drawAugmentations(config.augmentation, model, createRng(1), 2);
    expect(() => trainingFrames(frames, 3, dash, input(), draws, [1, 1])).toThrow(/draws for/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the tensor count and the wasm heap flat over many batches', () => {
    const frames = bytes(5, 16 * 200 * 66 * 3);
    const heapBytes = (): number => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;
    const step = (): void => framesToTensor(frames, 16, dash, input()).dispose();
    for (let i = 0; i < 5; i++) step();
    const [tensors, heap] = [tf.memory().numTensors, heapBytes()];
    for (let i = 0; i < 100; i++) step();
    expect([tf.memory().numTensors, heapBytes()]).toEqual([tensors, heap]);
  });
});
