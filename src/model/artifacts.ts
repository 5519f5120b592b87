// A trained model as plain data and as files. `saveModel` turns a SteeringNet (either kind)
// with its config, target normalisation and metadata into a SavedModel: JSON plus one
// ArrayBuffer of weights, made through a custom tfjs save handler, for the data layer to store
// (this module never touches storage). `loadModel` rebuilds the net from it. `exportModelZip`
// packs a SavedModel as TensorFlow.js files (model.json + weights.bin, loadable by
// tf.loadLayersModel) plus deepsteer.json (config, normalisation, metadata, how to feed the
// model); `importModelZip` reads such a zip back and says exactly what is wrong with a bad one.
//
// deepsteer.json is the truth about the network: the net is rebuilt from its config and
// model.json must agree with it (input shape, every weight's name, shape and size).
//
// Ownership: loadModel returns a new net the caller disposes; nothing else here keeps tensors.

import { strFromU8, strToU8, zipSync } from 'fflate';
import { isDataError, MAX_JSON_DEPTH, nestingDepth, untrustedLimits, ZipReader } from '../data/index.ts';
import { z } from 'zod';
import { formatPath, HEAD_NAMES, parseModelConfig, type ModelConfig } from './config.ts';
import { usesSpeedResidual } from './configSizes.ts';
import { createSteeringNet, netWeights, type SteeringNet } from './factory.ts';
import { ModelError } from './modelErrors.ts';
import type { TargetNormalization } from './preprocess.ts';
import { tf } from './tfSetup.ts';
import type { TrainingResult } from './trainProtocol.ts';

export const MODEL_FORMAT = 'deepsteer-model';
export const MODEL_FORMAT_VERSION = 1;
/** File names inside an exported zip. */
export const ZIP_FILES = { modelJson: 'model.json', weights: 'weights.bin', manifest: 'deepsteer.json' } as const;

const headValuesSchema = z.strictObject({ steering: z.number(), speed: z.number(), torque: z.number() });

export const modelMetadataSchema = z.strictObject({
  name: z.string().max(200),
  /** Milliseconds since the Unix epoch, given by the caller. */
  createdAt: z.number(),
  /** The clips the model was trained on. */
  clips: z.array(z.strictObject({ id: z.string(), name: z.string() })),
  /** Training results: numbers, per-head values (steering, speed, torque) or null. */
  metrics: z.record(z.string(), z.union([z.number(), headValuesSchema, z.null()])),
  /** The tfjs backend it was trained on. */
  backend: z.string(),
});
export type ModelMetadata = z.infer<typeof modelMetadataSchema>;

const normalizationSchema = z.strictObject({
  mean: headValuesSchema,
  std: z.strictObject({ steering: z.number().positive(), speed: z.number().positive(), torque: z.number().positive() }),
});

/** How to feed model.json without DeepSteer (written into deepsteer.json for other tools). */
export interface ModelIo {
  /** e.g. "[batch, 8, 66, 200, 3]". */
  readonly input: string;
  readonly pixels: string;
  readonly outputs: readonly string[];
  readonly denormalize: string;
}

/** deepsteer.json. */
export interface ModelManifest {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: typeof MODEL_FORMAT_VERSION;
  readonly config: ModelConfig;
  readonly normalization: TargetNormalization;
  readonly metadata: ModelMetadata;
  readonly io: ModelIo;
}

/** A model as plain data: what the data layer stores (structured-cloneable) and what a zip holds. */
export interface SavedModel {
  readonly manifest: ModelManifest;
  /** tfjs layers-model topology (model.json's modelTopology). */
  readonly modelTopology: unknown;
  readonly weightSpecs: readonly tf.io.WeightsManifestEntry[];
  readonly weightData: ArrayBuffer;
}

export interface LoadedModel {
  /** A new net; the caller disposes it. */
  readonly net: SteeringNet;
  readonly normalization: TargetNormalization;
  readonly metadata: ModelMetadata;
}

