// Saliency that can be wrong: VisualBackProp on a frame whose content sits in one patch puts
// its mass there and moves with it; Grad-CAM (and HiResCAM) on a model whose embedding weights
// are zero outside a known patch, or over the left half, follow those weights; the receptive
// field geometry of the transposed convolution; no tensor kept across many calls. The async
// twins (no synchronous read, for webgpu) give the same maps. Grad-CAM in pieces (the older
// steps of the cell from their state, without a gradient) equals Grad-CAM over the whole window
// in one gradient, and its longest piece does not grow with the window.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { CellKind, ConvLayerConfig } from './config.ts';
import { createSteeringNet, netWeights, type SteeringNet } from './factory.ts';
import { applyHeads, encodeFrames, projectInputs, runCell, speedColumn, withSpeeds } from './forward.ts';
import { framesToTensor } from './preprocess.ts';
import { convGeometries, gradCam, gradCamAsync, lookAtFrame, lookAtFrameAsync, spreadToInput } from './saliency.ts';
import { initBackend, tf } from './tfSetup.ts';
import { randomizeWeights, tinyConfig } from './testKit.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const H = 24;
const W = 32;
const SIZE = { width: W, height: H };
const CONVS: ConvLayerConfig[] = [
  { filters: 6, kernel: 3, stride: 2, padding: 'valid', activation: 'relu' },
  { filters: 8, kernel: 3, stride: 1, padding: 'same', activation: 'relu' },
];

function net(kind: 'cnn' | 'cnn_lstm', seed = 3): SteeringNet {
  const n = createSteeringNet(tinyConfig({ seed, input: { height: H, width: W }, encoder: { layers: CONVS, hidden: [] }, sequence: { kind, window: 3 } }));
  randomizeWeights(n, 50, 0.3);
  return n;
}

/** Conv kernels made positive and conv biases zero: a conv responds to bright input, stays ~0 on mid-grey. */
function positiveConvs(n: SteeringNet): void {
  tf.tidy(() => {
    for (const l of n.encoder.layers.slice(0, CONVS.length)) {
      const [k, b] = l.getWeights();
      l.setWeights([tf.abs(k), tf.zerosLike(b)]);
    }
  });
}

/** Mid-grey (128 -> ~0 after scaling) with a random bright texture in rows r0..r0+h-1, cols c0..c0+w-1. */
function patchFrame(r0: number, c0: number, h = 6, w = 6, seed = 1): Uint8Array {
  const f = new Uint8Array(H * W * 3).fill(128);
  let s = seed;
  for (let r = r0; r < r0 + h; r++) {
    for (let c = c0; c < c0 + w; c++) {
      for (let k = 0; k < 3; k++) {
        s = (s * 1103515245 + 12345) % 2147483648;
        f[(r * W + c) * 3 + k] = 160 + (s % 96);
      }
    }
  }
  return f;
}

function randomFrame(seed: number): Uint8Array {
  const f = new Uint8Array(H * W * 3);
  let s = seed;
  for (let i = 0; i < f.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    f[i] = s % 256;
  }
  return f;
}

/** Share of the map's mass in rows r0..r1, cols c0..c1 (inclusive). */
function massIn(v: Float32Array, r0: number, r1: number, c0: number, c1: number): number {
  let inside = 0;
  let total = 0;
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < W; c++) {
      total += v[r * W + c];
      if (r >= r0 && r <= r1 && c >= c0 && c <= c1) inside += v[r * W + c];
    }
  }
  return inside / total;
}

function stack(frame: Uint8Array, T: number): Uint8Array {
  const out = new Uint8Array(frame.length * T);
  for (let t = 0; t < T; t++) out.set(frame, t * frame.length);
  return out;
}

/**
 * Zeroes the embedding kernel's rows of the last conv map's cells where keep(row, col) is false
 * (flatten order: row, col, channel), so the model reads only the kept cells.
 */
