// The sizes a model config implies: the conv plan (each layer's width and output size), the
// encoder's hidden widths, the per-frame feature width and the recurrent cell's gate blocks.
// describe.ts turns them into parameter counts and multiply-adds per frame; factory.ts builds
// the layers to them. Pure arithmetic: no tfjs, no validation (config.ts validates).

import type { CellKind, ConvLayerConfig, ModelConfig } from './config.ts';

/** One conv layer with the width multiplier applied and its output size. */
export interface ConvPlanLayer extends ConvLayerConfig {
  readonly inChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
}

/** The conv stack's sizes; tooSmallAt is the first layer whose output would be empty. */
export function convPlan(config: ModelConfig): { layers: ConvPlanLayer[]; tooSmallAt: number | null } {
  let h = config.input.height;
  let w = config.input.width;
  let c = 3;
  const layers: ConvPlanLayer[] = [];
  for (const [i, layer] of config.encoder.layers.entries()) {
    const filters = scaledWidth(layer.filters, config.encoder.widthMultiplier);
    const [oh, ow] = layer.padding === 'same'
      ? [Math.ceil(h / layer.stride), Math.ceil(w / layer.stride)]
      : [Math.floor((h - layer.kernel) / layer.stride) + 1, Math.floor((w - layer.kernel) / layer.stride) + 1];
    if (oh < 1 || ow < 1) return { layers, tooSmallAt: i };
    layers.push({ ...layer, filters, inChannels: c, outHeight: oh, outWidth: ow });
    [h, w, c] = [oh, ow, filters];
  }
  return { layers, tooSmallAt: null };
}

export function scaledWidth(width: number, multiplier: number): number {
  return Math.max(1, Math.round(width * multiplier));
}

/** Hidden dense widths of the encoder, width multiplier applied. */
export function encoderHiddenWidths(config: ModelConfig): number[] {
  return config.encoder.hidden.map((u) => scaledWidth(u, config.encoder.widthMultiplier));
}

/** Whether the model reads the measured speed beside the frames (see `input.speed`). */
export function usesSpeedInput(config: ModelConfig): boolean {
  return config.input.speed ?? false;
}

/** Whether the net adds the last frame's measured speed to its speed head (see `heads.speedResidual`). */
export function usesSpeedResidual(config: ModelConfig): boolean {
  return usesSpeedInput(config) && (config.heads.speedResidual ?? false);
}

/** Whether the speed head reads the window's last frame's embedding instead of the cell's output (see `heads.speedFrom`). */
export function speedFromFrame(config: ModelConfig): boolean {
  return config.sequence.kind === 'cnn_lstm' && config.heads.speedFrom === 'frame';
}

/**
 * How much a frame-to-frame change of the normalised measured speed is scaled before the torque
 * head reads it: a change of 0.25 m/s in one 20 Hz step (about 5 m/s^2) over the speed's std of
 * about 4-5 m/s is ~0.05, which becomes ~1.
 */
export const SPEED_CHANGE_SCALE = 20;

/** Changes of the measured speed the torque head reads (see `heads.torqueSpeedChanges`); 0 for none. */
export function torqueSpeedChanges(config: ModelConfig): number {
  if (config.sequence.kind !== 'cnn_lstm' || !usesSpeedInput(config)) return 0;
  return Math.min(config.heads.torqueSpeedChanges ?? 0, config.sequence.window - 1);
}

/** Width of what the recurrent cell (or the cnn's heads) reads per frame: the embedding, plus the speed if fed. */
export function featureWidth(config: ModelConfig): number {
  return config.encoder.embedding + (usesSpeedInput(config) ? 1 : 0);
}

/** Gate blocks of a recurrent cell: its kernels are `gates * units` wide. */
export function cellGates(cell: CellKind): number {
  return cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1;
}