export interface SaveModelOptions {
  readonly normalization: TargetNormalization;
  readonly metadata: ModelMetadata;
}

function modelIo(config: ModelConfig): ModelIo {
  const { height, width } = config.input;
  const cnn = config.sequence.kind === 'cnn';
  const frames = cnn ? `[batch, ${height}, ${width}, 3]` : `[batch, ${config.sequence.window}, ${height}, ${width}, 3], oldest frame first`;
  const speeds = cnn ? '[batch, 1]' : `[batch, ${config.sequence.window}, 1]`;
  return {
    input: config.input.speed
      ? `two inputs: frames ${frames}; speeds ${speeds}, each frame's measured speed (m/s) as (v - normalization.mean.speed) / normalization.std.speed`
      : frames,
    pixels: `RGB, row 0 at the top, resized to ${width}x${height}, scaled to -1..1 as x / 127.5 - 1`
      + (config.input.standardize ? ', then standardised per frame and channel: (x - mean) / max(std, 1/64) over that frame\'s pixels of that channel' : ''),
    outputs: [...HEAD_NAMES],
    denormalize: usesSpeedResidual(config)
      ? 'first add the last frame\'s normalised speed input to output[1] (the speed head predicts the change), then value = output * normalization.std[head] + normalization.mean[head]; steering -1..1 (+ left), speed m/s, torque -1..1'
      : 'value = output * normalization.std[head] + normalization.mean[head]; steering -1..1 (+ left), speed m/s, torque -1..1',
  };
}

/** The net's topology and weights with everything needed to rebuild and use it. */
export async function saveModel(net: SteeringNet, options: SaveModelOptions): Promise<SavedModel> {
  if (net.isDisposed) throw new ModelError('disposed', 'this model was disposed');
  const metadata = parseWith(modelMetadataSchema, options.metadata, 'metadata');
  const normalization = parseWith(normalizationSchema, options.normalization, 'normalization');
  let artifacts: tf.io.ModelArtifacts | null = null;
  await net.model.save(tf.io.withSaveHandler(async (a) => {
    artifacts = a;
    return { modelArtifactsInfo: { dateSaved: new Date(metadata.createdAt), modelTopologyType: 'JSON' } };
  }));
  const a = artifacts as tf.io.ModelArtifacts | null;
  if (!a || !a.weightSpecs || a.weightData === undefined) throw new ModelError('bad-model-file', 'tfjs saved no weights');
  return {
    manifest: { format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, config: net.config, normalization, metadata, io: modelIo(net.config) },
    modelTopology: a.modelTopology,
    weightSpecs: a.weightSpecs,
    weightData: tf.io.CompositeArrayBuffer.join(a.weightData),
  };
}

/** Rebuilds the net from a SavedModel (stored or imported), checking it first. */
/** The config a saved model was built with (validated), without building it. */
export function savedModelConfig(saved: SavedModel): ModelConfig {
  return parseManifest(saved.manifest, 'the saved model').config;
}

export async function loadModel(saved: SavedModel): Promise<LoadedModel> {
  const manifest = parseManifest(saved.manifest, 'the saved model');
  checkTopology(saved.modelTopology, manifest.config);
  const values = weightValues(saved.weightSpecs, saved.weightData);
  const net = createSteeringNet(manifest.config);
  try {
    const vars = netWeights(net);
    for (const w of vars) {
      const v = values.get(w.originalName);
      if (!v) throw new ModelError('bad-model-file', `the weights have no '${w.originalName}', which the config in deepsteer.json builds`);
      if (!sameShape(v.shape, w.shape)) {
        throw new ModelError('bad-model-file', `weight '${w.originalName}' has shape [${v.shape.join(', ')}] but the config in deepsteer.json builds [${w.shape.join(', ')}]`);
      }
    }
    const extra = [...values.keys()].filter((name) => !vars.some((w) => w.originalName === name));
    if (extra.length > 0) throw new ModelError('bad-model-file', `the weights hold ${extra.map((e) => `'${e}'`).join(', ')}, which the config in deepsteer.json does not build`);
    tf.tidy(() => {
      for (const w of vars) w.write(tf.tensor(values.get(w.originalName)!.values, w.shape as number[]));
    });
  } catch (e) {
    net.dispose();
    throw e;
  }
  return { net, normalization: manifest.normalization, metadata: manifest.metadata };
}