function keepOnly(n: SteeringNet, keep: (r: number, c: number) => boolean): { h: number; w: number } {
  const g = convGeometries(n).at(-1)!;
  const ch = CONVS.at(-1)!.filters;
  const emb = n.encoder.getLayer('embedding');
  tf.tidy(() => {
    const [k, b] = emb.getWeights();
    const mask = new Float32Array(k.shape[0]);
    for (let r = 0; r < g.outHeight; r++) for (let c = 0; c < g.outWidth; c++) for (let j = 0; j < ch; j++) mask[(r * g.outWidth + c) * ch + j] = keep(r, c) ? 1 : 0;
    emb.setWeights([tf.mul(k, tf.tensor2d(mask, [k.shape[0], 1])), b]);
  });
  return { h: g.outHeight, w: g.outWidth };
}

describe('VisualBackProp', () => {
  it('spreads a deep cell over exactly its receptive field (transposed conv, weights 1)', () => {
    const n = net('cnn');
    const [g1] = convGeometries(n);
    expect(g1).toMatchObject({ inHeight: H, inWidth: W, outHeight: 11, outWidth: 15, padTop: 0 });
    const m = new Float32Array(11 * 15);
    m[2 * 15 + 4] = 1;
    const up = spreadToInput(m, g1);
    const lit: number[] = [];
    up.forEach((v, i) => v > 0 && lit.push(i));
    expect(lit).toEqual([4, 5, 6].flatMap((r) => [8, 9, 10].map((c) => r * W + c)));
    n.dispose();
  });

  it('puts most of its mass on the patch where the frame has content', () => {
    const n = net('cnn');
    positiveConvs(n);
    const { saliency } = lookAtFrame(n, patchFrame(8, 18), SIZE, { saliency: true, featureChannels: 0 });
    expect(saliency!.values.length).toBe(H * W);
    expect(Math.max(...saliency!.values)).toBeCloseTo(1, 6);
    // The patch, widened by the 3x3 kernels' reach.
    expect(massIn(saliency!.values, 7, 14, 17, 24)).toBeGreaterThan(0.9);
    expect(massIn(saliency!.values, 0, H - 1, 0, 12)).toBeLessThan(0.01);
    n.dispose();
  });

  it('moves with the input: shifting the frame shifts the map', () => {
    const n = net('cnn');
    positiveConvs(n);
    const a = lookAtFrame(n, patchFrame(6, 6), SIZE, { saliency: true, featureChannels: 0 }).saliency!.values;
    const b = lookAtFrame(n, patchFrame(10, 18), SIZE, { saliency: true, featureChannels: 0 }).saliency!.values;
    let maxDiff = 0;
    for (let r = 0; r < H - 4; r++) for (let c = 0; c < W - 12; c++) maxDiff = Math.max(maxDiff, Math.abs(a[r * W + c] - b[(r + 4) * W + c + 12]));
    expect(maxDiff).toBeLessThan(1e-4);
    expect(massIn(b, 9, 16, 17, 24)).toBeGreaterThan(0.9);
    n.dispose();
  });

  it('gives feature maps of each conv layer, scaled per channel', () => {
    const n = net('cnn');
    const { layers, saliency } = lookAtFrame(n, randomFrame(5), SIZE, { saliency: false, featureChannels: 4 });
    expect(saliency).toBeNull();
    expect(layers.map((l) => [l.layer, l.height, l.width, l.channels, l.totalChannels])).toEqual([['conv1', 11, 15, 4, 6], ['conv2', 11, 15, 4, 8]]);
    expect(layers[0].pixels.length).toBe(4 * 11 * 15);
    expect(new Set(layers[1].pixels).size).toBeGreaterThan(10);
    n.dispose();
  });
});

