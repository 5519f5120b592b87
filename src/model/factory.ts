// Builds the steering networks from a config: the per-frame conv encoder, the recurrent head
// (a cell over T embeddings, then the steering/speed/torque heads), the full CNN+LSTM
// (TimeDistributed encoder + recurrent head) and the single-frame CNN baseline. Every layer
// has a fixed name, so weight names ("conv1/kernel", "rnn/recurrent_kernel", "steering/bias")
// are stable across builds: saving, loading, checkpoints and optimiser state rely on them.
//
// Ownership: a SteeringNet owns every weight of its tfjs models; `dispose()` frees them all.
// The encoder and head are the same layer objects as inside `model` (shared weights, not copies).

import { HEAD_NAMES, parseModelConfig, type CellKind, type ModelConfig } from './config.ts';
import { cellGates, convPlan, encoderHiddenWidths, featureWidth, SPEED_CHANGE_SCALE, speedFromFrame, torqueSpeedChanges, usesSpeedInput } from './configSizes.ts';
import { createRng } from '../core/rng.ts';
import { ModelError } from './modelErrors.ts';
import { tf } from './tfSetup.ts';

/** The trainable weights of one named layer (the unit of the per-layer gradient norms). */
export interface NetLayer {
  readonly name: string;
  readonly weights: readonly tf.LayerVariable[];
}

/** The recurrent cell's weights, in tfjs-layers' layout (gates side by side along the last axis). */
export interface CellVariables {
  readonly kind: CellKind;
  readonly units: number;
  /** [embedding, gates*units]; gate order i, f, c, o (lstm) or z, r, h (gru). */
  readonly kernel: tf.LayerVariable;
  /** [units, gates*units]. */
  readonly recurrentKernel: tf.LayerVariable;
  /** [gates*units]. */
  readonly bias: tf.LayerVariable;
}

/** One output head: an optional hidden dense layer, then a dense layer of width 1. */
export interface HeadLayers {
  readonly hidden: tf.layers.Layer | null;
  readonly out: tf.layers.Layer;
}

export interface SteeringNet {
  readonly config: ModelConfig;
  /** Normalised frames [n, H, W, 3] -> embeddings [n, E]. */
  readonly encoder: tf.Sequential;
  /**
   * cnn_lstm: features [b, T, F] -> [b, 3]; cnn: [b, F] -> [b, 3] (normalised steering, speed,
   * torque). F is the embedding width, plus 1 when the model reads the speed (the normalised
   * measured speed is the last feature).
   */
  readonly head: tf.LayersModel;
  /**
   * The whole network as one tfjs model; cnn_lstm: [b, T, H, W, 3] -> [b, 3]; cnn: [b, H, W, 3]
   * -> [b, 3]. A model that reads the speed has a second input, the normalised measured speed
   * of each frame: [b, T, 1] (cnn_lstm) or [b, 1] (cnn).
   */
  readonly model: tf.LayersModel;
  /** Whether the model reads the measured speed (config.input.speed). */
  readonly speedInput: boolean;
  /** null for the cnn. */
  readonly cell: CellVariables | null;
  /** In HEAD_NAMES order. */
  readonly heads: readonly HeadLayers[];
  /** Every trainable weight grouped by layer, in a fixed order: encoder, cell, heads. */
  readonly layers: readonly NetLayer[];
  /** Frames per window: T for cnn_lstm, 1 for cnn. */
  readonly window: number;
  readonly isDisposed: boolean;
  dispose(): void;
}

/** Distinct seeds per layer: tfjs initializers given one seed draw the same values for equal shapes. */
function layerSeed(config: ModelConfig, layerIndex: number): number {
  return (config.seed * 7919 + layerIndex * 104729) % 2147483647;
}

