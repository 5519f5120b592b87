// What the encoder looks at, for one frame: VisualBackProp (Bojarski et al. 2016) and Grad-CAM
// (Selvaraju et al. 2017; with `pooling: 'none'` the element-wise HiResCAM variant, faithful for
// an encoder that ends in flatten + dense), plus the conv feature maps themselves for the layer
// views. One conv forward gives both VBP and the feature maps; VBP's backward part is JS over
// channel means (a few thousand multiply-adds), so it costs almost nothing beyond that forward.
// While driving, the streaming predictor can keep those channel means of the frame it encodes
// (src/model/predictor.ts captureConvMeans), and visualBackPropFromMeans on them skips the forward.
//
// Ownership: every function takes plain frames and returns typed arrays; its tensors are freed
// before it returns (tf.tidy; the one tensor it reads is freed by the read plan's runner,
// src/model/readout.ts; Grad-CAM holds its pieces' tensors from one piece to the next and frees
// them in a finally, also when stopped). Each has an ...Async twin that never reads synchronously
// (webgpu). The net is the caller's; nothing here changes its weights.

import { convPlan } from './configSizes.ts';
import type { SteeringNet } from './factory.ts';
import { applyHeads, type CellState, encodeFrames, projectInputs, runCell, speedColumn, withSpeeds } from './forward.ts';
import { traceCell } from './introspect.ts';
import { ModelError } from './modelErrors.ts';
import { framesToTensor, type FrameSize } from './preprocess.ts';
import { runAsync, runSync, type ReadPlan } from './readout.ts';
import { tf } from './tfSetup.ts';

/** A map over the model's input (height x width, row-major, row 0 at the top), values 0..1. */
export interface SaliencyMap {
  readonly width: number;
  readonly height: number;
  readonly values: Float32Array;
}

/** Where one conv layer reads from: its input and output sizes, kernel, stride and padding. */
export interface ConvGeometry {
  readonly kernel: number;
  readonly stride: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  /** Rows / columns of zero padding before the first input pixel (tfjs' 'same' puts the odd one after). */
  readonly padTop: number;
  readonly padLeft: number;
}

/** One conv layer's maps for the layer views: the first `channels` channels, each scaled to 0..255 by its own max. */
export interface FeatureMaps {
  readonly layer: string;
  readonly height: number;
  readonly width: number;
  /** Channels shown (at most the layer's). */
  readonly channels: number;
  /** Channels the layer has. */
  readonly totalChannels: number;
  /** channels x height x width bytes, channel-major. */
  readonly pixels: Uint8Array;
}

export function convGeometries(net: SteeringNet): ConvGeometry[] {
  let h = net.config.input.height;
  let w = net.config.input.width;
  return convPlan(net.config).layers.map((l) => {
    const padH = l.padding === 'same' ? Math.max((l.outHeight - 1) * l.stride + l.kernel - h, 0) : 0;
    const padW = l.padding === 'same' ? Math.max((l.outWidth - 1) * l.stride + l.kernel - w, 0) : 0;
    const g = { kernel: l.kernel, stride: l.stride, inHeight: h, inWidth: w, outHeight: l.outHeight, outWidth: l.outWidth, padTop: Math.floor(padH / 2), padLeft: Math.floor(padW / 2) };
    [h, w] = [l.outHeight, l.outWidth];
    return g;
  });
}

/**
 * The transposed convolution VBP upsamples with (weights 1, bias 0, the layer's kernel and
 * stride): every output cell adds its value to the input pixels of its receptive field.
 */
export function spreadToInput(map: Float32Array, g: ConvGeometry): Float32Array {
  const out = new Float32Array(g.inHeight * g.inWidth);
  for (let i = 0; i < g.outHeight; i++) {
    const r0 = i * g.stride - g.padTop;
    for (let j = 0; j < g.outWidth; j++) {
      const v = map[i * g.outWidth + j];
      if (v === 0) continue;
      const c0 = j * g.stride - g.padLeft;
      for (let r = Math.max(0, r0); r < Math.min(g.inHeight, r0 + g.kernel); r++) {
        const row = r * g.inWidth;
        for (let c = Math.max(0, c0); c < Math.min(g.inWidth, c0 + g.kernel); c++) out[row + c] += v;
      }
    }
  }
  return out;
}

