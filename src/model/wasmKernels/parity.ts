// Backend parity: run the same deterministic computation on a reference backend (cpu) and a
// candidate (wasm) and measure how far apart the results are. Shared by the Node tests and the
// browser check page (bench suite 'kernels', asserted by e2e/wasmKernels.spec.ts), so the
// kernels are judged by one yardstick everywhere.
import { createRng } from '../../core/rng.ts';
import { initBackend, tf, type BackendName } from '../tfSetup.ts';

/** One computation to compare. `run` owns every tensor it makes and returns plain values. */
export interface ParityCase {
  readonly name: string;
  run(): Float32Array[] | Promise<Float32Array[]>;
  /** Tensors a tfjs object is known to leak on dispose (say which and why where it is set). */
  readonly knownLeaks?: number;
}

export interface ParityResult {
  readonly name: string;
  /** Worst over outputs of max|candidate - reference| / max|reference| (0 if both are all zero). */
  readonly relError: number;
  /** Which output was worst, and its size (to tell a bias from a filter gradient). */
  readonly worstOutput: number;
  readonly outputs: number;
}

/** Deterministic values in [-scale, scale), the same on every backend and machine. */
export function seededValues(size: number, seed: number | string, scale = 1): Float32Array {
  const rng = createRng(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = rng.range(-scale, scale);
  return out;
}

/** A tensor of seededValues with the given shape. Caller owns it. */
export function seededTensor(shape: number[], seed: number | string, scale = 1): tf.Tensor {
  return tf.tensor(seededValues(shape.reduce((a, b) => a * b, 1), seed, scale), shape);
}

/** Relative error of one array against a reference, by max norms (robust to tiny elements). */
export function relativeError(candidate: Float32Array, reference: Float32Array): number {
  if (candidate.length !== reference.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = Math.abs(candidate[i] - reference[i]);
    if (!(d <= diff)) diff = d; // NaN-safe: a NaN anywhere makes the error NaN -> Infinity
    const r = Math.abs(reference[i]);
    if (r > scale) scale = r;
  }
  if (Number.isNaN(diff)) return Infinity;
  if (scale === 0) return diff === 0 ? 0 : Infinity;
  return diff / scale;
}

/** Reads tensors' values (copies) and disposes them. */
export function takeValues(tensors: tf.Tensor[]): Float32Array[] {
  const out = tensors.map((t) => Float32Array.from(t.dataSync()));
  tf.dispose(tensors);
  return out;
}

/**
 * Runs every case on `reference` then on `candidate` and compares them. Leaves `candidate` as
 * the active backend. Throws if a case leaks tensors (a leak in a training kernel would grow
 * the wasm heap every step).
 */
export async function compareBackends(
  cases: readonly ParityCase[],
  options: { reference?: BackendName; candidate?: BackendName } = {},
): Promise<ParityResult[]> {
  const reference = options.reference ?? 'cpu';
  const candidate = options.candidate ?? 'wasm';
  const runAll = async (backend: BackendName): Promise<Float32Array[][]> => {
    await initBackend(backend);
    const results: Float32Array[][] = [];
    for (const c of cases) {
      const before = tf.memory().numTensors;
      results.push(await c.run());
      const leaked = tf.memory().numTensors - before - (c.knownLeaks ?? 0);
      if (leaked !== 0) throw new Error(`parity case '${c.name}' leaked ${leaked} tensors on ${backend}`);
    }
    return results;
  };
  const ref = await runAll(reference);
  const got = await runAll(candidate);
  return cases.map((c, i) => {
    let relError = 0;
    let worstOutput = 0;
    if (ref[i].length !== got[i].length) relError = Infinity;
    for (let j = 0; j < ref[i].length && relError !== Infinity; j++) {
      const e = relativeError(got[i][j], ref[i][j]);
      if (e > relError) {
        relError = e;
        worstOutput = j;
      }
    }
    return { name: c.name, relError, worstOutput, outputs: ref[i].length };
  });
}