function initializer(name: string, seed: number): ReturnType<typeof tf.initializers.glorotUniform> {
  switch (name) {
    case 'glorotUniform': return tf.initializers.glorotUniform({ seed });
    case 'glorotNormal': return tf.initializers.glorotNormal({ seed });
    case 'heNormal': return tf.initializers.heNormal({ seed });
    case 'heUniform': return tf.initializers.heUniform({ seed });
    case 'leCunNormal': return tf.initializers.leCunNormal({ seed });
    case 'leCunUniform': return tf.initializers.leCunUniform({ seed });
    case 'orthogonal': return tf.initializers.orthogonal({ seed, gain: 1 });
    default: throw new ModelError('invalid-config', `unknown initializer '${name}'`);
  }
}

/**
 * A rows x cols matrix (rows <= cols) with orthonormal rows, row-major: seeded Gaussian rows
 * through modified Gram-Schmidt, the same distribution as Keras' orthogonal initializer.
 */
export function orthogonalRows(rows: number, cols: number, seed: number): Float32Array {
  if (rows > cols) throw new ModelError('invalid-config', `orthogonal rows need rows <= cols, got ${rows}x${cols}`);
  const rng = createRng(seed);
  const m = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = m.subarray(i * cols, (i + 1) * cols);
    for (;;) {
      for (let j = 0; j < cols; j++) row[j] = rng.normal();
      for (let k = 0; k < i; k++) {
        const prev = m.subarray(k * cols, (k + 1) * cols);
        let dot = 0;
        for (let j = 0; j < cols; j++) dot += row[j] * prev[j];
        for (let j = 0; j < cols; j++) row[j] -= dot * prev[j];
      }
      let norm = 0;
      for (let j = 0; j < cols; j++) norm += row[j] * row[j];
      norm = Math.sqrt(norm);
      if (norm > 1e-6) {
        for (let j = 0; j < cols; j++) row[j] /= norm;
        break;
      }
    }
  }
  return Float32Array.from(m);
}

/** The per-frame encoder: conv stack, flatten, hidden dense layers, the embedding (and dropout). */
export function createEncoder(input: ModelConfig): tf.Sequential {
  const config = parseModelConfig(input);
  const { height, width } = config.input;
  const model = tf.sequential({ name: 'encoder' });
  let k = 0;
  for (const [i, l] of convPlan(config).layers.entries()) {
    model.add(tf.layers.conv2d({
      name: `conv${i + 1}`,
      ...(i === 0 ? { inputShape: [height, width, 3] } : {}),
      filters: l.filters,
      kernelSize: l.kernel,
      strides: l.stride,
      padding: l.padding,
      activation: l.activation,
      kernelInitializer: initializer(config.init.kernel, layerSeed(config, k++)),
    }));
  }
  model.add(tf.layers.flatten({ name: 'flatten' }));
  const dense = (name: string, units: number): void => {
    model.add(tf.layers.dense({ name, units, activation: config.encoder.activation, kernelInitializer: initializer(config.init.kernel, layerSeed(config, k++)) }));
  };
  encoderHiddenWidths(config).forEach((u, i) => dense(`hidden${i + 1}`, u));
  dense('embedding', config.encoder.embedding);
  // Unseeded on purpose: a seeded tfjs dropout layer draws the same mask on every call.
  if (config.encoder.dropout > 0) model.add(tf.layers.dropout({ name: 'embedding_dropout', rate: config.encoder.dropout }));
  return model;
}

const FIRST_HEAD_SEED = 100;

/** Applies the three heads to `features` and concatenates them: [b, 3] in HEAD_NAMES order. */
/**
 * What the torque head reads beside the cell's output (heads.torqueSpeedChanges = K): from the
 * window's features [b, T, F], whose last column is the normalised measured speed, the last K
 * frame-to-frame changes of that speed x SPEED_CHANGE_SCALE, [b, K], oldest change first. Made of
 * weight-free layers (crops, rescalings, an add), so the saved model has no extra weights and
 * tf.loadLayersModel reads it as it is. null when K is 0.
 */
