// Frames to tensors (scaling, area and bilinear resize), target normalisation, and the seeded
// augmentation: mirror with steering flipped, shifts, photometric changes, determinism.
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../core/rng.ts';
import { DEFAULT_CONFIG } from './config.ts';
import { areaWeights } from './areaResize.ts';
import {
  augmentationIsOff, augmentFrames, augmentTargets, computeTargetNormalization, denormalizeOutputs, drawAugmentations,
  framesToTensor, normalizeTargets, NO_AUGMENTATION, type AugmentDraw,
} from './preprocess.ts';
import { initBackend, tf } from './tfSetup.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

/** A w x h RGB frame whose red channel is the column index and green the row index. */
function gradientFrame(w: number, h: number): Uint8Array {
  const f = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) f.set([x, y, 100], (y * w + x) * 3);
  return f;
}

describe('framesToTensor', () => {
  it('scales bytes to -1..1 and keeps the size when it already matches', () => {
    const frame = new Uint8Array([0, 255, 127.5, 51, 204, 0]);
    const x = framesToTensor(frame, 1, { width: 2, height: 1 }, { width: 2, height: 1, resize: 'area' });
    expect(x.shape).toEqual([1, 1, 2, 3]);
    const v = Array.from(x.dataSync());
    expect(v[0]).toBeCloseTo(-1, 6);
    expect(v[1]).toBeCloseTo(1, 6);
    expect(v[3]).toBeCloseTo(51 / 127.5 - 1, 6);
    x.dispose();
  });

  it('area-resizes by averaging whole and partial pixels', () => {
    // 4x2 -> 2x1: each output pixel is the mean of a 2x2 block.
    const frame = gradientFrame(4, 2);
    const x = framesToTensor(frame, 1, { width: 4, height: 2 }, { width: 2, height: 1, resize: 'area' });
    const v = x.dataSync();
    expect(x.shape).toEqual([1, 1, 2, 3]);
    expect(v[0]).toBeCloseTo(0.5 / 127.5 - 1, 5); // red: mean of columns 0 and 1
    expect(v[3]).toBeCloseTo(2.5 / 127.5 - 1, 5); // red: mean of columns 2 and 3
    expect(v[1]).toBeCloseTo(0.5 / 127.5 - 1, 5); // green: mean of rows 0 and 1
    x.dispose();
    // Non-integer factors: rows of the weight matrix sum to 1 and cover the input evenly.
    const m = areaWeights(5, 3);
    for (let i = 0; i < 3; i++) expect(m.subarray(i * 5, i * 5 + 5).reduce((s, a) => s + a, 0)).toBeCloseTo(1, 6);
    for (let j = 0; j < 5; j++) expect(m[j] + m[5 + j] + m[10 + j]).toBeCloseTo(3 / 5, 6);
  });

  it('resizes a batch of clip-sized frames to the model input with either method', () => {
    const frames = new Uint8Array(3 * 40 * 30 * 3).map((_, i) => (i * 37) % 256);
    for (const resize of ['area', 'bilinear'] as const) {
      const x = framesToTensor(frames, 3, { width: 40, height: 30 }, { width: 16, height: 12, resize });
      expect(x.shape).toEqual([3, 12, 16, 3]);
      const v = x.dataSync();
      expect(Math.min(...v)).toBeGreaterThanOrEqual(-1.0001);
      expect(Math.max(...v)).toBeLessThanOrEqual(1.0001);
      x.dispose();
    }
    // A uniform frame stays uniform whatever the resampling.
    const flat = new Uint8Array(2 * 40 * 30 * 3).fill(200);
    const y = framesToTensor(flat, 2, { width: 40, height: 30 }, { width: 16, height: 12, resize: 'area' });
    for (const a of y.dataSync()) expect(a).toBeCloseTo(200 / 127.5 - 1, 5);
    y.dispose();
  });

  it('refuses frames of the wrong byte count', () => {
    expect(() => framesToTensor(new Uint8Array(10), 1, { width: 2, height: 2 }, DEFAULT_CONFIG.input)).toThrow('expected 1 RGB frames of 2x2 (12 bytes), got 10 bytes');
  });
});

describe('target normalisation', () => {
  it('computes mean and std per head and round-trips values', () => {
    const t = new Float32Array([0.5, 10, 0, -0.5, 20, 0, 0.5, 30, 0]);
    const n = computeTargetNormalization(t);
    expect(n.mean.steering).toBeCloseTo(1 / 6, 6);
    expect(n.mean.speed).toBeCloseTo(20, 5);
    expect(n.std.speed).toBeCloseTo(Math.sqrt(200 / 3), 4);
    expect(n.std.torque).toBe(1e-3); // a constant head keeps a floor instead of dividing by 0
    const z = normalizeTargets(t, n);
    expect(z[1]).toBeCloseTo(-10 / Math.sqrt(200 / 3), 4);
    expect(Array.from(denormalizeOutputs(z, n))).toEqual(Array.from(t).map((v) => expect.closeTo(v, 4)));
    expect(() => computeTargetNormalization(new Float32Array([1, NaN, 0]))).toThrow('not a finite number');
  });
});

