// A saved model as the model store keeps it and back: data's ModelStore holds the manifest and
// the tfjs topology together as `topology`, beside the weight specs and the weight bytes.

import type { ModelStore } from '../src/data/index.ts';
import type { SavedModel } from '../src/model/index.ts';

/** Which saved-model layout data keeps as `topology`: the manifest and the tfjs topology together. */
interface StoredTopology {
  manifest: SavedModel['manifest'];
  modelTopology: unknown;
}

export function toStored(saved: SavedModel, extra: { clipIds: string[]; createdAt: number }): Parameters<ModelStore['save']>[0] {
  const m = saved.manifest;
  const cnn = m.config.sequence.kind === 'cnn';
  const { height, width } = m.config.input;
  return {
    meta: {
      name: m.metadata.name,
      kind: m.config.sequence.kind,
      config: m.config,
      normalization: m.normalization,
      clipIds: extra.clipIds,
      metrics: m.metadata.metrics,
      createdAt: extra.createdAt,
      backend: m.metadata.backend,
      inputShape: cnn ? [height, width, 3] : [m.config.sequence.window, height, width, 3],
    },
    artifacts: {
      topology: { manifest: m, modelTopology: saved.modelTopology } satisfies StoredTopology as unknown,
      weightSpecs: saved.weightSpecs.map((w) => ({ name: w.name, shape: [...w.shape], dtype: w.dtype as 'float32' })),
      weightData: saved.weightData,
    },
  };
}

export function fromStored(topology: unknown, weightSpecs: readonly { name: string; shape: readonly number[]; dtype?: string }[], weightData: ArrayBuffer): SavedModel {
  const t = topology as StoredTopology;
  if (!t || typeof t !== 'object' || !('manifest' in t)) throw new Error('this saved model has no DeepSteer manifest');
  return {
    manifest: t.manifest,
    modelTopology: t.modelTopology,
    weightSpecs: weightSpecs.map((w) => ({ name: w.name, shape: [...w.shape], dtype: (w.dtype ?? 'float32') as 'float32' })),
    weightData,
  };
}
