// A training batch's frames prepared in JS against the tensor ops they replaced, on the cpu and
// wasm backends: framesToTensor's area resize (areaResizeBytes) against scaling then
// resizeFrames 'area' (two weight-matrix products), for the dash camera's halving and uneven
// factors; and trainingFrames' augmentation in JS (augmentValues) against augmentFrames' tensor
// ops with many seeded draws (mirror, shifts, contrast, brightness, shadows): same values to
// float rounding, no tensor left behind.
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../core/rng.ts';
import { DEFAULT_CONFIG } from './config.ts';
import { areaResizeBytes } from './areaResize.ts';
import { augmentFrames, drawAugmentations, framesToTensor, resizeFrames, trainingFrames, type AugmentDraw } from './preprocess.ts';
import { standardizeFrames } from './standardize.ts';
import { initBackend, tf, type BackendName } from './tfSetup.ts';

function noiseFrames(count: number, w: number, h: number, seed: number): Uint8Array {
  let s = seed;
  return Uint8Array.from({ length: count * w * h * 3 }, () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) >> 16) & 255);
}

/** The tensor path: bytes scaled to -1..1, then resizeFrames 'area'. */
function reference(frames: Uint8Array, count: number, from: { width: number; height: number }, to: { width: number; height: number }): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(frames, (b) => b / 127.5 - 1), [count, from.height, from.width, 3]);
    return resizeFrames(x, to, 'area').dataSync() as Float32Array;
  });
}

const CASES = [
  { from: { width: 200, height: 66 }, to: { width: 100, height: 33 } }, // the default dash camera -> input
  { from: { width: 40, height: 30 }, to: { width: 16, height: 12 } }, // uneven factors
  { from: { width: 7, height: 5 }, to: { width: 3, height: 5 } }, // columns only
  { from: { width: 9, height: 11 }, to: { width: 9, height: 4 } }, // rows only
  { from: { width: 5, height: 4 }, to: { width: 8, height: 6 } }, // enlarging
];

afterAll(async () => {
  await initBackend('cpu');
});