describe('Grad-CAM', () => {
  it.each(['cnn', 'cnn_lstm'] as const)('HiResCAM follows a model whose weights are zero outside a known patch (%s)', (kind) => {
    const n = net(kind);
    const cells = keepOnly(n, (r, c) => r >= 3 && r <= 5 && c >= 9 && c <= 11);
    expect(cells).toEqual({ h: 11, w: 15 });
    const T = n.window;
    const cam = gradCam(n, stack(randomFrame(9), T), SIZE, { pooling: 'none' }).values;
    // Cells 3..5 x 9..11 of an 11x15 map cover rows ~7..11, cols ~20..24 of the 24x32 input.
    expect(massIn(cam, 5, 13, 18, 26)).toBeGreaterThan(0.9);
    n.dispose();
  });

  it('HiResCAM leaves the left half dark on a model that ignores it', () => {
    const n = net('cnn');
    keepOnly(n, (_r, c) => c >= 8);
    const cam = gradCam(n, randomFrame(11), SIZE, { pooling: 'none' }).values;
    expect(massIn(cam, 0, H - 1, 0, 13)).toBeLessThan(0.01);
    expect(massIn(cam, 0, H - 1, 17, W - 1)).toBeGreaterThan(0.9);
    n.dispose();
  });

  it('Grad-CAM on a chosen layer finds the patch where the frame has content, and moves with it', () => {
    const n = net('cnn');
    positiveConvs(n);
    // Every weight after the convs positive too: steering grows with every activation, so the
    // pooled channel weights are positive (with mixed signs Grad-CAM may rightly show nothing).
    tf.tidy(() => netWeights(n).slice(2 * CONVS.length).forEach((w) => w.write(tf.abs(w.read()))));
    for (const layer of [0, 1]) {
      const a = gradCam(n, patchFrame(6, 4), SIZE, { layer }).values;
      const b = gradCam(n, patchFrame(12, 20), SIZE, { layer }).values;
      expect(massIn(a, 3, 14, 1, 12)).toBeGreaterThan(0.8);
      expect(massIn(b, 9, 20, 17, 28)).toBeGreaterThan(0.8);
    }
    expect(() => gradCam(n, patchFrame(6, 4), SIZE, { layer: 2 })).toThrow(/layer/);
    n.dispose();
  });
});

describe('saliency memory and side effects', () => {
  it('keeps the tensor count flat over many calls and leaves the weights alone', () => {
    const n = net('cnn_lstm');
    const before = netWeights(n).map((w) => Array.from(w.read().dataSync()));
    const frame = randomFrame(3);
    lookAtFrame(n, frame, SIZE, { saliency: true, featureChannels: 4 });
    gradCam(n, stack(frame, 3), SIZE);
    const tensors = tf.memory().numTensors;
    for (let i = 0; i < 40; i++) {
      lookAtFrame(n, frame, SIZE, { saliency: true, featureChannels: 4 });
      gradCam(n, stack(frame, 3), SIZE, { layer: i % 2, pooling: i % 3 === 0 ? 'none' : 'mean' });
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(netWeights(n).map((w) => Array.from(w.read().dataSync()))).toEqual(before);
    n.dispose();
  });

  it('the async twins give the same maps as the synchronous functions (1e-5), never call dataSync, and keep the tensor count flat', async () => {
    const n = net('cnn_lstm');
    const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
      expect(a.length).toBe(b.length);
      let d = 0;
      for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
      return d;
    };
    const frames = [3, 4, 5].map(randomFrame);
    const expected = frames.map((f) => ({
      look: lookAtFrame(n, f, SIZE, { saliency: true, featureChannels: 4 }),
      cam: [0, 1].map((layer) => gradCam(n, stack(f, 3), SIZE, { layer }).values),
      hires: gradCam(n, stack(f, 3), SIZE, { pooling: 'none', speeds: [0.5, -0.5, 1] }).values,
    }));
    const reads = vi.spyOn(tf.Tensor.prototype, 'dataSync');
    const tensors = tf.memory().numTensors;
    try {
      for (let i = 0; i < 12; i++) {
        const f = frames[i % 3];
        const want = expected[i % 3];
        const look = await lookAtFrameAsync(n, f, SIZE, { saliency: true, featureChannels: 4 });
        expect(maxDiff(look.saliency!.values, want.look.saliency!.values)).toBeLessThan(1e-5);
        expect(look.layers.map((l) => [l.layer, l.channels])).toEqual(want.look.layers.map((l) => [l.layer, l.channels]));
        look.layers.forEach((l, k) => expect(maxDiff(l.pixels, want.look.layers[k].pixels)).toBeLessThanOrEqual(1));
        for (const layer of [0, 1]) expect(maxDiff((await gradCamAsync(n, stack(f, 3), SIZE, { layer })).values, want.cam[layer])).toBeLessThan(1e-5);
        expect(maxDiff((await gradCamAsync(n, stack(f, 3), SIZE, { pooling: 'none', speeds: [0.5, -0.5, 1] })).values, want.hires)).toBeLessThan(1e-5);
      }
      await expect(gradCamAsync(n, stack(frames[0], 3), SIZE, { layer: 2 })).rejects.toThrow(/layer/);
      expect(reads).not.toHaveBeenCalled();
      expect(tf.memory().numTensors).toBe(tensors);
    } finally {
      reads.mockRestore();
      n.dispose();
    }
  });

  it('Grad-CAM shows what pushes the decision either way: the map of -steering is the map of steering', async () => {
    const a = net('cnn');
    const b = net('cnn');
    // b's steering output is a's negated (kernel and bias of its output layer).
    tf.tidy(() => {
      const out = b.heads[0].out;
      out.setWeights(out.getWeights().map((w) => tf.neg(w)));
    });
    const f = randomFrame(21);
    const sa = gradCam(a, f, SIZE).values;
    const sb = await gradCamAsync(b, f, SIZE);
    expect(Math.max(...sa)).toBeCloseTo(1, 5);
    let d = 0;
    sa.forEach((v, i) => (d = Math.max(d, Math.abs(v - sb.values[i]))));
    expect(d).toBeLessThan(1e-5);
    a.dispose();
    b.dispose();
  });
});