/** Scales to 0..1 by the max (an all-zero map stays zero). NOTE mutates `v`. */
function normalise(v: Float32Array): Float32Array {
  let max = 0;
  for (const x of v) if (x > max) max = x;
  if (max > 0) for (let i = 0; i < v.length; i++) v[i] = v[i] > 0 ? v[i] / max : 0;
  else v.fill(0);
  return v;
}

/**
 * VisualBackProp from each conv layer's channel-mean map (shallowest first, each
 * outHeight x outWidth): from the deepest, spread to the layer below and multiply pointwise
 * with its mean map, down to the input; normalised to 0..1.
 */
export function visualBackPropFromMeans(means: readonly Float32Array[], geometry: readonly ConvGeometry[]): Float32Array {
  if (means.length !== geometry.length || means.length === 0) throw new ModelError('invalid-input', `VisualBackProp needs one mean map per conv layer (${geometry.length}), got ${means.length}`);
  let m: Float32Array = Float32Array.from(means[means.length - 1], (x) => Math.max(0, x));
  for (let l = geometry.length - 1; l >= 0; l--) {
    m = spreadToInput(m, geometry[l]);
    if (l > 0) {
      const below = means[l - 1];
      for (let i = 0; i < m.length; i++) m[i] *= Math.max(0, below[i]);
    }
  }
  return normalise(m);
}

/** The encoder's conv layers, in order (they come first in the encoder). */
function convLayers(net: SteeringNet): tf.layers.Layer[] {
  const n = convPlan(net.config).layers.length;
  return net.encoder.layers.slice(0, n);
}

export interface LookOptions {
  readonly saliency: boolean;
  /** Channels per layer for the layer views; 0 = no feature maps. */
  readonly featureChannels: number;
}

export interface Look {
  readonly saliency: SaliencyMap | null;
  readonly layers: readonly FeatureMaps[];
}

/**
 * One conv forward of `frame` (RGB at `size`): VBP saliency and / or feature maps.
 * lookAtFrame reads synchronously; lookAtFrameAsync never does (webgpu in a worker).
 */
export function lookAtFrame(net: SteeringNet, frame: Uint8Array, size: FrameSize, opts: LookOptions): Look {
  return runSync(lookPlan(net, frame, size, opts));
}

export function lookAtFrameAsync(net: SteeringNet, frame: Uint8Array, size: FrameSize, opts: LookOptions): Promise<Look> {
  return runAsync(lookPlan(net, frame, size, opts));
}

function* lookPlan(net: SteeringNet, frame: Uint8Array, size: FrameSize, opts: LookOptions): ReadPlan<Look> {
  if (net.isDisposed) throw new ModelError('disposed', 'this model was disposed');
  const convs = convLayers(net);
  const geometry = convGeometries(net);
  const plan = convPlan(net.config).layers;
  const keep = Math.max(0, Math.floor(opts.featureChannels));
  const meanSizes: number[] = [];
  const mapSizes: number[] = [];
  // One read for everything: each small read costs a backend sync.
  const all = yield tf.tidy(() => {
    let y: tf.Tensor = framesToTensor(frame, 1, size, net.config.input);
    const parts: tf.Tensor[] = [];
    const maps: tf.Tensor[] = [];
    for (const l of convs) {
      y = l.apply(y, { training: false }) as tf.Tensor;
      if (opts.saliency) parts.push(tf.mean(y, 3).reshape([-1]));
      // Channel-major for drawing: [c, h, w] of the first `keep` channels.
      if (keep > 0) maps.push(tf.transpose(tf.slice(y, [0, 0, 0, 0], [1, -1, -1, Math.min(keep, y.shape[3]!)]), [0, 3, 1, 2]).reshape([-1]));
    }
    meanSizes.push(...parts.map((t) => t.size));
    mapSizes.push(...maps.map((t) => t.size));
    return tf.concat([...parts, ...maps, tf.zeros([1])]);
  });
  let o = 0;
  const cut = (n: number): Float32Array => all.slice(o, (o += n));
  const means = meanSizes.map(cut);
  const maps = mapSizes.map(cut);
  const { height, width } = net.config.input;
  const saliency = opts.saliency ? { width, height, values: visualBackPropFromMeans(means, geometry) } : null;
  const layers = maps.map((m, i) => featureImage(convs[i].name, m, geometry[i], Math.min(keep, plan[i].filters), plan[i].filters));
  return { saliency, layers };
}

