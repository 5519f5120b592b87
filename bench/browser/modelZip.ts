// A model zip built in the page, for suites that drive the real steering worker: the worker
// trains and loads only from IndexedDB, so the bench imports a zip (the same file a player
// exports) through its importModel. The weights are freshly initialised, not trained: speed
// and memory do not depend on their values.
import {
  computeTargetNormalization, createSteeringNet, exportModelZip, initBackend, saveModel, type ModelConfig, type TargetNormalization,
} from '../../src/model/index.ts';

/** The zip (its own buffer, safe to transfer) of a new net built from `config` on the page's cpu backend. */
export async function modelZip(config: ModelConfig, targets: Float32Array): Promise<{ zip: Uint8Array; normalization: TargetNormalization }> {
  await initBackend('cpu');
  const net = createSteeringNet(config);
  try {
    const normalization = computeTargetNormalization(targets);
    const saved = await saveModel(net, {
      normalization,
      metadata: { name: `bench ${config.sequence.kind}`, createdAt: Date.now(), clips: [], metrics: {}, backend: 'cpu' },
    });
    return { zip: new Uint8Array(exportModelZip(saved)), normalization };
  } finally {
    net.dispose();
  }
}
