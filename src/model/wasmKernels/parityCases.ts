// The computations that training on wasm relies on, as parity cases (see parity.ts): the conv
// gradients we registered over strides, paddings, kernel sizes and odd shapes; the gradients
// of every other op a training step of our models uses; and whole optimizer steps.
// Sizes are tiny on purpose: the reference is tfjs' cpu backend, which is slow in Node.
import { tf } from '../tfSetup.ts';
import { seededTensor, seededValues, takeValues, type ParityCase } from './parity.ts';

/**
 * f(inputs) itself, then the gradients of sum(f(inputs) * r) for every input, r a fixed seeded
 * weighting (so no gradient is uniform).
 */
function gradsOfWeightedSum(name: string, shapes: number[][], f: (...xs: tf.Tensor[]) => tf.Tensor, scale = 1): ParityCase {
  return {
    name,
    run: () => {
      const inputs = shapes.map((s, i) => seededTensor(s, `${name}/in${i}`, scale));
      const outputs = tf.tidy(() => [f(...inputs), ...tf.grads((...xs: tf.Tensor[]) => {
        const y = f(...xs);
        return tf.sum(tf.mul(y, seededTensor(y.shape, `${name}/r`)));
      })(inputs)]);
      tf.dispose(inputs);
      return takeValues(outputs);
    },
  };
}

export interface ConvCaseShape {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly inChannels: number;
  readonly outChannels: number;
}

/** Shapes chosen to be non-square, odd and even, with 1 and several channels and batches. */
export const CONV_CASE_SHAPES: readonly ConvCaseShape[] = [
  { batch: 1, height: 7, width: 9, inChannels: 1, outChannels: 2 },
  { batch: 2, height: 8, width: 11, inChannels: 3, outChannels: 4 },
  { batch: 3, height: 10, width: 6, inChannels: 5, outChannels: 3 },
  // 12 channels: filter rows of 36 and 60 floats, so im2col takes its memcpy path too.
  { batch: 2, height: 9, width: 13, inChannels: 12, outChannels: 5 },
];

/** dx and dW of conv2d for kernel 1/3/5 x stride 1/2 x same/valid x CONV_CASE_SHAPES, plus uneven strides and kernels no larger than their stride. */
export function convGradientCases(): ParityCase[] {
  const cases: ParityCase[] = [];
  const conv = (s: ConvCaseShape, k: number, strides: [number, number], pad: 'same' | 'valid'): ParityCase =>
    gradsOfWeightedSum(
      `conv2d ${s.batch}x${s.height}x${s.width}x${s.inChannels}->${s.outChannels} k${k} s${strides.join('x')} ${pad}`,
      [[s.batch, s.height, s.width, s.inChannels], [k, k, s.inChannels, s.outChannels]],
      (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad),
    );
  for (const s of CONV_CASE_SHAPES) {
    for (const k of [1, 3, 5]) {
      for (const stride of [1, 2]) {
        for (const pad of ['same', 'valid'] as const) cases.push(conv(s, k, [stride, stride], pad));
      }
    }
  }
  cases.push(conv(CONV_CASE_SHAPES[1], 3, [2, 1], 'same'));
  cases.push(conv(CONV_CASE_SHAPES[2], 5, [1, 2], 'valid'));
  // Kernel no larger than the stride, 'same' on odd sizes: a stride phase of dx whose convolution
  // has a row past the phase's last (conv2dBackpropInput.ts crops it)
  cases.push(conv(CONV_CASE_SHAPES[3], 2, [2, 2], 'same'));
  cases.push(conv(CONV_CASE_SHAPES[1], 3, [3, 3], 'same'));
  cases.push(conv(CONV_CASE_SHAPES[2], 3, [3, 3], 'same')); // and one before the phase's first
  // Rectangular filter, through the raw kernel so the filter shape is not square.
  cases.push(gradsOfWeightedSum('conv2d 2x9x12x3->4 k3x5 s2 same', [[2, 9, 12, 3], [3, 5, 3, 4]],
    (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 2, 'same')));
  return cases;
}