/** The zip of TensorFlow.js files: model.json, weights.bin, deepsteer.json. */
export function exportModelZip(saved: SavedModel): Uint8Array {
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: null,
    modelTopology: saved.modelTopology,
    weightsManifest: [{ paths: [ZIP_FILES.weights], weights: saved.weightSpecs }],
  };
  return zipSync({
    [ZIP_FILES.modelJson]: strToU8(JSON.stringify(modelJson)),
    [ZIP_FILES.weights]: new Uint8Array(saved.weightData),
    [ZIP_FILES.manifest]: strToU8(JSON.stringify(saved.manifest, null, 2)),
  });
}

/** Reads and checks a zip made by exportModelZip (or the same files zipped by hand, at the top or in one folder). */
export function importModelZip(bytes: Uint8Array): SavedModel {
  const { MODEL_ZIP_MAX_BYTES, MODEL_ZIP_MAX_ENTRIES, JSON_FILE_MAX_BYTES, ZIP_MAX_ENTRY_BYTES } = untrustedLimits;
  if (bytes.length > MODEL_ZIP_MAX_BYTES) throw new ModelError('bad-model-file', `the file is ${bytes.length} bytes; a model zip is at most ${MODEL_ZIP_MAX_BYTES}`);
  // Through the bounded zip reader: entry count, declared sizes and ratios are checked before
  // anything is inflated, and each inflate stops at the size its entry declares.
  const files: Record<string, Uint8Array> = {};
  try {
    const zip = ZipReader.openSync(bytes);
    if (zip.entries.length > MODEL_ZIP_MAX_ENTRIES) throw new ModelError('bad-model-file', `the zip holds ${zip.entries.length} files; a model has at most ${MODEL_ZIP_MAX_ENTRIES}`);
    for (const e of zip.entries) files[e.name] = zip.readSync(e, e.name.endsWith('.json') ? JSON_FILE_MAX_BYTES : ZIP_MAX_ENTRY_BYTES);
  } catch (e) {
    if (e instanceof ModelError) throw e;
    const why = isDataError(e) ? e.message : (e as Error).message;
    throw new ModelError('bad-model-file', `the file is not a readable model zip (${why})`, { cause: e });
  }
  // Accept the files inside one top-level folder too (a zipped model directory).
  const names = Object.keys(files).filter((n) => !n.endsWith('/'));
  const folder = names.length > 0 && names.every((n) => n.includes('/')) ? names[0].slice(0, names[0].indexOf('/') + 1) : '';
  const file = (name: string): Uint8Array | undefined => (folder && names.every((n) => n.startsWith(folder)) ? files[folder + name] : files[name]);
  const json = (name: string): unknown => {
    const data = file(name);
    if (!data) throw new ModelError('bad-model-file', `the zip has no ${name}`);
    let v: unknown;
    try {
      v = JSON.parse(strFromU8(data));
    } catch (e) {
      throw new ModelError('bad-model-file', `${name} is not valid JSON (${(e as Error).message})`, { cause: e });
    }
    if (nestingDepth(v, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new ModelError('bad-model-file', `${name} nests deeper than ${MAX_JSON_DEPTH} levels`);
    return v;
  };
  const manifest = parseManifest(json(ZIP_FILES.manifest), ZIP_FILES.manifest);
  const modelJson = json(ZIP_FILES.modelJson) as { modelTopology?: unknown; weightsManifest?: unknown } | null;
  if (typeof modelJson !== 'object' || modelJson === null || modelJson.modelTopology === undefined) {
    throw new ModelError('bad-model-file', 'model.json has no modelTopology: it is not a TensorFlow.js layers model');
  }
  checkTopology(modelJson.modelTopology, manifest.config);
  const groups = modelJson.weightsManifest;
  if (!Array.isArray(groups) || groups.length === 0) throw new ModelError('bad-model-file', 'model.json has no weightsManifest');
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const [g, group] of groups.entries()) {
    const { paths, weights } = (group ?? {}) as { paths?: unknown; weights?: unknown };
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string') || !Array.isArray(weights)) {
      throw new ModelError('bad-model-file', `model.json: weightsManifest[${g}] needs 'paths' (file names) and 'weights' (specs)`);
    }
    const groupSpecs = weights.map((w, i) => checkSpec(w, `model.json: weightsManifest[${g}].weights[${i}]`));
    const need = groupSpecs.reduce((s, w) => s + specBytes(w), 0);
    let have = 0;
    for (const p of paths as string[]) {
      const data = file(p);
      if (!data) throw new ModelError('bad-model-file', `weights file '${p}' (named in model.json) is missing from the zip`);
      have += data.length;
      parts.push(data);
    }
    if (have !== need) {
      const which = paths.length === 1 ? `weights file '${paths[0]}'` : `weights files ${paths.map((p) => `'${p}'`).join(', ')}`;
      throw new ModelError('bad-model-file', have < need
        ? `${which} is truncated: model.json's weightsManifest needs ${need} bytes, the zip holds ${have}`
        : `${which} holds ${have} bytes, but model.json's weightsManifest describes ${need}`);
    }
    specs.push(...groupSpecs);
  }
  const weightData = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    weightData.set(p, o);
    o += p.length;
  }
  return { manifest, modelTopology: modelJson.modelTopology, weightSpecs: specs, weightData: weightData.buffer };
}

