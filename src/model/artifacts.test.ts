// Saving and loading models as plain artifacts and as zips of TensorFlow.js files: identical
// predictions after a round trip, files tfjs itself can load, and a clear message for each
// way an imported file can be broken.
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportModelZip, importModelZip, loadModel, saveModel, trainingMetrics, type ModelMetadata, type SavedModel } from './artifacts.ts';
import type { ModelKind } from './config.ts';
import { createSteeringNet, netWeights, type SteeringNet } from './factory.ts';
import { isModelError, type ModelErrorCode } from './modelErrors.ts';
import type { TargetNormalization } from './preprocess.ts';
import { initBackend, tf } from './tfSetup.ts';
import { tinyConfig } from './testKit.ts';
import type { TrainingResult } from './trainProtocol.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const NORM: TargetNormalization = { mean: { steering: 0.05, speed: 11, torque: 0.1 }, std: { steering: 0.3, speed: 4, torque: 0.25 } };
const META: ModelMetadata = {
  name: 'oval, 3 laps', createdAt: Date.UTC(2025, 0, 2), clips: [{ id: 'c1', name: 'oval lap 1' }],
  metrics: { epochs: 4, valLoss: 0.12, valRmse: { steering: 0.05, speed: 0.8, torque: 0.04 }, bestEpoch: null }, backend: 'wasm',
};

function scrambled(kind: ModelKind): SteeringNet {
  const net = createSteeringNet(tinyConfig({ sequence: { kind }, heads: { hidden: 3 } }));
  tf.tidy(() => netWeights(net).forEach((w, i) => w.write(tf.randomNormal(w.shape as number[], 0, 0.5, 'float32', i))));
  return net;
}

function predictions(net: SteeringNet): number[] {
  return tf.tidy(() => {
    const shape = net.window === 1 ? [4, 12, 16, 3] : [4, net.window, 12, 16, 3];
    return Array.from((net.model.predict(tf.randomUniform(shape, -1, 1, 'float32', 3)) as tf.Tensor).dataSync());
  });
}

/** A copy of an exported zip with its files changed by `edit`. */
function editZip(zip: Uint8Array, edit: (files: Record<string, Uint8Array>) => void): Uint8Array {
  const files = unzipSync(zip);
  edit(files);
  return zipSync(files);
}

const editJson = (files: Record<string, Uint8Array>, name: string, f: (j: Record<string, any>) => void): void => { // eslint-disable-line @typescript-eslint/no-explicit-any -- editing raw JSON
  const j = JSON.parse(strFromU8(files[name]));
  f(j);
  files[name] = strToU8(JSON.stringify(j));
};

