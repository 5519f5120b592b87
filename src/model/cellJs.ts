// The recurrent cell and dense heads in plain Float64 math over JS copies of their weights: what
// the streaming predictor (predictor.ts) steps each tick, where tfjs ops would cost tens of small
// kernel launches for a few hundred thousand multiply-adds. Held to the tfjs model by
// predictor.test (1e-5).

import type { Activation, CellKind } from './config.ts';
import { cellGates } from './configSizes.ts';
import type { SteeringNet } from './factory.ts';
import type { tf } from './tfSetup.ts';

export interface DenseWeights {
  readonly inputs: number;
  readonly units: number;
  /** [inputs x units], row-major. */
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  readonly activation: Activation;
}

export interface CellWeights {
  readonly kind: CellKind;
  readonly units: number;
  readonly gates: number;
  readonly inputs: number;
  readonly kernel: Float32Array;
  readonly recurrentKernel: Float32Array;
  readonly bias: Float32Array;
}

export function readDense(layer: tf.layers.Layer, activation: Activation): DenseWeights {
  const [k, b] = layer.getWeights();
  // Copies: on the cpu backend dataSync hands out the tensor's own buffer.
  return { inputs: k.shape[0], units: k.shape[1]!, kernel: Float32Array.from(k.dataSync()), bias: Float32Array.from(b.dataSync()), activation };
}

export function readCell(net: SteeringNet): CellWeights | null {
  const c = net.cell;
  if (!c) return null;
  const gates = cellGates(c.kind);
  return {
    kind: c.kind, units: c.units, gates, inputs: c.kernel.shape[0]!,
    kernel: Float32Array.from(c.kernel.read().dataSync()),
    recurrentKernel: Float32Array.from(c.recurrentKernel.read().dataSync()),
    bias: Float32Array.from(c.bias.read().dataSync()),
  };
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export function activate(x: number, a: Activation): number {
  switch (a) {
    case 'relu': return x > 0 ? x : 0;
    case 'elu': return x > 0 ? x : Math.exp(x) - 1;
    case 'tanh': return Math.tanh(x);
    case 'sigmoid': return sigmoid(x);
    case 'linear': return x;
  }
}

/** out = act(x W + b). NOTE mutates out. */
export function denseInto(d: DenseWeights, x: ArrayLike<number>, out: Float64Array): void {
  for (let j = 0; j < d.units; j++) out[j] = d.bias[j];
  for (let i = 0; i < d.inputs; i++) {
    const xi = x[i];
    if (xi === 0) continue;
    const row = i * d.units;
    for (let j = 0; j < d.units; j++) out[j] += xi * d.kernel[row + j];
  }
  if (d.activation !== 'linear') for (let j = 0; j < d.units; j++) out[j] = activate(out[j], d.activation);
}

/** acc += h U for a [units x width] row-major U. NOTE mutates acc. */
export function addRecurrent(h: Float64Array, U: Float32Array, width: number, acc: Float64Array, from = 0, cols = width): void {
  for (let i = 0; i < h.length; i++) {
    const hi = h[i];
    if (hi === 0) continue;
    const row = i * width + from;
    for (let j = 0; j < cols; j++) acc[j] += hi * U[row + j];
  }
}

/** Runs the cell from a zero state over the projections xs (oldest first); returns the last h. */
export function runCellJs(c: CellWeights, xs: readonly Float32Array[]): Float64Array {
  const U = c.units;
  const GU = c.gates * U;
  const h = new Float64Array(U);
  const z = new Float64Array(GU);
  if (c.kind === 'lstm') {
    const cs = new Float64Array(U);
    for (const x of xs) {
      for (let j = 0; j < GU; j++) z[j] = x[j];
      addRecurrent(h, c.recurrentKernel, GU, z);
      for (let j = 0; j < U; j++) {
        const i = sigmoid(z[j]);
        const f = sigmoid(z[U + j]);
        const g = Math.tanh(z[2 * U + j]);
        const o = sigmoid(z[3 * U + j]);
        cs[j] = f * cs[j] + i * g;
        h[j] = o * Math.tanh(cs[j]);
      }
    }
  } else if (c.kind === 'gru') {
    const zr = new Float64Array(2 * U);
    const rh = new Float64Array(U);
    const hh = new Float64Array(U);
    for (const x of xs) {
      for (let j = 0; j < 2 * U; j++) zr[j] = x[j];
      addRecurrent(h, c.recurrentKernel, GU, zr, 0, 2 * U);
      for (let j = 0; j < U; j++) rh[j] = sigmoid(zr[U + j]) * h[j];
      for (let j = 0; j < U; j++) hh[j] = x[2 * U + j];
      addRecurrent(rh, c.recurrentKernel, GU, hh, 2 * U, U);
      for (let j = 0; j < U; j++) {
        const zg = sigmoid(zr[j]);
        h[j] = zg * h[j] + (1 - zg) * Math.tanh(hh[j]);
      }
    }
  } else {
    for (const x of xs) {
      for (let j = 0; j < U; j++) z[j] = x[j];
      addRecurrent(h, c.recurrentKernel, U, z);
      for (let j = 0; j < U; j++) h[j] = Math.tanh(z[j]);
    }
  }
  return h;
}