/** Everything else a training step of our models differentiates through. */
export function opGradientCases(): ParityCase[] {
  const img = [2, 9, 10, 3];
  return [
    gradsOfWeightedSum('fused conv2d + bias (the tf.layers conv path)', [img, [3, 3, 3, 4], [4]],
      (x, w, b) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, bias: b, strides: 2, pad: 'same' })),
    gradsOfWeightedSum('relu', [[64]], (x) => tf.relu(x)),
    gradsOfWeightedSum('elu', [[64]], (x) => tf.elu(x), 3),
    gradsOfWeightedSum('leakyRelu', [[64]], (x) => tf.leakyRelu(x, 0.1)),
    gradsOfWeightedSum('relu6', [[64]], (x) => tf.relu6(x), 8),
    gradsOfWeightedSum('tanh', [[64]], (x) => tf.tanh(x), 3),
    gradsOfWeightedSum('sigmoid', [[64]], (x) => tf.sigmoid(x), 3),
    gradsOfWeightedSum('dense: matMul + bias', [[5, 7], [7, 4], [4]], (a, b, c) => tf.add(tf.matMul(a, b), c)),
    gradsOfWeightedSum('matMul transposed operands', [[7, 5], [4, 7]], (a, b) => tf.matMul(a, b, true, true)),
    gradsOfWeightedSum('fused matMul + bias + relu (dense layer)', [[5, 7], [7, 4], [4]],
      (a, b, c) => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias: c, activation: 'relu' })),
    gradsOfWeightedSum('reshape + transpose', [[2, 3, 4]], (x) => tf.transpose(tf.reshape(x, [6, 4]), [1, 0])),
    gradsOfWeightedSum('slice + pad', [[2, 5, 6, 3]], (x) => tf.pad(tf.slice(x, [0, 1, 2, 0], [2, 3, 3, 3]), [[0, 0], [1, 2], [0, 1], [0, 0]])),
    gradsOfWeightedSum('concat + stack', [[2, 3], [2, 5]], (a, b) => tf.stack([tf.concat([a, b], 1), tf.concat([b, a], 1)])),
    gradsOfWeightedSum('maxPool 2x2 s2 valid', [img], (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')),
    gradsOfWeightedSum('maxPool 3x3 s2 same', [img], (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same')),
    // After relu whole windows are 0: ties must go to the first pixel, as on cpu and webgl.
    gradsOfWeightedSum('maxPool 2x2 s2 after relu (ties)', [img], (x) => tf.maxPool(tf.relu(tf.sub(x, 0.5)) as tf.Tensor4D, 2, 2, 'valid')),
    gradsOfWeightedSum('maxPool 3x3 s1 same, all negative', [img], (x) => tf.maxPool(tf.sub(x, 2) as tf.Tensor4D, 3, 1, 'same')),
    gradsOfWeightedSum('avgPool 2x2 s2 same', [img], (x) => tf.avgPool(x as tf.Tensor4D, 2, 2, 'same')),
    gradsOfWeightedSum('mean squared error', [[8, 3], [8, 3]], (p, y) => tf.losses.meanSquaredError(y, p)),
    gradsOfWeightedSum('seeded dropout', [[6, 10]], (x) => tf.dropout(x, 0.3, undefined, 42)),
    gradsOfWeightedSum('global-norm clipping', [[3, 4], [5]], (a, b) => {
      const norm = tf.sqrt(tf.add(tf.sum(tf.square(a)), tf.sum(tf.square(b))));
      const factor = tf.div(1, tf.maximum(norm, 1));
      return tf.concat([tf.reshape(tf.mul(a, factor), [-1]), tf.mul(b, factor)]);
    }, 2),
    ...(['lstm', 'gru', 'simpleRNN'] as const).map(recurrentCase),
  ];
}

/** Gradients of a recurrent layer's output w.r.t. its input sequence and every weight. */
function recurrentCase(kind: 'lstm' | 'gru' | 'simpleRNN'): ParityCase {
  const name = `${kind} layer (T=4, 5 features, 6 units)`;
  return {
    name,
    run: () => {
      const layer = tf.layers[kind]({ units: 6, returnSequences: true, inputShape: [4, 5] });
      const model = tf.sequential({ layers: [layer] });
      setSeededWeights(model, name);
      const x = seededTensor([3, 4, 5], `${name}/x`);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const { value, grads } = tf.variableGrads(() => tf.tidy(() => {
        const y = model.apply(x, { training: true }) as tf.Tensor;
        return tf.sum(tf.mul(y, seededTensor(y.shape, `${name}/r`))) as tf.Scalar;
      }), vars);
      const out = takeValues(vars.map((v) => grads[v.name]));
      tf.dispose([value, x]);
      model.dispose();
      return out;
    },
  };
}

/** Replaces a model's (randomly initialised) weights with seeded ones of the same shapes. */
export function setSeededWeights(model: tf.LayersModel, seed: string, scale = 0.3): void {
  const weights = model.getWeights().map((w, i) => tf.tensor(seededValues(w.size, `${seed}/w${i}`, scale), w.shape));
  model.setWeights(weights);
  tf.dispose(weights);
}

/** A small PilotNet-shaped conv net: non-square input (20x24 -> 8x10 -> 4x5 -> 2x3), strided 5x5 and 3x3 convs, dense head. */
export function smallConvNet(options: { inputShape?: [number, number, number]; dropout?: number } = {}): tf.Sequential {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: options.inputShape ?? [20, 24, 3], filters: 4, kernelSize: 5, strides: 2, activation: 'relu' }));
  model.add(tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'elu' }));
  model.add(tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }));
  model.add(tf.layers.flatten());
  model.add(tf.layers.dense({ units: 10, activation: 'relu' }));
  if (options.dropout) model.add(tf.layers.dropout({ rate: options.dropout, seed: 7 }));
  model.add(tf.layers.dense({ units: 3 }));
  return model;
}