function importError(zip: Uint8Array, code: ModelErrorCode): string {
  try {
    importModelZip(zip);
  } catch (e) {
    expect(isModelError(e, code)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('imported');
}

describe('model artifacts', () => {
  it.each(['cnn_lstm', 'cnn'] as const)('saves to plain data and loads back with identical predictions (%s)', async (kind) => {
    const net = scrambled(kind);
    const saved = await saveModel(net, { normalization: NORM, metadata: META });
    const stored = structuredClone(saved); // what IndexedDB keeps
    expect(stored.weightData.byteLength).toBe(net.model.countParams() * 4);
    const loaded = await loadModel(stored);
    try {
      expect(predictions(loaded.net)).toEqual(predictions(net));
      expect(loaded.normalization).toEqual(NORM);
      expect(loaded.metadata).toEqual(META);
      expect(loaded.net.config).toEqual(net.config);
    } finally {
      loaded.net.dispose();
      net.dispose();
    }
  });

  it('exports TensorFlow.js files that tfjs loads by itself, and imports them back', async () => {
    const net = scrambled('cnn_lstm');
    const zip = exportModelZip(await saveModel(net, { normalization: NORM, metadata: META }));
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(['deepsteer.json', 'model.json', 'weights.bin']);
    const manifest = JSON.parse(strFromU8(files['deepsteer.json']));
    expect(manifest.io.input).toBe('[batch, 3, 12, 16, 3], oldest frame first');
    expect(manifest.io.outputs).toEqual(['steering', 'speed', 'torque']);
    // The pixels' recipe names the standardisation exactly when the model standardises its frames.
    expect(net.config.input.standardize).toBe(true);
    expect(manifest.io.pixels).toMatch(/x \/ 127\.5 - 1, then standardised per frame and channel: \(x - mean\) \/ max\(std, 1\/64\)/);
    // Plain tfjs, no DeepSteer code: model.json + weights.bin.
    const modelJson = JSON.parse(strFromU8(files['model.json']));
    const plain = await tf.loadLayersModel(tf.io.fromMemory({
      modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData: files['weights.bin'].slice().buffer,
    }));
    const imported = await loadModel(importModelZip(zip));
    // Zipped as a folder, as a user might.
    const folder = zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [`my model/${k}`, v])));
    const fromFolder = await loadModel(importModelZip(folder));
    try {
      const expected = predictions(net);
      expect(predictions(imported.net)).toEqual(expected);
      expect(predictions(fromFolder.net)).toEqual(expected);
      const plainOut = tf.tidy(() => Array.from((plain.predict(tf.randomUniform([4, 3, 12, 16, 3], -1, 1, 'float32', 3)) as tf.Tensor).dataSync()));
      expect(plainOut).toEqual(expected);
    } finally {
      plain.dispose();
      imported.net.dispose();
      fromFolder.net.dispose();
      net.dispose();
    }
  });

  it('names the problem of a broken import', async () => {
    const net = scrambled('cnn_lstm');
    const saved = await saveModel(net, { normalization: NORM, metadata: META });
    net.dispose();
    const zip = exportModelZip(saved);
    const bytes = saved.weightData.byteLength;

    expect(importError(new Uint8Array([1, 2, 3, 4]), 'bad-model-file')).toContain('not a readable zip archive');
    expect(importError(editZip(zip, (f) => delete f['weights.bin']), 'bad-model-file'))
      .toBe("weights file 'weights.bin' (named in model.json) is missing from the zip");
    expect(importError(editZip(zip, (f) => (f['weights.bin'] = f['weights.bin'].slice(0, 1000))), 'bad-model-file'))
      .toBe(`weights file 'weights.bin' is truncated: model.json's weightsManifest needs ${bytes} bytes, the zip holds 1000`);
    expect(importError(editZip(zip, (f) => (f['model.json'] = strToU8('{"modelTopology": {'))), 'bad-model-file'))
      .toMatch(/^model\.json is not valid JSON \(/);
    expect(importError(editZip(zip, (f) => delete f['deepsteer.json']), 'bad-model-file')).toBe('the zip has no deepsteer.json');
    expect(importError(editZip(zip, (f) => editJson(f, 'deepsteer.json', (j) => (j.config.version = 7))), 'unsupported-version'))
      .toContain('deepsteer.json: the model config has version 7, written by a newer DeepSteer (this build reads version 1)');
    expect(importError(editZip(zip, (f) => editJson(f, 'deepsteer.json', (j) => (j.formatVersion = 'one'))), 'unsupported-version'))
      .toContain('deepsteer.json has an unknown format version "one"');
    expect(importError(editZip(zip, (f) => editJson(f, 'deepsteer.json', (j) => (j.config.input.height = 14))), 'bad-model-file'))
      .toBe("model.json's input shape [batch, 3, 12, 16, 3] does not match the config in deepsteer.json, which needs [batch, 3, 14, 16, 3]");
    expect(importError(editZip(zip, (f) => editJson(f, 'deepsteer.json', (j) => (j.config.encoder.layers[0].kernel = 40))), 'bad-model-file'))
      .toContain('deepsteer.json: invalid model config: encoder.layers[0].kernel must be 1..11');
    expect(importError(editZip(zip, (f) => editJson(f, 'deepsteer.json', (j) => (j.normalization.std.speed = 0))), 'bad-model-file'))
      .toContain('normalization.std.speed');
    // A config that builds other weights than the file holds: found when loading.
    const other = importModelZip(editZip(zip, (f) => editJson(f, 'deepsteer.json', (j) => (j.config.encoder.embedding = 9))));
    await expect(loadModel(other)).rejects.toThrow("weight 'embedding/kernel' has shape [210, 8] but the config in deepsteer.json builds [210, 9]");
    const before = tf.memory().numTensors;
    await expect(loadModel({ ...saved, weightData: saved.weightData.slice(4) })).rejects.toThrow(`the weight data holds ${bytes - 4} bytes, the weight specs need ${bytes}`);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('checks metadata and summarises a training result', async () => {
    const net = scrambled('cnn');
    await expect(saveModel(net, { normalization: NORM, metadata: { ...META, clips: 'all' } as unknown as ModelMetadata })).rejects.toThrow('metadata.clips');
    net.dispose();
    const result: TrainingResult = {
      status: 'early-stopped', epochsDone: 3, steps: 30, best: { epoch: 1, loss: 0.2 }, restoredBest: true, normalization: NORM,
      history: [0, 1, 2].map((epoch) => ({
        epoch, learningRate: 1e-3, trainLoss: 1 - epoch / 10, valLoss: [0.3, 0.2, 0.25][epoch], examples: 100, seconds: 1, improved: epoch < 2,
        trainRmse: { steering: 0.1, speed: 1, torque: 0.1 }, valRmse: { steering: 0.2, speed: 2, torque: 0.2 },
        baselineRmse: { train: { steering: 0.5, speed: 4, torque: 0.3 }, val: { steering: 0.5, speed: 4, torque: 0.3 } },
      })),
    };
    const m = trainingMetrics(result);
    expect(m).toMatchObject({ epochs: 3, bestEpoch: 1, valLoss: 0.2, trainLoss: 0.9 });
    const saved: SavedModel = await (async () => {
      const n = scrambled('cnn');
      try {
        return await saveModel(n, { normalization: NORM, metadata: { ...META, metrics: m } });
      } finally {
        n.dispose();
      }
    })();
    expect(saved.manifest.metadata.metrics.valRmse).toEqual({ steering: 0.2, speed: 2, torque: 0.2 });
  });
});