describe.each(['cpu', 'wasm'] as BackendName[])('area resize in JS (%s)', (backend) => {
  it('gives the tensor path\'s values to float rounding', async () => {
    await initBackend(backend);
    for (const [k, { from, to }] of CASES.entries()) {
      const count = k === 0 ? 4 : 3;
      const frames = noiseFrames(count, from.width, from.height, k + 1);
      const js = areaResizeBytes(frames, count, from, to);
      const ref = reference(frames, count, from, to);
      expect(js.length).toBe(ref.length);
      let worst = 0;
      for (let i = 0; i < js.length; i++) worst = Math.max(worst, Math.abs(js[i] - ref[i]));
      expect(worst, `${from.width}x${from.height} -> ${to.width}x${to.height}`).toBeLessThan(2e-6);
    }
  });

  it('is what framesToTensor returns for area resizing, and leaves no tensor behind', async () => {
    await initBackend(backend);
    const from = CASES[0].from;
    const to = CASES[0].to;
    const frames = noiseFrames(2, from.width, from.height, 9);
    const before = tf.memory().numTensors;
    const x = framesToTensor(frames, 2, from, { ...to, resize: 'area' });
    expect(x.shape).toEqual([2, to.height, to.width, 3]);
    expect(Array.from(x.dataSync())).toEqual(Array.from(areaResizeBytes(frames, 2, from, to)));
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe.each(['cpu', 'wasm'] as BackendName[])('trainingFrames (%s)', (backend) => {
  const from = { width: 200, height: 66 };
  const input = { ...DEFAULT_CONFIG.input, standardize: false }; // 100x33, area, the scaled frames
  const lengths = [4, 3, 1, 2];
  const count = 10;

  /** The tensor path: framesToTensor, then augmentFrames on the device ('gather' geometry). */
  function reference(frames: Uint8Array, draws: readonly AugmentDraw[]): Float32Array {
    return tf.tidy(() => augmentFrames(framesToTensor(frames, count, from, input), draws, lengths, 'gather').dataSync() as Float32Array);
  }

  function worstDiff(frames: Uint8Array, draws: readonly AugmentDraw[] | null): number {
    const before = tf.memory().numTensors;
    const x = trainingFrames(frames, count, from, input, draws, lengths);
    expect(x.shape).toEqual([count, input.height, input.width, 3]);
    const got = x.dataSync();
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const ref = draws ? reference(frames, draws) : areaResizeBytes(frames, count, from, input);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - ref[i]));
    return worst;
  }

  it('augments like augmentFrames, to float rounding, over many draws', async () => {
    await initBackend(backend);
    const frames = noiseFrames(count, from.width, from.height, 5);
    // The default augmentation with shifts both ways, shadows on every other group, and a batch with none.
    const a = { ...DEFAULT_CONFIG.augmentation, shiftX: 3, shiftY: 2, shadowProbability: 0.6 };
    const rng = createRng(7);
    let shadows = 0;
    let flips = 0;
    for (let trial = 0; trial < 6; trial++) {
      const draws = drawAugmentations(a, input, rng, lengths.length);
      shadows += draws.filter((d) => d.shadow).length;
      flips += draws.filter((d) => d.flip).length;
      expect(worstDiff(frames, draws), `trial ${trial}`).toBeLessThan(1e-5);
    }
    expect(shadows).toBeGreaterThan(2);
    expect(flips).toBeGreaterThan(2);
    expect(worstDiff(frames, null)).toBe(0);
  });

  it('moves each frame its own way in one batch: mirrored, rows only, columns only, not at all', async () => {
    await initBackend(backend);
    const frames = noiseFrames(count, from.width, from.height, 11);
    const none: AugmentDraw = { flip: false, brightness: 0, contrast: 1, shadow: null, dx: 0, dy: 0 };
    // Rows only (dy, no mirror) are copied whole; the others pixel by pixel; the last group stays put.
    const draws = [{ ...none, flip: true, dy: -1 }, { ...none, dy: 2 }, { ...none, dx: -2 }, none];
    expect(worstDiff(frames, draws)).toBe(0);
    const withContrast = draws.map((d, g) => ({ ...d, contrast: 1 + 0.1 * g, brightness: 0.05 * g }));
    expect(worstDiff(frames, withContrast)).toBeLessThan(1e-5);
  });

  it('puts a pixel on the shadow line on the side augmentFrames puts it', async () => {
    await initBackend(backend);
    const frames = new Uint8Array(count * from.width * from.height * 3).fill(200);
    // A line through pixel centres (top 10, bottom 42 over 32 rows: one column per row): step(0) = 0 there.
    const none: AugmentDraw = { flip: false, brightness: 0, contrast: 1, shadow: null, dx: 0, dy: 0 };
    const draws = lengths.map((_, g) => ({ ...none, shadow: { top: 10 + g, bottom: 42 + g, left: g % 2 === 0, darkness: 0.5 } }));
    expect(worstDiff(frames, draws)).toBeLessThan(1e-6);
  });
});

describe.each(['cpu', 'wasm'] as BackendName[])('input.standardize (%s)', (backend) => {
  const from = { width: 200, height: 66 };
  const input = { ...DEFAULT_CONFIG.input, standardize: true };
  const plain = { ...DEFAULT_CONFIG.input, standardize: false };
  const count = 3;

  it('gives each frame channel zero mean and unit spread, the same in inference and in training', async () => {
    await initBackend(backend);
    const frames = noiseFrames(count, from.width, from.height, 11);
    const before = tf.memory().numTensors;
    const x = framesToTensor(frames, count, from, input);
    const { mean, variance } = tf.moments(x, [1, 2]);
    for (const m of mean.dataSync()) expect(Math.abs(m)).toBeLessThan(1e-4);
    for (const v of variance.dataSync()) expect(v).toBeCloseTo(1, 3);
    const t = trainingFrames(frames, count, from, input, null, [count]);
    expect(Array.from(t.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, mean, variance, t]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('maps a frame and a dimmer, tinted copy of it to the same values (the light of the theme)', async () => {
    await initBackend(backend);
    const bright = noiseFrames(1, from.width, from.height, 3);
    // Dusk-like: each channel scaled and shifted by its own amount.
    const dim = bright.map((b, i) => Math.round([0.6, 0.45, 0.3][i % 3] * b + [20, 10, 5][i % 3]));
    const unscaled = tf.tidy(() => tf.abs(tf.sub(framesToTensor(bright, 1, from, plain), framesToTensor(dim, 1, from, plain))).max().dataSync()[0]);
    const std = tf.tidy(() => tf.abs(tf.sub(framesToTensor(bright, 1, from, input), framesToTensor(dim, 1, from, input))).max().dataSync()[0]);
    expect(unscaled).toBeGreaterThan(0.3);
    expect(std).toBeLessThan(0.05); // rounding of the dimmed bytes only
  });

  it('keeps a flat frame finite (its spread is floored)', async () => {
    await initBackend(backend);
    const flat = new Uint8Array(from.width * from.height * 3).fill(90);
    const v = tf.tidy(() => framesToTensor(flat, 1, from, input).dataSync());
    expect(v.every((x) => x === 0)).toBe(true);
  });

  it('standardises after the augmentation, the JS path as the tensor path', async () => {
    await initBackend(backend);
    const frames = noiseFrames(4, from.width, from.height, 9);
    const draws = drawAugmentations({ ...DEFAULT_CONFIG.augmentation, shadowProbability: 1 }, input, createRng(3), 2);
    const got = tf.tidy(() => trainingFrames(frames, 4, from, input, draws, [2, 2]).dataSync());
    const ref = tf.tidy(() => standardizeFrames(augmentFrames(framesToTensor(frames, 4, from, plain), draws, [2, 2], 'gather')).dataSync());
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - ref[i]));
    expect(worst).toBeLessThan(1e-4);
  });
});