/**
 * Grad-CAM as the definition reads, in one gradient through the whole window (forward.ts's
 * runCell over all T steps, the older frames encoded as a batch): the reference for the pieces.
 */
function fullTapeCam(n: SteeringNet, frames: Uint8Array, layer: number, pooling: 'mean' | 'none', speeds: number[] | null): Float32Array {
  const T = n.window;
  const convs = n.encoder.layers.slice(0, CONVS.length);
  const rest = n.encoder.layers.slice(CONVS.length);
  const values = tf.tidy(() => {
    const x = framesToTensor(frames, T, SIZE, n.config.input);
    let a: tf.Tensor = tf.slice(x, [T - 1, 0, 0, 0], [1, -1, -1, -1]);
    for (let l = 0; l <= layer; l++) a = convs[l].apply(a) as tf.Tensor;
    const older = encodeFrames(n, tf.slice(x, [0, 0, 0, 0], [T - 1, -1, -1, -1]), false);
    const steering = (z: tf.Tensor): tf.Scalar => {
      let y = z;
      for (const l of [...convs.slice(layer + 1), ...rest]) y = l.apply(y) as tf.Tensor;
      const proj = projectInputs(n.cell!, withSpeeds(n, tf.concat([older, y as tf.Tensor2D]), speedColumn(n, T, speeds)));
      const h = runCell(n.cell!, T, (t) => tf.slice(proj, [t, 0], [1, -1]));
      return tf.reshape(tf.slice(applyHeads(n, h), [0, 0], [1, 1]), []) as tf.Scalar;
    };
    const { value, grad } = tf.valueAndGrad(steering)(a);
    const gs = tf.mul(grad, tf.sign(value));
    const weighted = pooling === 'none' ? tf.mul(gs, a) : tf.mul(tf.mean(gs, [1, 2], true), a);
    return tf.image.resizeBilinear(tf.relu(tf.sum(weighted, 3, true)) as tf.Tensor4D, [H, W], true).dataSync();
  });
  const max = Math.max(...values);
  return Float32Array.from(values, (v) => (max > 0 && v > 0 ? v / max : 0));
}

