// What a config builds, before building it: parameter counts and multiply-adds per frame, layer
// by layer (the Training panel's preview, the worker's describe call, the benchmarks' MAC figures).
import { HEAD_NAMES, parseModelConfig, type CellKind, type ModelConfig, type ModelKind } from './config.ts';
import { cellGates, convPlan, encoderHiddenWidths, featureWidth, torqueSpeedChanges, usesSpeedInput } from './configSizes.ts';

export interface LayerDescription {
  /** The tfjs layer name (also the prefix of its weight names). */
  readonly name: string;
  readonly kind: 'conv' | 'dense' | CellKind;
  /** Output shape for one frame (conv, dense) or one window (cell, heads). */
  readonly outputShape: readonly number[];
  readonly params: number;
  /** Multiply-adds for one new frame in the streaming predictor. */
  readonly macsPerFrame: number;
}

export interface ModelDescription {
  readonly kind: ModelKind;
  /** [height, width, 3]. */
  readonly inputShape: readonly [number, number, number];
  /** Frames per window (1 for the cnn). */
  readonly window: number;
  readonly flattenSize: number;
  readonly layers: readonly LayerDescription[];
  readonly params: { readonly encoder: number; readonly recurrent: number; readonly heads: number; readonly total: number };
  /**
   * Multiply-adds per new frame while driving: the frame encoded once, its input projection,
   * T recurrent steps over the window, the heads.
   */
  readonly macsPerFrame: { readonly encoder: number; readonly recurrent: number; readonly heads: number; readonly total: number };
  /** The same if every tick re-encoded all T frames (what the ring buffer saves). */
  readonly naiveMacsPerFrame: number;
}

/** Parameter count and multiply-adds per frame of the network a config builds (validates first). */
export function describeModel(input: ModelConfig): ModelDescription {
  const config = parseModelConfig(input);
  const layers: LayerDescription[] = [];
  const plan = convPlan(config).layers;
  plan.forEach((l, i) => {
    const params = l.kernel * l.kernel * l.inChannels * l.filters + l.filters;
    layers.push({
      name: `conv${i + 1}`, kind: 'conv', outputShape: [l.outHeight, l.outWidth, l.filters], params,
      macsPerFrame: l.outHeight * l.outWidth * l.kernel * l.kernel * l.inChannels * l.filters,
    });
  });
  const last = plan[plan.length - 1];
  const flattenSize = last.outHeight * last.outWidth * last.filters;
  let width = flattenSize;
  const dense = (name: string, units: number): void => {
    layers.push({ name, kind: 'dense', outputShape: [units], params: width * units + units, macsPerFrame: width * units });
    width = units;
  };
  encoderHiddenWidths(config).forEach((u, i) => dense(`hidden${i + 1}`, u));
  dense('embedding', config.encoder.embedding);
  width += usesSpeedInput(config) ? 1 : 0;
  const encoderParams = layers.reduce((s, l) => s + l.params, 0);
  const encoderMacs = layers.reduce((s, l) => s + l.macsPerFrame, 0);

  const { kind, cell, units, window } = config.sequence;
  const T = kind === 'cnn_lstm' ? window : 1;
  let recurrentParams = 0;
  let recurrentMacs = 0;
  if (kind === 'cnn_lstm') {
    const g = cellGates(cell);
    recurrentParams = g * (width * units + units * units + units);
    recurrentMacs = g * width * units + T * g * units * units;
    layers.push({ name: 'rnn', kind: cell, outputShape: [units], params: recurrentParams, macsPerFrame: recurrentMacs });
    width = units;
  }
  let headParams = 0;
  let headMacs = 0;
  for (const head of HEAD_NAMES) {
    // The torque head also reads the speed's last changes (heads.torqueSpeedChanges).
    let w = width + (head === 'torque' ? torqueSpeedChanges(config) : 0);
    if (config.heads.hidden > 0) {
      const h = config.heads.hidden;
      layers.push({ name: `${head}_hidden`, kind: 'dense', outputShape: [h], params: w * h + h, macsPerFrame: w * h });
      headParams += w * h + h;
      headMacs += w * h;
      w = h;
    }
    layers.push({ name: head, kind: 'dense', outputShape: [1], params: w + 1, macsPerFrame: w });
    headParams += w + 1;
    headMacs += w;
  }
  const recurrentNaive = kind === 'cnn_lstm' ? T * cellGates(cell) * featureWidth(config) * units + T * cellGates(cell) * units * units : 0;
  return {
    kind,
    inputShape: [config.input.height, config.input.width, 3],
    window: T,
    flattenSize,
    layers,
    params: { encoder: encoderParams, recurrent: recurrentParams, heads: headParams, total: encoderParams + recurrentParams + headParams },
    macsPerFrame: { encoder: encoderMacs, recurrent: recurrentMacs, heads: headMacs, total: encoderMacs + recurrentMacs + headMacs },
    naiveMacsPerFrame: T * encoderMacs + recurrentNaive + headMacs,
  };
}