/** Metrics of a finished training for ModelMetadata.metrics. */
export function trainingMetrics(result: TrainingResult): ModelMetadata['metrics'] {
  const bestEpoch = result.best ? result.history.find((h) => h.epoch === result.best!.epoch) : undefined;
  const at = bestEpoch ?? result.history[result.history.length - 1];
  return {
    epochs: result.epochsDone,
    steps: result.steps,
    bestEpoch: result.best?.epoch ?? null,
    trainLoss: at?.trainLoss ?? null,
    valLoss: at?.valLoss ?? null,
    trainRmse: at?.trainRmse ?? null,
    valRmse: at?.valRmse ?? null,
    baselineRmseTrain: at?.baselineRmse.train ?? null,
    baselineRmseVal: at?.baselineRmse.val ?? null,
  };
}

// ---- checks ----

function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 4).map((i) => `${formatPath([what, ...i.path])}: ${i.message.replace(/^Invalid input: /, '')}`);
    throw new ModelError('bad-model-file', `invalid ${issues.join('; ')}`);
  }
  return r.data;
}

function parseManifest(json: unknown, where: string): ModelManifest {
  const raw = json as { format?: unknown; formatVersion?: unknown; config?: unknown; normalization?: unknown; metadata?: unknown } | null;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ModelError('bad-model-file', `${where} must hold a JSON object`);
  if (raw.format !== MODEL_FORMAT) throw new ModelError('bad-model-file', `${where}: format must be '${MODEL_FORMAT}', got ${JSON.stringify(raw.format)}`);
  if (raw.formatVersion !== MODEL_FORMAT_VERSION) {
    const v = raw.formatVersion;
    throw new ModelError('unsupported-version', typeof v === 'number' && v > MODEL_FORMAT_VERSION
      ? `${where} has format version ${v}, written by a newer DeepSteer (this build reads version ${MODEL_FORMAT_VERSION})`
      : `${where} has an unknown format version ${JSON.stringify(v)} (this build reads version ${MODEL_FORMAT_VERSION})`);
  }
  let config: ModelConfig;
  try {
    config = parseModelConfig(raw.config);
  } catch (e) {
    if (e instanceof ModelError) throw new ModelError(e.code === 'invalid-config' ? 'bad-model-file' : e.code, `${where}: ${e.message}`, { cause: e });
    throw e;
  }
  const normalization = parseWith(normalizationSchema, raw.normalization, `${where} normalization`);
  const metadata = parseWith(modelMetadataSchema, raw.metadata, `${where} metadata`);
  return { format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, config, normalization, metadata, io: modelIo(config) };
}