/**
 * The layer views from conv maps already read (the streaming predictor's, src/model/predictor.ts
 * captureChannels): `maps[l]` holds layer l's first `kept` channels, channel-major; `channels` of
 * them are shown.
 */
export function featureImagesOf(net: SteeringNet, maps: readonly Float32Array[], kept: number, channels: number): FeatureMaps[] {
  const geometry = convGeometries(net);
  const plan = convPlan(net.config).layers;
  const convs = convLayers(net);
  if (maps.length !== geometry.length) throw new ModelError('invalid-input', `layer views need one map set per conv layer (${geometry.length}), got ${maps.length}`);
  return maps.map((m, i) => {
    const n = Math.min(kept, plan[i].filters, channels);
    return featureImage(convs[i].name, m.subarray(0, n * geometry[i].outHeight * geometry[i].outWidth), geometry[i], n, plan[i].filters);
  });
}

function featureImage(layer: string, m: Float32Array, g: ConvGeometry, channels: number, totalChannels: number): FeatureMaps {
  const hw = g.outHeight * g.outWidth;
  const pixels = new Uint8Array(channels * hw);
  for (let c = 0; c < channels; c++) {
    let max = 0;
    for (let i = 0; i < hw; i++) max = Math.max(max, m[c * hw + i]);
    if (max > 0) for (let i = 0; i < hw; i++) pixels[c * hw + i] = Math.round((Math.max(0, m[c * hw + i]) / max) * 255);
  }
  return { layer, height: g.outHeight, width: g.outWidth, channels, totalChannels, pixels };
}

export interface GradCamOptions {
  /** Conv layer index (0 = conv1); default the deepest. */
  readonly layer?: number;
  /** 'mean' = Grad-CAM (channel weights = mean gradient); 'none' = HiResCAM (gradient x activation per cell). */
  readonly pooling?: 'mean' | 'none';
  /** The window's normalised measured speeds, for a model that reads the speed (absent: the mean speed). */
  readonly speeds?: ArrayLike<number> | null;
  /**
   * The recurrent input projections of the window's frames as the streaming predictor holds them
   * (Predictor.windowProjections: T x gates*units, oldest first; the last row is not used): the
   * older frames are not encoded again, and `frames` may hold the newest frame alone.
   */
  readonly projections?: Float32Array | null;
}

/**
 * Grad-CAM of the steering output on one conv layer of the NEWEST frame of a window (`frames`
 * holds net.window frames, oldest first; the older frames' embeddings are held fixed). The
 * gradient is of |steering| (its own sign), so the map shows what pushes the current decision.
 * Upsampled to the input size bilinearly, normalised to 0..1.
 */
export function gradCam(net: SteeringNet, frames: Uint8Array, size: FrameSize, opts: GradCamOptions = {}): SaliencyMap {
  return runSync(gradCamPlan(net, frames, size, opts));
}

/**
 * gradCam without a synchronous read (webgpu in a worker), in pieces: each older frame's encoding,
 * each conv layer forward (the last one also runs the rest of the encoder), the steering's
 * gradient at the newest frame's embedding, back through the rest of the encoder, each conv layer
 * back to the chosen one. Each piece ends in a small read (so it has finished on the device) and
 * `between`, where other work (a prediction) may go first.
 */