type OptimizerName = 'sgd' | 'momentum' | 'adam' | 'rmsprop';
function makeOptimizer(name: OptimizerName): tf.Optimizer {
  switch (name) {
    case 'sgd': return tf.train.sgd(0.1);
    case 'momentum': return tf.train.momentum(0.05, 0.9);
    case 'adam': return tf.train.adam(0.01);
    case 'rmsprop': return tf.train.rmsprop(0.01);
  }
}

/**
 * Weight changes made by `steps` optimizer steps of smallConvNet on a fixed batch (MSE loss,
 * gradients clipped to a global norm of 1 when `clip`). Compares deltas, not weights: a wrong
 * gradient hides in w + delta but not in delta.
 */
export function trainingStepCase(options: { optimizer: OptimizerName; steps: number; clip?: boolean; dropout?: number }): ParityCase {
  const name = `train smallConvNet: ${options.steps} ${options.optimizer} step(s)${options.clip ? ', global-norm clip' : ''}${options.dropout ? ', dropout' : ''}`;
  return {
    name,
    // tfjs 4.22's MomentumOptimizer.dispose() forgets its learning-rate scalar (SGD's `c`).
    knownLeaks: options.optimizer === 'momentum' ? 1 : 0,
    run: () => {
      const model = smallConvNet({ dropout: options.dropout });
      setSeededWeights(model, 'smallConvNet');
      const x = seededTensor([4, 20, 24, 3], `${name}/x`);
      const y = seededTensor([4, 3], `${name}/y`);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      const before = vars.map((v) => Float32Array.from(v.dataSync()));
      const optimizer = makeOptimizer(options.optimizer);
      for (let step = 0; step < options.steps; step++) {
        tf.tidy(() => {
          const { grads } = tf.variableGrads(() => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
          const list = vars.map((v) => grads[v.name]);
          let applied = list;
          if (options.clip) {
            const norm = tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g)))));
            const factor = tf.div(1, tf.maximum(norm, 1));
            applied = list.map((g) => tf.mul(g, factor));
          }
          optimizer.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: applied[i] })));
        });
      }
      const deltas = vars.map((v, i) => {
        const after = v.dataSync();
        return after.map((a, j) => a - before[i][j]) as Float32Array;
      });
      optimizer.dispose();
      tf.dispose([x, y]);
      model.dispose();
      return deltas;
    },
  };
}

export function trainingStepCases(): ParityCase[] {
  return [
    trainingStepCase({ optimizer: 'sgd', steps: 1 }),
    trainingStepCase({ optimizer: 'momentum', steps: 2 }),
    trainingStepCase({ optimizer: 'adam', steps: 2, clip: true }),
    trainingStepCase({ optimizer: 'rmsprop', steps: 2, dropout: 0.2 }),
  ];
}

/** The parity suite: every case, or (quick) every sixth conv case and one training step. */
export function parityCases(quick: boolean): ParityCase[] {
  return quick
    ? [...convGradientCases().filter((_, i) => i % 6 === 0), ...trainingStepCases().slice(0, 1)]
    : [...convGradientCases(), ...opGradientCases(), ...trainingStepCases()];
}
