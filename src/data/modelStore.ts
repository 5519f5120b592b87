// Saved steering models and training checkpoints, as the plain artifacts src/model produces:
// a JSON meta (listed without loading anything else), and apart from it the topology, weight
// specs and weights (one ArrayBuffer). Plus one checkpoint slot per training run, so a reloaded
// tab resumes training. The data layer checks the shapes it stores, not what they mean: the
// model config, normalisation and checkpoint layout belong to src/model, which validates them
// when it loads them. Layout: docs/formats.md, "IndexedDB schema".

import { z } from 'zod';
import type { ClipDb, ModelArtifactsRecord, OpenClipDbOptions } from './clipDb.ts';
import { guard, openClipDb, randomId, runWrite } from './clipDb.ts';
import { formatPath } from './clipManifest.ts';
import { DataError } from './dataErrors.ts';
import type { JsonValue } from './jsonValue.ts';
import { jsonSchema, toJson } from './jsonValue.ts';

export const WEIGHT_DTYPES = ['float32', 'int32', 'bool'] as const;
export type WeightDtype = (typeof WEIGHT_DTYPES)[number];
/** Bytes per element as weights are packed (tfjs's own weight encoding: bool as one byte). */
export const WEIGHT_DTYPE_BYTES: { readonly [K in WeightDtype]: number } = { float32: 4, int32: 4, bool: 1 };

/** One named tensor of weightData: prod(shape) elements of dtype (default float32), in spec order. */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype?: WeightDtype;
}

/** What src/model hands over to save, and gets back on load. */
export interface ModelArtifacts {
  /** The network's layout, in src/model's own JSON format. */
  readonly topology: unknown;
  readonly weightSpecs: readonly WeightSpec[];
  /** Every weight in weightSpecs order, little-endian, no gaps: exactly the specs' bytes. */
  readonly weightData: ArrayBuffer;
}

export interface LoadedModelArtifacts extends ModelArtifacts {
  readonly topology: JsonValue;
}

/** The meta a caller saves; JSON fields are src/model's to define (config, normalisation, metrics). */
export interface ModelMetaInput {
  /** 1..200 characters (trimmed). */
  readonly name: string;
  /** The architecture, e.g. 'cnn' or 'cnn_lstm' (src/model's MODEL_KINDS). */
  readonly kind: string;
  readonly config: unknown;
  /** Target normalisation statistics the model was trained with. */
  readonly normalization: unknown;
  /** Clips the model was trained and validated on. */
  readonly clipIds: readonly string[];
  readonly metrics: unknown;
  /** ms since the epoch, the caller's clock. */
  readonly createdAt: number;
  /** The tfjs backend it was trained on ('webgpu', 'webgl', 'wasm', 'cpu'). */
  readonly backend: string;
  /** One example's input, without the batch dimension, e.g. [66, 200, 3] or [10, 66, 200, 3]. */
  readonly inputShape: readonly number[];
}

export interface ModelMeta extends ModelMetaInput {
  readonly id: string;
  readonly config: JsonValue;
  readonly normalization: JsonValue;
  readonly metrics: JsonValue;
  /** Bytes of weightData, for the library view. */
  readonly weightBytes: number;
}

export interface SavedModel {
  readonly meta: ModelMeta;
  readonly artifacts: LoadedModelArtifacts;
}

export interface CheckpointInfo {
  readonly runId: string;
  /** ms since the epoch, as given to saveCheckpoint. */
  readonly savedAt: number;
}

export interface CheckpointSlot extends CheckpointInfo {
  /** What was saved, as IndexedDB cloned it (src/model checks its format before resuming). */
  readonly checkpoint: unknown;
}

export interface ModelStoreOptions extends OpenClipDbOptions {
  readonly newId?: () => string;
}