describe('augmentation', () => {
  const input = { width: 16, height: 12 };

  it('mirrors the frames and flips the steering sign together', () => {
    const frames = gradientFrame(16, 12);
    const x = framesToTensor(frames, 1, input, { ...input, resize: 'area' });
    const flip: AugmentDraw = { ...NO_AUGMENTATION, flip: true };
    const y = augmentFrames(x, [flip], [1]);
    const expected = tf.reverse(x, 2);
    expect(tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0]).toBeLessThan(1e-6);
    expect(Array.from(augmentTargets(new Float32Array([0.3, 12, 0.2]), [flip], [1], 0))).toEqual([Math.fround(-0.3), 12, Math.fround(0.2)]);
    tf.dispose([x, y, expected]);
  });

  it('shifts content by whole pixels and optionally corrects the steering label', () => {
    const x = framesToTensor(gradientFrame(16, 12), 1, input, { ...input, resize: 'area' });
    const y = augmentFrames(x, [{ ...NO_AUGMENTATION, dx: 2, dy: 1 }], [1]);
    const xv = x.arraySync()[0];
    const yv = y.arraySync()[0];
    expect(yv[5][7][0]).toBeCloseTo(xv[4][5][0], 5); // content moved 2 right, 1 down
    expect(yv[5][0][0]).toBeCloseTo(xv[4][0][0], 5); // edges repeat
    const t = augmentTargets(new Float32Array([0.1, 5, 0, 0.95, 5, 0]), [{ ...NO_AUGMENTATION, dx: 2, dy: 0 }], [2], 0.05);
    expect(t[0]).toBeCloseTo(0.2, 6);
    expect(t[3]).toBe(1); // clamped
    tf.dispose([x, y]);
  });

  it('applies one draw to every frame of a group, stays in -1..1, and is reproducible from the seed', () => {
    const a = { ...DEFAULT_CONFIG.augmentation, shadowProbability: 1 };
    const frames = new Uint8Array(5 * 16 * 12 * 3).map((_, i) => (i * 13) % 256);
    const x = framesToTensor(frames, 5, input, { ...input, resize: 'area' });
    const draw = () => drawAugmentations(a, input, createRng(9).fork('augment:0'), 2);
    const d1 = draw();
    expect(draw()).toEqual(d1);
    expect(drawAugmentations(a, input, createRng(10).fork('augment:0'), 2)).not.toEqual(d1);
    const y1 = augmentFrames(x, d1, [3, 2]);
    const y2 = augmentFrames(x, draw(), [3, 2]);
    expect(Array.from(y1.dataSync())).toEqual(Array.from(y2.dataSync()));
    const v = y1.dataSync();
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    expect(tf.max(tf.abs(tf.sub(y1, x))).dataSync()[0]).toBeGreaterThan(0.01);
    // Frames of one group share the draw: the same input frame gives the same output within a group.
    const same = framesToTensor(new Uint8Array(3 * 16 * 12 * 3).map((_, i) => (i % (16 * 12 * 3)) % 256), 3, input, { ...input, resize: 'area' });
    const z = augmentFrames(same, [d1[0]], [3]).arraySync();
    expect(z[1]).toEqual(z[0]);
    expect(z[2]).toEqual(z[0]);
    tf.dispose([x, y1, y2, same]);
  });

  it('moves the same pixels on the CPU path and the device (gather) path', () => {
    const frames = new Uint8Array(4 * 16 * 12 * 3).map((_, i) => (i * 29) % 256);
    const x = framesToTensor(frames, 4, input, { ...input, resize: 'area' });
    const draws: AugmentDraw[] = [
      { ...NO_AUGMENTATION, flip: true, dx: -3, dy: 2 },
      { ...NO_AUGMENTATION, dx: 4, dy: -1 },
      { ...NO_AUGMENTATION, flip: true },
    ];
    const js = augmentFrames(x, draws, [2, 1, 1], 'js');
    const gather = augmentFrames(x, draws, [2, 1, 1], 'gather');
    expect(Array.from(js.dataSync())).toEqual(Array.from(gather.dataSync()));
    expect(Array.from(js.dataSync())).not.toEqual(Array.from(x.dataSync()));
    tf.dispose([x, js, gather]);
  });

  it('does nothing when switched off', () => {
    const off = { brightness: 0, contrast: 0, shadowProbability: 0, shadowDarkness: 0.5, flipProbability: 0, shiftX: 0, shiftY: 0, shiftSteerPerPixel: 0 };
    expect(augmentationIsOff(off)).toBe(true);
    expect(augmentationIsOff(DEFAULT_CONFIG.augmentation)).toBe(false);
    const x = tf.randomUniform([2, 12, 16, 3], -1, 1) as tf.Tensor4D;
    const y = augmentFrames(x, drawAugmentations(off, input, createRng(1), 2), [1, 1]);
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, y]);
  });
});