/** The input shape model.json declares, e.g. [null, 8, 66, 200, 3]. */
function topologyInputShape(topology: unknown): readonly (number | null)[] | null {
  type Layers = { config?: { layers?: { class_name?: string; config?: { batch_input_shape?: (number | null)[] } }[] } };
  // tfjs writes {class_name, config}; files converted from Keras wrap it in model_config.
  const t = topology as (Layers & { model_config?: Layers }) | null;
  const input = (t?.model_config ?? t)?.config?.layers?.find((l) => l.class_name === 'InputLayer');
  return input?.config?.batch_input_shape ?? null;
}

function checkTopology(topology: unknown, config: ModelConfig): void {
  const shape = topologyInputShape(topology);
  if (!shape) throw new ModelError('bad-model-file', 'model.json declares no input layer (its model config has no InputLayer)');
  const { height, width } = config.input;
  const expected = config.sequence.kind === 'cnn' ? [null, height, width, 3] : [null, config.sequence.window, height, width, 3];
  if (!sameShape(shape, expected)) {
    const show = (d: readonly (number | null)[]): string => `[${d.map((x) => x ?? 'batch').join(', ')}]`;
    throw new ModelError('bad-model-file', `model.json's input shape ${show(shape)} does not match the config in deepsteer.json, which needs ${show(expected)}`);
  }
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4 };

function checkSpec(w: unknown, where: string): tf.io.WeightsManifestEntry {
  const s = w as { name?: unknown; shape?: unknown; dtype?: unknown; quantization?: unknown } | null;
  if (typeof s?.name !== 'string' || !Array.isArray(s.shape) || !s.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ModelError('bad-model-file', `${where} needs a name and a shape of whole numbers`);
  }
  if (s.dtype !== 'float32' || s.quantization !== undefined) {
    throw new ModelError('bad-model-file', `${where} ('${s.name}') is ${String(s.dtype)}${s.quantization ? ', quantized' : ''}; DeepSteer models hold float32 weights`);
  }
  return { name: s.name, shape: s.shape as number[], dtype: 'float32' };
}

function specBytes(w: tf.io.WeightsManifestEntry): number {
  return w.shape.reduce((a, b) => a * b, 1) * (DTYPE_BYTES[w.dtype] ?? 4);
}

function weightValues(specs: readonly tf.io.WeightsManifestEntry[], data: ArrayBuffer): Map<string, { shape: readonly number[]; values: Float32Array }> {
  const checked = specs.map((s, i) => checkSpec(s, `weight spec ${i}`));
  const need = checked.reduce((s, w) => s + specBytes(w), 0);
  if (!(data instanceof ArrayBuffer) || data.byteLength !== need) {
    throw new ModelError('bad-model-file', `the weight data holds ${data?.byteLength ?? 0} bytes, the weight specs need ${need}`);
  }
  const out = new Map<string, { shape: readonly number[]; values: Float32Array }>();
  let o = 0;
  for (const s of checked) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (out.has(s.name)) throw new ModelError('bad-model-file', `weight '${s.name}' appears twice`);
    out.set(s.name, { shape: s.shape, values: new Float32Array(data, o, n) });
    o += n * 4;
  }
  return out;
}

function sameShape(a: readonly (number | null)[], b: readonly (number | null)[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

