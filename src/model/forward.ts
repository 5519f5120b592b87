// The fast forward pass that training uses: frames are encoded ONCE per step, the recurrent
// input projection is one matMul over all frames, and the N-T+1 overlapping windows of each
// contiguous run are formed by slicing those projections (never by re-encoding T frames per
// window). The cells are written with plain tf ops, one fused matMul per step for all gates,
// so their gradients work on every backend (cpu, wasm, webgl) and a step costs ~12 small ops
// instead of tfjs-layers' many. They compute exactly what tfjs-layers' LSTM / GRU / SimpleRNN
// (as configured in factory.ts) compute, which the tests check against `net.model`.
//
// Ownership: every function here returns new tensors and leaves its intermediates to the
// caller's tf.tidy (or tf.variableGrads): call them inside one.

import { HEAD_NAMES } from './config.ts';
import { SPEED_CHANGE_SCALE, speedFromFrame, torqueSpeedChanges, usesSpeedResidual } from './configSizes.ts';
import { ModelError } from './modelErrors.ts';
import type { CellVariables, SteeringNet } from './factory.ts';
import { tf } from './tfSetup.ts';

/** Normalised frames [n, H, W, 3] -> embeddings [n, E]; `training` turns dropout on. */
export function encodeFrames(net: SteeringNet, frames: tf.Tensor4D, training: boolean): tf.Tensor2D {
  return net.encoder.apply(frames, { training }) as tf.Tensor2D;
}

/**
 * What the cell (or the cnn's heads) reads per frame: the embeddings, with the normalised
 * measured speed of each frame [n, 1] as the last column when the model reads the speed.
 */
export function withSpeeds(net: SteeringNet, embeddings: tf.Tensor2D, speeds: tf.Tensor2D | null | undefined): tf.Tensor2D {
  if (!net.speedInput) return embeddings;
  if (!speeds) throw new ModelError('invalid-input', 'this model reads the measured speed beside the frames, but no speeds were given');
  if (speeds.shape[0] !== embeddings.shape[0] || speeds.shape[1] !== 1) {
    throw new ModelError('invalid-input', `speeds must be [${embeddings.shape[0]}, 1] (one per frame), got [${speeds.shape.join(', ')}]`);
  }
  return tf.concat([embeddings, speeds], 1);
}

/**
 * The speed column for `n` frames of a model that reads the speed: `speeds` (normalised, one per
 * frame), or zeros (the training data's mean speed) where the caller has none, as for a still
 * frame in the overlays. null for a model that does not read the speed.
 */
export function speedColumn(net: SteeringNet, n: number, speeds?: ArrayLike<number> | null): tf.Tensor2D | null {
  if (!net.speedInput) return null;
  if (speeds && speeds.length !== n) throw new ModelError('invalid-input', `expected ${n} speeds (one per frame), got ${speeds.length}`);
  return speeds ? tf.tensor2d(Float32Array.from(speeds), [n, 1]) : tf.zeros([n, 1]);
}

/** Input projections of every embedding at once: [n, E] -> [n, gates*units] = e W + b. */
export function projectInputs(cell: CellVariables, embeddings: tf.Tensor2D): tf.Tensor2D {
  return tf.add(tf.matMul(embeddings, cell.kernel.read() as tf.Tensor2D), cell.bias.read()) as tf.Tensor2D;
}

/** A recurrent state to continue from: h (and the LSTM's c), [1, units] each. */
export interface CellState {
  readonly h: tf.Tensor2D;
  readonly c: tf.Tensor2D | null;
}

/**
 * Runs the cell from a zero state (or from `from`, e.g. the older steps of a window computed
 * elsewhere) over `steps` steps, xAt(t) giving the input projections [b, gates*units] of step t.
 * Returns the last hidden state [b, units].
 */