function speedChanges(config: ModelConfig, features: tf.SymbolicTensor): tf.SymbolicTensor | null {
  const K = torqueSpeedChanges(config);
  if (K === 0) return null;
  const T = config.sequence.window;
  const F = featureWidth(config);
  const grid = tf.layers.reshape({ name: 'speed_grid', targetShape: [T, F, 1] }).apply(features) as tf.SymbolicTensor;
  const recent = tf.layers.cropping2D({ name: 'recent_speeds', cropping: [[T - K - 1, 0], [F - 1, 0]] }).apply(grid) as tf.SymbolicTensor;
  const newer = tf.layers.cropping2D({ name: 'speeds_newer', cropping: [[1, 0], [0, 0]] }).apply(recent) as tf.SymbolicTensor;
  const older = tf.layers.cropping2D({ name: 'speeds_older', cropping: [[0, 1], [0, 0]] }).apply(recent) as tf.SymbolicTensor;
  const plus = tf.layers.rescaling({ name: 'speeds_newer_scaled', scale: SPEED_CHANGE_SCALE }).apply(newer) as tf.SymbolicTensor;
  const minus = tf.layers.rescaling({ name: 'speeds_older_scaled', scale: -SPEED_CHANGE_SCALE }).apply(older) as tf.SymbolicTensor;
  const change = tf.layers.add({ name: 'speed_changes_grid' }).apply([plus, minus]) as tf.SymbolicTensor;
  return tf.layers.flatten({ name: 'speed_changes' }).apply(change) as tf.SymbolicTensor;
}

/**
 * What a speed head with heads.speedFrom 'frame' reads: from the window's features [b, T, F], the
 * last frame's embedding without the speed column, [b, E]. Weight-free crops, like speedChanges.
 * null for any other speed head.
 */
function lastEmbedding(config: ModelConfig, features: tf.SymbolicTensor): tf.SymbolicTensor | null {
  if (!speedFromFrame(config)) return null;
  const T = config.sequence.window;
  const F = featureWidth(config);
  const grid = tf.layers.reshape({ name: 'frame_grid', targetShape: [T, F, 1] }).apply(features) as tf.SymbolicTensor;
  const last = tf.layers.cropping2D({ name: 'last_embedding_grid', cropping: [[T - 1, 0], [0, F - config.encoder.embedding]] }).apply(grid) as tf.SymbolicTensor;
  return tf.layers.flatten({ name: 'last_embedding' }).apply(last) as tf.SymbolicTensor;
}

function addHeads(config: ModelConfig, features: tf.SymbolicTensor, changes: tf.SymbolicTensor | null = null, frame: tf.SymbolicTensor | null = null): { output: tf.SymbolicTensor; heads: HeadLayers[] } {
  const heads: HeadLayers[] = [];
  const outputs = HEAD_NAMES.map((name, i) => {
    let x = changes && name === 'torque' ? tf.layers.concatenate({ name: 'torque_in', axis: -1 }).apply([features, changes]) as tf.SymbolicTensor : frame && name === 'speed' ? frame : features;
    let hidden: tf.layers.Layer | null = null;
    if (config.heads.hidden > 0) {
      hidden = tf.layers.dense({
        name: `${name}_hidden`, units: config.heads.hidden, activation: config.heads.activation,
        kernelInitializer: initializer(config.init.kernel, layerSeed(config, FIRST_HEAD_SEED + 2 * i)),
      });
      x = hidden.apply(x) as tf.SymbolicTensor;
    }
    // Glorot for the linear output whatever the kernel init: He would start the heads too loud.
    const out = tf.layers.dense({ name, units: 1, kernelInitializer: initializer('glorotUniform', layerSeed(config, FIRST_HEAD_SEED + 2 * i + 1)) });
    heads.push({ hidden, out });
    return out.apply(x) as tf.SymbolicTensor;
  });
  return { output: tf.layers.concatenate({ name: 'heads', axis: -1 }).apply(outputs) as tf.SymbolicTensor, heads };
}