export interface ModelStore {
  /** Saves meta and artifacts in one transaction; returns the new model's id. */
  save(model: { readonly meta: ModelMetaInput; readonly artifacts: ModelArtifacts }): Promise<string>;
  /** Every model's meta, oldest first; reads no topology or weights. */
  list(): Promise<ModelMeta[]>;
  getMeta(id: string): Promise<ModelMeta>;
  load(id: string): Promise<SavedModel>;
  rename(id: string, name: string): Promise<ModelMeta>;
  /** Deletes meta and artifacts in one transaction. */
  remove(id: string): Promise<void>;
  /** Replaces the run's checkpoint (one slot per run). `checkpoint` must be structured-cloneable. */
  saveCheckpoint(runId: string, checkpoint: unknown, options: { readonly savedAt: number }): Promise<void>;
  /** The run's checkpoint, or null when it has none. */
  loadCheckpoint(runId: string): Promise<CheckpointSlot | null>;
  /** Empties the run's slot (training finished or abandoned); no error when it was empty. */
  clearCheckpoint(runId: string): Promise<void>;
  /** Runs with a checkpoint, newest first; reads no checkpoint data. */
  listCheckpoints(): Promise<CheckpointInfo[]>;
  close(): void;
}

const MAX_NAME_LENGTH = 200;
/** Largest meta, in UTF-8 bytes of its JSON (metrics may hold a per-epoch history). */
export const MAX_MODEL_META_BYTES = 1024 * 1024;
/** Largest topology, in UTF-8 bytes of its JSON. */
export const MAX_TOPOLOGY_BYTES = 16 * 1024 * 1024;

const shapeSchema = z.array(z.int().min(0).max(2 ** 31 - 1)).max(8);

// Loose: fields src/model adds later are kept (as JSON), not dropped; the known ones are checked.
const metaInputSchema = z.looseObject({
  name: z.string().trim().min(1).max(MAX_NAME_LENGTH),
  kind: z.string().min(1).max(100),
  config: jsonSchema,
  normalization: jsonSchema,
  clipIds: z.array(z.string()),
  metrics: jsonSchema,
  createdAt: z.number(),
  backend: z.string().max(100),
  inputShape: z.array(z.int().min(1)).min(1).max(8),
});

// Strict: an unexpected field (say, quantisation of the weights) would change what the bytes
// mean, so it is refused rather than dropped.
const artifactsSchema = z.strictObject({
  topology: jsonSchema,
  weightSpecs: z.array(z.strictObject({ name: z.string().min(1), shape: shapeSchema, dtype: z.enum(WEIGHT_DTYPES).optional() })),
  weightData: z.instanceof(ArrayBuffer, { error: 'must be an ArrayBuffer' }),
});

function parseOrRefuse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new DataError('invalid-input', `${what}: ${formatPath(issue.path)}: ${issue.message}`);
}

/** Bytes the specs describe; refuses duplicate names. */
export function weightSpecBytes(specs: readonly WeightSpec[]): number {
  const seen = new Set<string>();
  let bytes = 0;
  for (const s of specs) {
    if (seen.has(s.name)) throw new DataError('invalid-input', `the model's weight '${s.name}' is listed twice`);
    seen.add(s.name);
    bytes += s.shape.reduce((a, b) => a * b, 1) * WEIGHT_DTYPE_BYTES[s.dtype ?? 'float32'];
  }
  return bytes;
}