export function runCell(cell: CellVariables, steps: number, xAt: (t: number) => tf.Tensor2D, from?: CellState): tf.Tensor2D {
  const U = cell.units;
  const rk = cell.recurrentKernel.read() as tf.Tensor2D;
  if (cell.kind === 'lstm') {
    let h: tf.Tensor2D | null = from?.h ?? null;
    let c: tf.Tensor2D | null = from?.c ?? null;
    for (let t = 0; t < steps; t++) {
      const z: tf.Tensor2D = h ? tf.add(xAt(t), tf.matMul(h, rk)) : xAt(t);
      const [zi, zf, zg, zo] = tf.split(z, 4, 1);
      const ig: tf.Tensor2D = tf.mul(tf.sigmoid(zi), tf.tanh(zg));
      const cNew: tf.Tensor2D = c ? tf.add(tf.mul(tf.sigmoid(zf), c), ig) : ig;
      h = tf.mul(tf.sigmoid(zo), tf.tanh(cNew)) as tf.Tensor2D;
      c = cNew;
    }
    return h!;
  }
  if (cell.kind === 'gru') {
    const rkZr = tf.slice(rk, [0, 0], [U, 2 * U]);
    const rkH = tf.slice(rk, [0, 2 * U], [U, U]);
    let h: tf.Tensor2D | null = from?.h ?? null;
    for (let t = 0; t < steps; t++) {
      const [xz, xr, xh] = tf.split(xAt(t), 3, 1);
      if (!h) {
        // From h = 0 the reset gate multiplies zeros: h = (1 - z) * tanh(xh).
        h = tf.mul(tf.sub(1, tf.sigmoid(xz)), tf.tanh(xh)) as tf.Tensor2D;
        continue;
      }
      const prev: tf.Tensor2D = h;
      const [rz, rr] = tf.split(tf.matMul(prev, rkZr), 2, 1);
      const z: tf.Tensor = tf.sigmoid(tf.add(xz, rz));
      const r: tf.Tensor = tf.sigmoid(tf.add(xr, rr));
      const hh: tf.Tensor = tf.tanh(tf.add(xh, tf.matMul(tf.mul(r, prev) as tf.Tensor2D, rkH)));
      h = tf.add(tf.mul(z, prev), tf.mul(tf.sub(1, z), hh)) as tf.Tensor2D;
    }
    return h!;
  }
  let h: tf.Tensor2D | null = from?.h ?? null;
  for (let t = 0; t < steps; t++) h = tf.tanh(h ? tf.add(xAt(t), tf.matMul(h, rk)) : xAt(t)) as tf.Tensor2D;
  return h!;
}

/**
 * For frame groups laid end to end (group g has lengths[g] >= T consecutive frames), the
 * step-t inputs of all windows: window s of group g covers frames s..s+T-1 of that group.
 * Windows are ordered group by group, s ascending.
 */
export function windowSteps(proj: tf.Tensor2D, lengths: readonly number[], T: number): (t: number) => tf.Tensor2D {
  const G = proj.shape[1];
  const n0 = lengths[0];
  if (lengths.every((n) => n === n0)) {
    // Equal lengths: one reshape, then one slice per step.
    const W = n0 - T + 1;
    const R = lengths.length;
    const byGroup = tf.reshape(proj, [R, n0, G]);
    return (t) => tf.reshape(tf.slice(byGroup, [0, t, 0], [R, W, G]), [R * W, G]);
  }
  const offsets: number[] = [];
  let o = 0;
  for (const n of lengths) {
    offsets.push(o);
    o += n;
  }
  return (t) => tf.concat(lengths.map((n, g) => tf.slice(proj, [offsets[g] + t, 0], [n - T + 1, G])), 0);
}

/**
 * The torque head's extra input (heads.torqueSpeedChanges = K, see factory.ts `speedChanges`):
 * the last K frame-to-frame changes of each window's normalised measured speed x
 * SPEED_CHANGE_SCALE, oldest first, [b, K]; `speedAt(t)` gives every window's speed at step t
 * ([b, 1]). null when the model reads none.
 */
export function speedChanges(net: SteeringNet, speedAt: (t: number) => tf.Tensor2D): tf.Tensor2D | null {
  const K = torqueSpeedChanges(net.config);
  if (K === 0) return null;
  const T = net.window;
  const cols: tf.Tensor2D[] = [];
  for (let t = T - K; t < T; t++) cols.push(tf.sub(speedAt(t), speedAt(t - 1)));
  return tf.mul(tf.concat(cols, 1), SPEED_CHANGE_SCALE) as tf.Tensor2D;
}

/**
 * The three heads on features [b, F] -> [b, 3] (normalised steering, speed, torque). `changes`
 * ([b, K], `speedChanges`) is what a torque head that reads the speed's changes gets beside the
 * features; zeros when not given (callers that read only the steering column). `frame` ([b, E],
 * `lastEmbeddings`) is what a speed head with heads.speedFrom 'frame' reads instead of the
 * features; zeros when not given (the same callers).
 */
