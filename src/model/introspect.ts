// The recurrent part at work: gate traces over the frames of one window (LSTM input, forget and
// output gates and cell state; GRU update and reset gates; the simple RNN's hidden state) and
// the gradient norm that reaches each time step in training (vanishing or exploding gradients,
// made visible). The trace steps the cell in JS with the same equations as forward.ts and the
// streaming predictor, so its last hidden state gives the model's prediction for the window.
//
// Ownership: both functions take plain arrays and return plain arrays; their tensors are freed
// before they return (the tensors they read by the read plan's runner, src/model/readout.ts).
// Each has an ...Async twin that never reads synchronously (webgpu in a worker). The net is the caller's and its weights are left as they were.

import type { CellKind } from './config.ts';
import { cellGates, speedFromFrame } from './configSizes.ts';
import type { SteeringNet } from './factory.ts';
import { addSpeedResidual, applyHeads, encodeFrames, projectInputs, runCell, speedChanges, speedColumn, windowSteps, withSpeeds } from './forward.ts';
import { ModelError } from './modelErrors.ts';
import { framesToTensor, type FrameSize } from './preprocess.ts';
import { runAsync, runSync, type ReadPlan } from './readout.ts';
import { tf } from './tfSetup.ts';

/** Series a trace holds per cell kind; gates are 0..1, states -1..1 (h) or unbounded (lstm c). */
export const TRACE_SERIES: Readonly<Record<CellKind, readonly string[]>> = {
  lstm: ['input', 'forget', 'output', 'cell', 'hidden'],
  gru: ['update', 'reset', 'hidden'],
  rnn: ['hidden'],
};

/** Series whose values are gate activations (sigmoids, 0..1). */
export const GATE_SERIES: readonly string[] = ['input', 'forget', 'output', 'update', 'reset'];