export async function openModelStore(options: ModelStoreOptions = {}): Promise<ModelStore> {
  const db: ClipDb = await openClipDb(options);
  const newId = options.newId ?? randomId;

  const getMeta = guard('reading the model', async (id: string): Promise<ModelMeta> => {
    const meta = await db.get('models', id);
    if (!meta) throw new DataError('not-found', `no saved model with id '${id}'`);
    return meta;
  });

  return {
    getMeta,

    async save({ meta, artifacts }) {
      const m = parseOrRefuse(metaInputSchema, meta, "the model's meta");
      const json = toJson(m, "the model's meta", MAX_MODEL_META_BYTES).value as object;
      const a = parseOrRefuse(artifactsSchema, artifacts, "the model's artifacts");
      const bytes = weightSpecBytes(a.weightSpecs);
      if (bytes !== a.weightData.byteLength) {
        throw new DataError('invalid-input', `the model's weight specs describe ${bytes} bytes but weightData has ${a.weightData.byteLength}`);
      }
      const id = newId();
      const record = { ...json, id, weightBytes: bytes } as ModelMeta;
      const topology = toJson(a.topology, "the model's topology", MAX_TOPOLOGY_BYTES).value;
      const blobs: ModelArtifactsRecord = { id, topology, weightSpecs: a.weightSpecs, weightData: a.weightData };
      await runWrite(db, ['models', 'modelArtifacts'], `saving model '${m.name}'`, async (tx) => {
        // One request at a time: a put that throws (quota) must not leave another one unawaited.
        await tx.objectStore('models').add(record);
        await tx.objectStore('modelArtifacts').add(blobs);
      });
      return id;
    },

    list: guard('listing models', () => db.getAllFromIndex('models', 'byCreatedAt')),

    load: guard('loading the model', async (id: string): Promise<SavedModel> => {
      const tx = db.transaction(['models', 'modelArtifacts'], 'readonly');
      const [meta, blobs] = await Promise.all([tx.objectStore('models').get(id), tx.objectStore('modelArtifacts').get(id)]);
      if (!meta) throw new DataError('not-found', `no saved model with id '${id}'`);
      if (!blobs) throw new DataError('storage', `model '${meta.name}' has lost its weights; delete it`);
      return { meta, artifacts: { topology: blobs.topology, weightSpecs: blobs.weightSpecs, weightData: blobs.weightData } };
    }),

    rename(id, name) {
      const trimmed = typeof name === 'string' ? name.trim() : '';
      if (trimmed.length === 0 || trimmed.length > MAX_NAME_LENGTH) {
        return Promise.reject(new DataError('invalid-input', `a model name must have 1 to ${MAX_NAME_LENGTH} characters`));
      }
      return runWrite(db, ['models'], 'renaming the model', async (tx) => {
        const meta = await tx.objectStore('models').get(id);
        if (!meta) throw new DataError('not-found', `no saved model with id '${id}'`);
        const next: ModelMeta = { ...meta, name: trimmed };
        await tx.objectStore('models').put(next);
        return next;
      });
    },

    async remove(id) {
      await runWrite(db, ['models', 'modelArtifacts'], 'deleting the model', async (tx) => {
        const key = await tx.objectStore('models').getKey(id);
        if (key === undefined) throw new DataError('not-found', `no saved model with id '${id}'`);
        await tx.objectStore('models').delete(id);
        await tx.objectStore('modelArtifacts').delete(id);
      });
    },

    async saveCheckpoint(runId, checkpoint, { savedAt }) {
      if (typeof runId !== 'string' || runId.length === 0) throw new DataError('invalid-input', 'a checkpoint needs a run id');
      if (!Number.isFinite(savedAt)) throw new DataError('invalid-input', `savedAt must be a time in ms, got ${savedAt}`);
      if (checkpoint === undefined || checkpoint === null) throw new DataError('invalid-input', 'there is no checkpoint to save');
      await runWrite(db, ['checkpoints'], 'saving the training checkpoint', async (tx) => {
        await tx.objectStore('checkpoints').put({ runId, savedAt, checkpoint });
      });
    },

    loadCheckpoint: guard('loading the training checkpoint', async (runId: string): Promise<CheckpointSlot | null> => {
      const rec = await db.get('checkpoints', runId);
      return rec ? { runId: rec.runId, savedAt: rec.savedAt, checkpoint: rec.checkpoint } : null;
    }),

    async clearCheckpoint(runId) {
      await runWrite(db, ['checkpoints'], 'clearing the training checkpoint', async (tx) => {
        await tx.objectStore('checkpoints').delete(runId);
      });
    },

    listCheckpoints: guard('listing training checkpoints', async (): Promise<CheckpointInfo[]> => {
      // A key cursor on the index yields savedAt and runId without reading the checkpoints.
      const out: CheckpointInfo[] = [];
      const index = db.transaction('checkpoints').store.index('bySavedAt');
      for (let c = await index.openKeyCursor(null, 'prev'); c; c = await c.continue()) out.push({ runId: c.primaryKey, savedAt: c.key });
      return out;
    }),

    close() {
      db.close();
    },
  };
}
