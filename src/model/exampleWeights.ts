// Per-example loss weights of a training batch: config.balance (steering bins or curves) and
// config.speedBalance (examples whose speed label is far from the speedometer), multiplied.
// Pure: plain arrays in, plain arrays out; train.ts turns them into the weighted loss.

import type { ModelConfig } from './config.ts';
import { ModelError } from './modelErrors.ts';
import { TARGETS_PER_EXAMPLE } from './preprocess.ts';

/** What the weights read of a batch: raw targets per example, per-frame measured speeds, frame groups. */
export interface WeightedBatch {
  readonly targets: Float32Array;
  readonly lengths: readonly number[];
  readonly speeds?: Float32Array | null;
  readonly curvature?: Float32Array | null;
}

/**
 * The loss weight of each of the batch's `examples` windows of `T` frames: the balance's weight
 * (steer-bins from `binWeights`, curves from the batch's curvature), times speedBalance's factor
 * where |speed label - the window's last measured speed| >= minChange m/s (with slowerOnly: where the
 * label is at least minChange below it); null when neither is on.
 */
export function exampleWeights(config: Pick<ModelConfig, 'balance' | 'speedBalance'>, batch: WeightedBatch, examples: number, T: number, binWeights: Float32Array | null): Float32Array | null {
  const w = balanceWeights(config.balance, batch, examples, binWeights);
  const sb = config.speedBalance;
  if (!sb || sb.factor === 1) return w;
  const speeds = batch.speeds;
  if (!speeds) throw new ModelError('invalid-input', 'speedBalance needs the measured speeds in the batch (a model that reads the speed)');
  const out = w ?? new Float32Array(examples).fill(1);
  let i = 0;
  let frame = 0;
  for (const len of batch.lengths) {
    for (let end = frame + T - 1; end < frame + len; end++, i++) {
      const change = batch.targets[i * TARGETS_PER_EXAMPLE + 1] - speeds[end];
      if ((sb.slowerOnly ? -change : Math.abs(change)) >= sb.minChange) out[i] *= sb.factor;
    }
    frame += len;
  }
  if (i !== examples) throw new ModelError('invalid-input', `the batch's frame groups hold ${i} windows of ${T} frames, not ${examples}`);
  return out;
}

function balanceWeights(b: ModelConfig['balance'], batch: WeightedBatch, examples: number, binWeights: Float32Array | null): Float32Array | null {
  if (b.kind === 'none') return null;
  const w = new Float32Array(examples);
  if (b.kind === 'steer-bins') {
    if (!binWeights) throw new ModelError('invalid-input', "balance 'steer-bins' needs the training set's bin weights");
    for (let i = 0; i < examples; i++) w[i] = binWeights[steerBinOf(batch.targets[i * TARGETS_PER_EXAMPLE], b.bins)];
  } else {
    const c = batch.curvature;
    if (!c || c.length !== examples) throw new ModelError('invalid-input', `balance 'curves' needs ${examples} curvatures in the batch, got ${c?.length ?? 'none'}`);
    for (let i = 0; i < examples; i++) w[i] = Math.abs(c[i]) >= b.minAbsCurvature ? b.factor : 1;
  }
  return w;
}

/** Bin of a steering value over -1..1 (the data layer's steerBin rule). */
function steerBinOf(steer: number, bins: number): number {
  const b = Math.floor(((steer + 1) / 2) * bins);
  return b < 0 ? 0 : b >= bins ? bins - 1 : b;
}

/** Weight per steering bin: inverse of the bin's share, mean 1 over the examples, at most maxWeight. */
export function steerBinWeights(targets: Float32Array, bins: number, maxWeight: number): Float32Array {
  const counts = new Float64Array(bins);
  const n = targets.length / TARGETS_PER_EXAMPLE;
  for (let i = 0; i < n; i++) counts[steerBinOf(targets[i * TARGETS_PER_EXAMPLE], bins)]++;
  const used = counts.filter((c) => c > 0).length;
  return Float32Array.from(counts, (c) => (c > 0 ? Math.min(maxWeight, n / (used * c)) : 0));
}
