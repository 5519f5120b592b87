// Named float32 tensors packed into one ArrayBuffer plus a JSON-able spec list: the plain form
// in which checkpoints carry weights and optimiser state to the data layer (IndexedDB stores
// it by structured clone), and back.

import { ModelError } from './modelErrors.ts';
import { tf } from './tfSetup.ts';

export interface BlobEntry {
  readonly name: string;
  readonly shape: readonly number[];
}

/** float32 values of every entry, in order, little-endian (the platform's Float32Array order). */
export interface WeightBlob {
  readonly entries: readonly BlobEntry[];
  readonly data: ArrayBuffer;
}

/** Reads the tensors (async, so GPU backends need not block). The tensors stay the caller's. */
export async function packTensors(named: readonly { readonly name: string; readonly tensor: tf.Tensor }[]): Promise<WeightBlob> {
  const values = await Promise.all(named.map((n) => n.tensor.data<'float32'>()));
  const total = values.reduce((s, v) => s + v.length, 0);
  const out = new Float32Array(total);
  let o = 0;
  for (const v of values) {
    out.set(v, o);
    o += v.length;
  }
  return { entries: named.map((n) => ({ name: n.name, shape: [...n.tensor.shape] })), data: out.buffer };
}

/** The values of each entry by name (views into blob.data), checking the sizes add up. */
export function unpackBlob(blob: WeightBlob, what: string): Map<string, { shape: readonly number[]; values: Float32Array }> {
  const total = blob.entries.reduce((s, e) => s + e.shape.reduce((a, b) => a * b, 1), 0);
  if (!(blob.data instanceof ArrayBuffer) || blob.data.byteLength !== total * 4) {
    throw new ModelError('bad-model-file', `${what}: the entries need ${total * 4} bytes, the data has ${blob.data?.byteLength ?? 0}`);
  }
  const all = new Float32Array(blob.data);
  const out = new Map<string, { shape: readonly number[]; values: Float32Array }>();
  let o = 0;
  for (const e of blob.entries) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    out.set(e.name, { shape: e.shape, values: all.subarray(o, o + size) });
    o += size;
  }
  return out;
}

/** Writes blob entries into variables by name; every variable must be present with its shape. */
export function assignFromBlob(blob: WeightBlob, targets: readonly { readonly name: string; readonly variable: tf.Variable }[], what: string): void {
  const values = unpackBlob(blob, what);
  for (const t of targets) {
    const v = values.get(t.name);
    if (!v) throw new ModelError('bad-model-file', `${what} has no '${t.name}'`);
    if (v.shape.length !== t.variable.shape.length || v.shape.some((d, i) => d !== t.variable.shape[i])) {
      throw new ModelError('bad-model-file', `${what}: '${t.name}' has shape [${v.shape.join(', ')}], the model needs [${t.variable.shape.join(', ')}]`);
    }
  }
  tf.tidy(() => {
    for (const t of targets) t.variable.assign(tf.tensor(values.get(t.name)!.values, t.variable.shape));
  });
}