export interface GateTrace {
  readonly kind: CellKind;
  /** T: the window's frames, oldest first. */
  readonly steps: number;
  readonly units: number;
  /** Per series (TRACE_SERIES[kind]): steps x units, row-major (step t, unit j at t*units + j). */
  readonly series: Readonly<Record<string, Float32Array>>;
  /** The model's outputs for this window (normalised: steering, speed, torque). */
  readonly outputs: Float32Array;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Steps the cell over input projections `proj` (steps x gates*units, oldest first) from a zero
 * state, recording every gate and state. Same equations as runCell (forward.ts).
 */
export function traceCell(kind: CellKind, units: number, recurrentKernel: Float32Array, proj: Float32Array, steps: number): Record<string, Float32Array> {
  const U = units;
  const GU = cellGates(kind) * U;
  if (proj.length !== steps * GU || recurrentKernel.length !== U * GU) throw new ModelError('invalid-input', `a ${kind} trace needs ${steps} x ${GU} projections and a ${U} x ${GU} recurrent kernel`);
  const series: Record<string, Float32Array> = {};
  for (const name of TRACE_SERIES[kind]) series[name] = new Float32Array(steps * U);
  const h = new Float64Array(U);
  const c = new Float64Array(U);
  const z = new Float64Array(GU);
  /** acc[j] += sum_i v[i] * R[i, from + j], j < cols. */
  const rec = (v: Float64Array, acc: Float64Array, from: number, cols: number): void => {
    for (let i = 0; i < U; i++) {
      const vi = v[i];
      if (vi === 0) continue;
      for (let j = 0; j < cols; j++) acc[j] += vi * recurrentKernel[i * GU + from + j];
    }
  };
  for (let t = 0; t < steps; t++) {
    const x = proj.subarray(t * GU, (t + 1) * GU);
    const o = t * U;
    if (kind === 'lstm') {
      for (let j = 0; j < GU; j++) z[j] = x[j];
      rec(h, z, 0, GU);
      for (let j = 0; j < U; j++) {
        const ig = sigmoid(z[j]);
        const fg = sigmoid(z[U + j]);
        const og = sigmoid(z[3 * U + j]);
        c[j] = fg * c[j] + ig * Math.tanh(z[2 * U + j]);
        h[j] = og * Math.tanh(c[j]);
        series.input[o + j] = ig;
        series.forget[o + j] = fg;
        series.output[o + j] = og;
        series.cell[o + j] = c[j];
        series.hidden[o + j] = h[j];
      }
    } else if (kind === 'gru') {
      const zr = z.subarray(0, 2 * U);
      for (let j = 0; j < 2 * U; j++) zr[j] = x[j];
      rec(h, zr, 0, 2 * U);
      const rh = new Float64Array(U);
      const hh = new Float64Array(U);
      for (let j = 0; j < U; j++) {
        rh[j] = sigmoid(zr[U + j]) * h[j];
        hh[j] = x[2 * U + j];
      }
      rec(rh, hh, 2 * U, U);
      for (let j = 0; j < U; j++) {
        const ug = sigmoid(zr[j]);
        series.update[o + j] = ug;
        series.reset[o + j] = sigmoid(zr[U + j]);
        h[j] = ug * h[j] + (1 - ug) * Math.tanh(hh[j]);
        series.hidden[o + j] = h[j];
      }
    } else {
      for (let j = 0; j < U; j++) z[j] = x[j];
      rec(h, z, 0, U);
      for (let j = 0; j < U; j++) {
        h[j] = Math.tanh(z[j]);
        series.hidden[o + j] = h[j];
      }
    }
  }
  return series;
}

/**
 * The gate trace of one window: `frames` holds net.window RGB frames at `size`, oldest first
 * (and `speeds` their normalised measured speeds, for a model that reads the speed; absent:
 * the mean speed). Throws for the single-frame CNN (it has no recurrent part). gateTraceAsync
 * never reads synchronously (webgpu in a worker).
 */
export function gateTrace(net: SteeringNet, frames: Uint8Array, size: FrameSize, speeds?: ArrayLike<number> | null): GateTrace {
  return runSync(gateTracePlan(net, frames, size, speeds));
}

export function gateTraceAsync(net: SteeringNet, frames: Uint8Array, size: FrameSize, speeds?: ArrayLike<number> | null): Promise<GateTrace> {
  return runAsync(gateTracePlan(net, frames, size, speeds));
}

function* gateTracePlan(net: SteeringNet, frames: Uint8Array, size: FrameSize, speeds?: ArrayLike<number> | null): ReadPlan<GateTrace> {
  if (net.isDisposed) throw new ModelError('disposed', 'this model was disposed');
  const cell = net.cell;
  if (!cell) throw new ModelError('invalid-config', 'the single-frame CNN has no recurrent layer to trace');
  const T = net.window;
  const U = cell.units;
  const GU = cellGates(cell.kind) * U;
  // The projections, the recurrent kernel and (for a speed head that reads it) the last frame's embedding in one read.
  const E = speedFromFrame(net.config) ? net.config.encoder.embedding : 0;
  const both = yield tf.tidy(() => {
    const x = framesToTensor(frames, T, size, net.config.input);
    const emb = encodeFrames(net, x, false);
    const proj = projectInputs(cell, withSpeeds(net, emb, speedColumn(net, T, speeds)));
    const parts = [proj.reshape([-1]), cell.recurrentKernel.read().reshape([-1])];
    if (E > 0) parts.push(tf.slice(emb, [T - 1, 0], [1, E]).reshape([-1]));
    return tf.concat(parts);
  });
  const proj = both.slice(0, T * GU);
  const rk = both.slice(T * GU, both.length - E);
  const frameEmb = E > 0 ? both.slice(both.length - E) : null;
  const series = traceCell(cell.kind, U, rk, proj, T);
  const last = series.hidden.slice((T - 1) * U, T * U);
  // Read asynchronously, the model may have been let go in between.
  if (net.isDisposed) throw new ModelError('disposed', 'this model was disposed');
  const outputs = Float32Array.from(yield tf.tidy(() => {
    const column = speedColumn(net, T, speeds);
    const speedAt = column ? (t: number) => tf.slice(column, [t, 0], [1, 1]) as tf.Tensor2D : null;
    const out = applyHeads(net, tf.tensor2d(last, [1, U]), speedAt ? speedChanges(net, speedAt) : null, frameEmb ? tf.tensor2d(frameEmb, [1, E]) : null);
    return addSpeedResidual(net, out, speedAt ? speedAt(T - 1) : null);
  }));
  return { kind: cell.kind, steps: T, units: U, series, outputs };
}

export interface TimeStepGradients {
  /** T values, oldest step first: mean over windows of |dLoss/d embedding_t|. */
  readonly norms: Float32Array;
  readonly windows: number;
}

/**
 * How much gradient reaches each time step: for the windows of a batch (frame groups of
 * `lengths`, as in training; `targets` = normalised steering per window), the loss is the mean
 * squared steering error; returns the L2 norm of its gradient with respect to each step's
 * frame embedding (with the speed, for a model that reads it: `speeds` normalised, absent =
 * the mean speed), averaged over the windows. For the cnn, one step.
 */
export function timeStepGradients(net: SteeringNet, frames: Uint8Array, lengths: readonly number[], size: FrameSize, steeringTargets: Float32Array, speeds?: ArrayLike<number> | null): TimeStepGradients {
  return runSync(timeStepGradientsPlan(net, frames, lengths, size, steeringTargets, speeds));
}

/** timeStepGradients without a synchronous read (webgpu in a worker). */
export function timeStepGradientsAsync(net: SteeringNet, frames: Uint8Array, lengths: readonly number[], size: FrameSize, steeringTargets: Float32Array, speeds?: ArrayLike<number> | null): Promise<TimeStepGradients> {
  return runAsync(timeStepGradientsPlan(net, frames, lengths, size, steeringTargets, speeds));
}

function* timeStepGradientsPlan(net: SteeringNet, frames: Uint8Array, lengths: readonly number[], size: FrameSize, steeringTargets: Float32Array, speeds?: ArrayLike<number> | null): ReadPlan<TimeStepGradients> {
  if (net.isDisposed) throw new ModelError('disposed', 'this model was disposed');
  const T = net.window;
  const windows = lengths.reduce((s, n) => s + n - T + 1, 0);
  if (steeringTargets.length !== windows) throw new ModelError('invalid-input', `expected ${windows} steering targets (one per window), got ${steeringTargets.length}`);
  const total = lengths.reduce((s, n) => s + n, 0);
  const norms = yield tf.tidy(() => {
    const x = framesToTensor(frames, total, size, net.config.input);
    const emb = withSpeeds(net, encodeFrames(net, x, false), speedColumn(net, total, speeds));
    const at = windowSteps(emb, lengths, T);
    const steps = Array.from({ length: T }, (_, t) => at(t));
    const y = tf.tensor2d(steeringTargets, [windows, 1]);
    const loss = (...e: tf.Tensor[]): tf.Scalar => {
      const cell = net.cell;
      const features = cell ? runCell(cell, T, (t) => projectInputs(cell, e[t] as tf.Tensor2D)) : (e[0] as tf.Tensor2D);
      const steer = tf.slice(applyHeads(net, features), [0, 0], [-1, 1]);
      return tf.mean(tf.square(tf.sub(steer, y)));
    };
    const grads = tf.grads(loss)(steps);
    // Per window: the norm of its own gradient row, then the mean over windows.
    return tf.stack(grads.map((g) => tf.mean(tf.norm(g, 'euclidean', 1))));
  });
  return { norms: Float32Array.from(norms), windows };
}