export function applyHeads(net: SteeringNet, features: tf.Tensor2D, changes?: tf.Tensor2D | null, frame?: tf.Tensor2D | null): tf.Tensor2D {
  const K = torqueSpeedChanges(net.config);
  const fromFrame = speedFromFrame(net.config);
  const outs = net.heads.map(({ hidden, out }, i) => {
    const input = K > 0 && HEAD_NAMES[i] === 'torque' ? tf.concat([features, changes ?? tf.zeros([features.shape[0], K])], 1)
      : fromFrame && HEAD_NAMES[i] === 'speed' ? frame ?? tf.zeros([features.shape[0], net.config.encoder.embedding])
      : features;
    const x = hidden ? (hidden.apply(input) as tf.Tensor2D) : input;
    return out.apply(x) as tf.Tensor2D;
  });
  return tf.concat(outs, 1);
}

/**
 * What a speed head with heads.speedFrom 'frame' reads: each window's last frame's embedding
 * [b, E], from the embeddings [n, E] of frame groups laid end to end. null for any other model.
 */
export function lastEmbeddings(net: SteeringNet, embeddings: tf.Tensor2D, lengths: readonly number[]): tf.Tensor2D | null {
  if (!speedFromFrame(net.config)) return null;
  return windowSteps(embeddings, lengths, net.window)(net.window - 1);
}

/** Windows (examples) that frame groups of these lengths give: sum of n - T + 1. */
export function exampleCount(lengths: readonly number[], T: number): number {
  return lengths.reduce((s, n) => s + n - T + 1, 0);
}

/**
 * The whole network over frame groups: normalised frames [sum(lengths), H, W, 3] (and, for a
 * model that reads the speed, the normalised measured speed of each frame [sum(lengths), 1]) ->
 * predictions [exampleCount(lengths, T), 3], one per window (for the cnn, one per frame).
 */
export function forwardGroups(net: SteeringNet, frames: tf.Tensor4D, lengths: readonly number[], training: boolean, speeds?: tf.Tensor2D | null): tf.Tensor2D {
  checkGroups(net, frames, lengths);
  const encoded = encodeFrames(net, frames, training);
  const emb = withSpeeds(net, encoded, speeds);
  if (!net.cell) return addSpeedResidual(net, applyHeads(net, emb), speeds);
  const proj = projectInputs(net.cell, emb);
  const T = net.window;
  const speedAt = speeds ? windowSteps(speeds, lengths, T) : null;
  const out = applyHeads(net, runCell(net.cell, T, windowSteps(proj, lengths, T)), speedAt ? speedChanges(net, speedAt) : null, lastEmbeddings(net, encoded, lengths));
  return addSpeedResidual(net, out, speedAt ? speedAt(T - 1) : null);
}

/**
 * Predictions [b, 3] with the measured speed of each window's last frame ([b, 1], normalised)
 * added to the speed column, for a model whose speed head predicts the change (config
 * heads.speedResidual); the predictions unchanged otherwise.
 */
export function addSpeedResidual(net: SteeringNet, out: tf.Tensor2D, lastSpeeds: tf.Tensor2D | null | undefined): tf.Tensor2D {
  if (!usesSpeedResidual(net.config)) return out;
  if (!lastSpeeds) throw new ModelError('invalid-input', 'this model reads the measured speed beside the frames, but no speeds were given');
  return tf.add(out, tf.mul(lastSpeeds, tf.tensor2d([[0, 1, 0]]))) as tf.Tensor2D;
}

function checkGroups(net: SteeringNet, frames: tf.Tensor4D, lengths: readonly number[]): void {
  if (net.isDisposed) throw new ModelError('disposed', 'this model was disposed');
  const { height, width } = net.config.input;
  const [n, h, w, c] = frames.shape;
  if (h !== height || w !== width || c !== 3) {
    throw new ModelError('invalid-input', `frames must be [n, ${height}, ${width}, 3] (the model's input size), got [${frames.shape.join(', ')}]`);
  }
  const total = lengths.reduce((s, x) => s + x, 0);
  if (lengths.length === 0 || total !== n) throw new ModelError('invalid-input', `group lengths add up to ${total}, but ${n} frames were given`);
  const short = lengths.findIndex((x) => !(Number.isInteger(x) && x >= net.window));
  if (short >= 0) throw new ModelError('invalid-input', `frame group ${short} has ${lengths[short]} frames; a window needs ${net.window}`);
}