function recurrentLayer(config: ModelConfig): tf.layers.Layer {
  const { cell, units } = config.sequence;
  const common = {
    name: 'rnn',
    units,
    // Glorot for the input kernel whatever init.kernel says: He scaling (made for relu) would
    // saturate the sigmoid and tanh gates from the first step.
    kernelInitializer: initializer('glorotUniform', layerSeed(config, 50)),
    // 'orthogonal' is written in assemble() (orthogonalRows): tfjs' own runs a QR decomposition
    // that takes ~0.3 s at 64 units and warns on the console at every build.
    recurrentInitializer: config.init.recurrent === 'orthogonal' ? 'zeros' : initializer(config.init.recurrent, layerSeed(config, 51)),
  };
  // The standard sigmoid gates (tfjs' default is hardSigmoid); the fused cells in forward.ts
  // compute the same. The forget-gate bias of 1 is set in assemble(): tfjs' unitForgetBias
  // initializer leaks four tensors per build.
  if (cell === 'lstm') return tf.layers.lstm({ ...common, recurrentActivation: 'sigmoid' });
  if (cell === 'gru') return tf.layers.gru({ ...common, recurrentActivation: 'sigmoid' });
  return tf.layers.simpleRNN({ ...common, activation: 'tanh' });
}

interface HeadBuild {
  readonly head: tf.LayersModel;
  readonly heads: HeadLayers[];
  readonly rnn: tf.layers.Layer | null;
}

function buildHead(config: ModelConfig): HeadBuild {
  const E = featureWidth(config);
  if (config.sequence.kind === 'cnn') {
    const input = tf.input({ shape: [E], name: 'embedding_in' });
    const { output, heads } = addHeads(config, input);
    return { head: tf.model({ name: 'frame_head', inputs: input, outputs: output }), heads, rnn: null };
  }
  const input = tf.input({ shape: [config.sequence.window, E], name: 'embeddings' });
  const rnn = recurrentLayer(config);
  const { output, heads } = addHeads(config, rnn.apply(input) as tf.SymbolicTensor, speedChanges(config, input), lastEmbedding(config, input));
  return { head: tf.model({ name: 'recurrent_head', inputs: input, outputs: output }), heads, rnn };
}

/** The recurrent head on its own: features [b, T, F] -> [b, 3]. Caller disposes it. */
export function createRecurrentHead(input: ModelConfig): tf.LayersModel {
  const config = parseModelConfig(input);
  if (config.sequence.kind !== 'cnn_lstm') throw new ModelError('invalid-config', `sequence.kind must be 'cnn_lstm' for a recurrent head, got '${config.sequence.kind}'`);
  return buildHead(config).head;
}

function byName(layer: tf.layers.Layer, suffix: string): tf.LayerVariable {
  const w = layer.trainableWeights.find((v) => v.originalName.endsWith(`/${suffix}`));
  if (!w) throw new ModelError('invalid-config', `layer '${layer.name}' has no weight '${suffix}'`);
  return w;
}