export function gradCamAsync(net: SteeringNet, frames: Uint8Array, size: FrameSize, opts: GradCamOptions = {}, between?: () => Promise<void>): Promise<SaliencyMap> {
  return runAsync(gradCamPlan(net, frames, size, opts), between);
}

/** One value of a piece's output, read to know the piece has finished (its value is not used). */
function pieceEnd(t: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.slice(tf.reshape(t, [-1]), [0], [1]));
}

function* gradCamPlan(net: SteeringNet, frames: Uint8Array, size: FrameSize, opts: GradCamOptions): ReadPlan<SaliencyMap> {
  const T = net.window;
  const convs = convLayers(net);
  const L = convs.length;
  const k = opts.layer ?? L - 1;
  if (!(Number.isInteger(k) && k >= 0 && k < L)) throw new ModelError('invalid-input', `Grad-CAM layer must be 0..${L - 1}, got ${k}`);
  const bytes = size.width * size.height * 3;
  const given = frames.length / bytes;
  const cell = net.cell;
  const G = cell ? cell.kernel.shape[1]! : 0;
  const fromPredictor = cell && T > 1 && opts.projections ? opts.projections : null;
  if (fromPredictor && fromPredictor.length !== T * G) throw new ModelError('invalid-input', `the window's projections must be ${T}x${G}, got ${fromPredictor.length} values`);
  if (!(given === T || (fromPredictor && given === 1))) throw new ModelError('invalid-input', `Grad-CAM needs ${T} frames of ${size.width}x${size.height} RGB${fromPredictor ? ' or the newest alone' : ''}, got ${frames.length} bytes`);
  const rest = net.encoder.layers.slice(L);
  const applyRest = (z: tf.Tensor): tf.Tensor2D => {
    let e = z;
    for (const l of rest) e = l.apply(e, { training: false }) as tf.Tensor;
    return e as tf.Tensor2D;
  };
  const { height, width } = net.config.input;
  const alive = (): void => {
    if (net.isDisposed) throw new ModelError('disposed', 'this model was disposed');
  };
  // Tensors held from one piece to the next, freed at the end or when the run stops.
  const held = new Set<tf.Tensor>();
  const hold = <X extends tf.Tensor>(t: X): X => (held.add(t), t);
  const drop = (t: tf.Tensor): void => {
    held.delete(t);
    t.dispose();
  };
  try {
    alive();
    const sp = hold(tf.tidy(() => speedColumn(net, T, opts.speeds) ?? tf.zeros([T, 1])));
    // The older frames' input projections ((T-1) x G, oldest first), held fixed: the predictor's,
    // or one encoding a piece, read whole (G values).
    const olderSteps = cell && T > 1 ? T - 1 : 0;
    let olderProj: Float32Array | null = null;
    if (olderSteps > 0) {
      if (fromPredictor) olderProj = fromPredictor.subarray(0, olderSteps * G);
      else {
        olderProj = new Float32Array(olderSteps * G);
        for (let t = 0; t < olderSteps; t++) {
          alive();
          olderProj.set(yield tf.tidy(() => {
            const e = encodeFrames(net, framesToTensor(frames.subarray(t * bytes, (t + 1) * bytes), 1, size, net.config.input), false);
            return projectInputs(cell!, withSpeeds(net, e, net.speedInput ? tf.slice(sp, [t, 0], [1, 1]) as tf.Tensor2D : null)).reshape([-1]);
          }), t * G);
        }
      }
    }
    // The newest frame through the conv layers, a piece each; acts[l] is conv l's input, acts[L]
    // the last output. The first piece also reads the recurrent kernel (for the older steps, in
    // JS), the last also runs the rest of the encoder (no gradient: the newest frame's embedding).
    alive();
    const acts: tf.Tensor[] = [hold(framesToTensor(frames.subarray((given - 1) * bytes), 1, size, net.config.input))];
    let recurrentKernel: Float32Array | null = null;
    let embedding: tf.Tensor2D | null = null;
    for (let l = 0; l < L; l++) {
      alive();
      acts.push(hold(tf.tidy(() => convs[l].apply(acts[l], { training: false }) as tf.Tensor)));
      // Only the chosen layer's output and the inputs of the layers after it are needed later.
      if (l <= k) drop(acts[l]);
      if (l === L - 1) embedding = hold(tf.tidy(() => applyRest(acts[L])));
      const out = l === L - 1 ? embedding! : acts[l + 1];
      if (l === 0 && olderSteps > 0) recurrentKernel = (yield tf.tidy(() => tf.concat([pieceEnd(out), tf.reshape(cell!.recurrentKernel.read(), [-1])]))).slice(1);
      else yield pieceEnd(out);
    }
    // The older steps of the cell need no gradient (only the newest frame's projection is
    // differentiated): their state, from the projections, in JS (introspect.ts traceCell).
    let state: CellState | null = null;
    if (olderSteps > 0) {
      const trace = traceCell(cell!.kind, cell!.units, recurrentKernel!, olderProj!, olderSteps);
      const last = (v: Float32Array): tf.Tensor2D => hold(tf.tensor2d(v.slice((olderSteps - 1) * cell!.units), [1, cell!.units]));
      state = { h: last(trace.hidden), c: cell!.kind === 'lstm' ? last(trace.cell) : null };
    }
    // The steering's gradient at the newest frame's embedding: its projection, the cell's last
    // step from that state, the heads.
    alive();
    const newestSpeed = net.speedInput ? hold(tf.slice(sp, [T - 1, 0], [1, 1]) as tf.Tensor2D) : null;
    const steering = (e: tf.Tensor2D): tf.Scalar => {
      let features = withSpeeds(net, e, newestSpeed);
      if (cell) {
        const p = projectInputs(cell, features);
        features = runCell(cell, 1, () => p, state ?? undefined);
      }
      return tf.reshape(tf.slice(applyHeads(net, features), [0, 0], [1, 1]), []) as tf.Scalar;
    };
    const [value, gEmbedding] = tf.tidy(() => {
      const { value, grad } = tf.valueAndGrad(steering)(embedding!);
      return [value, grad];
    });
    hold(value);
    hold(gEmbedding);
    drop(embedding!);
    yield pieceEnd(gEmbedding);
    // Back through the rest of the encoder (flatten, dense layers) to the last conv output.
    alive();
    let g: tf.Tensor = hold(tf.tidy(() => tf.grad((z: tf.Tensor) => applyRest(z))(acts[L], gEmbedding)));
    drop(gEmbedding);
    if (L - 1 > k) drop(acts[L]);
    yield pieceEnd(g);
    // Back through the conv layers after the chosen one, a piece each.
    for (let l = L - 1; l > k; l--) {
      alive();
      const dy = g;
      const x = acts[l];
      g = hold(tf.tidy(() => tf.grad((z: tf.Tensor) => convs[l].apply(z, { training: false }) as tf.Tensor)(x, dy)));
      drop(dy);
      if (l - 1 > k) drop(x);
      yield pieceEnd(g);
    }
    alive();
    const a = acts[k + 1];
    const values = yield tf.tidy(() => {
      // The sign of the decision stays on the device: no read before the map's.
      const gs = tf.mul(g, tf.where(tf.less(value, 0), tf.scalar(-1), tf.scalar(1)));
      const weighted = opts.pooling === 'none' ? tf.mul(gs, a) : tf.mul(tf.mean(gs, [1, 2], true), a);
      const cam = tf.relu(tf.sum(weighted, 3, true)) as tf.Tensor4D;
      return tf.image.resizeBilinear(cam, [height, width], true).reshape([-1]);
    });
    return { width, height, values: normalise(Float32Array.from(values)) };
  } finally {
    for (const t of held) t.dispose();
  }
}
