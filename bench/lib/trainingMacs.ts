// The arithmetic of one training example of a single-frame network, layer by layer, from the
// config alone (src/model/describe.ts): the forward pass, the weight gradient (as many
// multiply-adds as the forward pass) and the input gradient (as many again, except for the first
// layer: the frame needs none). Suite train_models divides examples/s by it to report GMAC/s and
// the share of the machine's peak that training reaches (issue 15).
import type { ModelConfig } from '../../src/model/config.ts';
import type { tf as TF } from '../../src/model/tfSetup.ts';
import { describeModel } from '../../src/model/describe.ts';

/**
 * Issue 15's physical limit of this machine: about 24 GMAC/s on its 2 cores, 12 per core (tfjs's
 * wasm backend uses one). A nominal figure: a 512-cube matMul on one wasm thread measures a
 * little above 12 here (matmul_gmac_per_s.wasm.512 in suite train_models), so the suite also
 * reads training against that measured ceiling.
 */
export const PEAK_GMAC_PER_S = { machine: 24, oneCore: 12 } as const;

export interface LayerTrainingMacs {
  readonly name: string;
  readonly forward: number;
  readonly weightGradient: number;
  readonly inputGradient: number;
  readonly total: number;
}

export interface TrainingMacs {
  readonly layers: readonly LayerTrainingMacs[];
  /** Multiply-adds of one example's forward pass. */
  readonly forward: number;
  /** Forward plus backward: one example's share of a training step. */
  readonly total: number;
}

/** Multiply-adds per training example of a single-frame model (sequence.kind 'cnn'). */
export function trainingMacs(config: ModelConfig): TrainingMacs {
  const d = describeModel(config);
  if (d.kind !== 'cnn') throw new Error(`trainingMacs counts single-frame models; this one is '${d.kind}'`);
  const layers = d.layers.map((l, i): LayerTrainingMacs => {
    const forward = l.macsPerFrame;
    const inputGradient = i === 0 ? 0 : forward;
    return { name: l.name, forward, weightGradient: forward, inputGradient, total: 2 * forward + inputGradient };
  });
  return { layers, forward: d.macsPerFrame.total, total: layers.reduce((s, l) => s + l.total, 0) };
}

/** GMAC/s that `examplesPerSecond` training examples of `macs` amount to. */
export const gmacPerSecond = (macs: TrainingMacs, examplesPerSecond: number): number => (macs.total * examplesPerSecond) / 1e9;

/**
 * The best the backend does at the arithmetic itself: GMAC/s of each n x n x n matMul (XNNPACK's
 * GEMM on wasm) after one warm-up, for `runs` products or until `ms` have passed. The ceiling
 * training's share is read against (suite train_models, bench/node/gemmCores.mts).
 */
export function matMulRates(tf: typeof TF, n: number, until: { readonly runs?: number; readonly ms?: number }): number[] {
  const [a, b] = tf.tidy(() => [tf.randomUniform([n, n], -1, 1, 'float32', 1), tf.randomUniform([n, n], -1, 1, 'float32', 2)]);
  const rates: number[] = [];
  const end = until.ms === undefined ? Infinity : performance.now() + until.ms;
  try {
    for (let i = 0; i <= (until.runs ?? Infinity) && performance.now() < end; i++) {
      const t0 = performance.now();
      const c = tf.matMul(a, b);
      // Not returned from a tf.tidy: tidy walks a returned typed array element by element.
      c.dataSync();
      const ms = performance.now() - t0;
      c.dispose();
      if (i > 0) rates.push((n * n * n) / ms / 1e6);
    }
  } finally {
    a.dispose();
    b.dispose();
  }
  return rates;
}