function assemble(config: ModelConfig): SteeringNet {
  const encoder = createEncoder(config);
  const { head, heads, rnn } = buildHead(config);
  const { height, width } = config.input;
  const speedInput = usesSpeedInput(config);
  let model: tf.LayersModel;
  let window = 1;
  if (config.sequence.kind === 'cnn_lstm') {
    window = config.sequence.window;
    const frames = tf.input({ shape: [window, height, width, 3], name: 'frames' });
    let features = tf.layers.timeDistributed({ layer: encoder, name: 'frame_encoder' }).apply(frames) as tf.SymbolicTensor;
    const speeds = speedInput ? tf.input({ shape: [window, 1], name: 'speeds' }) : null;
    if (speeds) features = tf.layers.concatenate({ name: 'with_speed', axis: -1 }).apply([features, speeds]) as tf.SymbolicTensor;
    model = tf.model({ name: 'deepsteer_cnn_lstm', inputs: speeds ? [frames, speeds] : frames, outputs: head.apply(features) as tf.SymbolicTensor });
  } else {
    const frame = tf.input({ shape: [height, width, 3], name: 'frame' });
    let features = encoder.apply(frame) as tf.SymbolicTensor;
    const speed = speedInput ? tf.input({ shape: [1], name: 'speed' }) : null;
    if (speed) features = tf.layers.concatenate({ name: 'with_speed', axis: -1 }).apply([features, speed]) as tf.SymbolicTensor;
    model = tf.model({ name: 'deepsteer_cnn', inputs: speed ? [frame, speed] : frame, outputs: head.apply(features) as tf.SymbolicTensor });
  }
  const cell: CellVariables | null = rnn
    ? { kind: config.sequence.cell, units: config.sequence.units, kernel: byName(rnn, 'kernel'), recurrentKernel: byName(rnn, 'recurrent_kernel'), bias: byName(rnn, 'bias') }
    : null;
  if (cell && config.init.recurrent === 'orthogonal') {
    const [rows, cols] = cell.recurrentKernel.shape as [number, number];
    tf.tidy(() => {
      cell.recurrentKernel.write(tf.tensor2d(orthogonalRows(rows, cols, layerSeed(config, 51)), [rows, cols]));
    });
  }
  if (cell?.kind === 'lstm') {
    // Forget-gate bias 1 (gate order i, f, c, o): early gradients flow through the cell state.
    const U = cell.units;
    const b = new Float32Array(4 * U);
    b.fill(1, U, 2 * U);
    tf.tidy(() => {
      cell.bias.write(tf.tensor1d(b));
    });
  }
  const layers: NetLayer[] = [];
  for (const l of encoder.layers) if (l.trainableWeights.length > 0) layers.push({ name: l.name, weights: l.trainableWeights });
  if (rnn && cell) layers.push({ name: rnn.name, weights: [cell.kernel, cell.recurrentKernel, cell.bias] });
  for (const h of heads) {
    if (h.hidden) layers.push({ name: h.hidden.name, weights: h.hidden.trainableWeights });
    layers.push({ name: h.out.name, weights: h.out.trainableWeights });
  }
  const expected = model.trainableWeights.length;
  const listed = layers.reduce((s, l) => s + l.weights.length, 0);
  if (listed !== expected || cell && cell.kernel.shape[1] !== cellGates(cell.kind) * cell.units) {
    throw new ModelError('invalid-config', `the built model has ${expected} weights but ${listed} were grouped by layer`);
  }
  let disposed = false;
  return {
    config, encoder, head, model, cell, heads, layers, window, speedInput,
    get isDisposed() { return disposed; },
    dispose() {
      if (disposed) return;
      disposed = true;
      model.dispose();
    },
  };
}

/** The full CNN+LSTM (or GRU / simple RNN) network. Caller owns it: call dispose(). */
export function createCnnLstmModel(input: ModelConfig): SteeringNet {
  const config = parseModelConfig(input);
  if (config.sequence.kind !== 'cnn_lstm') throw new ModelError('invalid-config', `sequence.kind must be 'cnn_lstm', got '${config.sequence.kind}'`);
  return assemble(config);
}

/** The single-frame CNN baseline. Caller owns it: call dispose(). */
export function createCnnModel(input: ModelConfig): SteeringNet {
  const config = parseModelConfig(input);
  if (config.sequence.kind !== 'cnn') throw new ModelError('invalid-config', `sequence.kind must be 'cnn', got '${config.sequence.kind}'`);
  return assemble(config);
}

/** The network `config.sequence.kind` names. Caller owns it: call dispose(). */
export function createSteeringNet(input: ModelConfig): SteeringNet {
  return assemble(parseModelConfig(input));
}

/** Every trainable weight of a net, in `net.layers` order. */
export function netWeights(net: SteeringNet): tf.LayerVariable[] {
  return net.layers.flatMap((l) => l.weights);
}