function recurrentNet(cell: CellKind, window: number, speed: boolean): SteeringNet {
  // Scaled frames, not standardised: with standardised noise frames this random net's map no longer
  // depends on the older frames (1e-7 apart), and the test below needs them to matter.
  const n = createSteeringNet(tinyConfig({ seed: 5, input: { height: H, width: W, speed, standardize: false }, encoder: { layers: CONVS, hidden: [5] }, sequence: { kind: 'cnn_lstm', cell, window, runLength: Math.max(window, 6) } }));
  randomizeWeights(n, 90, 0.3);
  return n;
}

function windowOf(seeds: number[]): Uint8Array {
  const out = new Uint8Array(H * W * 3 * seeds.length);
  seeds.forEach((s, t) => out.set(randomFrame(s), t * H * W * 3));
  return out;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};

describe('Grad-CAM in pieces', () => {
  it.each(['lstm', 'gru', 'rnn'] as const)('equals Grad-CAM in one gradient over the whole window (%s; 1e-5), where the older frames change the map', async (cell) => {
    for (const speed of [false, true]) {
      const n = recurrentNet(cell, 4, speed);
      const speeds = speed ? [0.5, -1, 0.25, 1.5] : null;
      const frames = windowOf([31, 32, 33, 34]);
      const otherOlder = windowOf([41, 42, 43, 34]);
      // The predictor's projections of the window (the last row unused), as the live path passes them.
      const projections = tf.tidy(() => projectInputs(n.cell!, withSpeeds(n, encodeFrames(n, framesToTensor(frames, 4, SIZE, n.config.input), false), speedColumn(n, 4, speeds))).dataSync() as Float32Array);
      const newest = frames.subarray(3 * H * W * 3);
      for (const layer of [0, 1]) {
        for (const pooling of ['mean', 'none'] as const) {
          const want = fullTapeCam(n, frames, layer, pooling, speeds);
          expect(Math.max(...want)).toBeCloseTo(1, 5);
          // The older frames matter here: the same newest frame after other older frames gives another map.
          expect(maxAbsDiff(fullTapeCam(n, otherOlder, layer, pooling, speeds), want)).toBeGreaterThan(0.01);
          const opts = { layer, pooling, speeds };
          expect(maxAbsDiff(gradCam(n, frames, SIZE, opts).values, want)).toBeLessThan(1e-5);
          expect(maxAbsDiff((await gradCamAsync(n, frames, SIZE, opts)).values, want)).toBeLessThan(1e-5);
          expect(maxAbsDiff((await gradCamAsync(n, newest, SIZE, { ...opts, projections })).values, want)).toBeLessThan(1e-5);
        }
      }
      n.dispose();
    }
  });

  it('its longest piece (kernels run between two reads) does not grow with the window: the older steps run without a gradient', async () => {
    const run = vi.spyOn(tf.engine(), 'runKernel');
    try {
      const longest = async (window: number, live: boolean): Promise<number> => {
        const n = recurrentNet('lstm', window, false);
        const seeds = Array.from({ length: window }, (_, t) => 50 + t);
        const frames = windowOf(seeds);
        const projections = live ? tf.tidy(() => projectInputs(n.cell!, encodeFrames(n, framesToTensor(frames, window, SIZE, n.config.input), false)).dataSync() as Float32Array) : null;
        const pieces: number[] = [];
        let mark = run.mock.calls.length;
        const between = async (): Promise<void> => {
          pieces.push(run.mock.calls.length - mark);
          mark = run.mock.calls.length;
        };
        await gradCamAsync(n, live ? frames.subarray((window - 1) * H * W * 3) : frames, SIZE, { layer: 0, projections }, between);
        pieces.push(run.mock.calls.length - mark);
        n.dispose();
        expect(pieces.length).toBeGreaterThan(4);
        return Math.max(...pieces);
      };
      for (const live of [false, true]) {
        const short = await longest(2, live);
        expect(short).toBeGreaterThan(0);
        expect(await longest(12, live)).toBe(short);
      }
    } finally {
      run.mockRestore();
    }
  });
});
