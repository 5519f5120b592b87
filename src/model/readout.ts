// Reading tensors back, synchronously or not, with one body of code. A function that needs
// values on the CPU is written as a read plan: a generator that yields each tensor it wants
// read and receives that tensor's values at the yield. runSync drives it with dataSync;
// runAsync with data(), never a synchronous read, which is what the webgpu backend needs in a
// worker (tfjs-backend-webgpu 4.22 reads dataSync through OffscreenCanvas copies, and in
// Chromium one such read breaks every later mapAsync of that worker: workers/overlayApi.ts).
//
// A plan may also cut its work into pieces: it yields a small tensor of each piece's output (read
// and ignored) so that, run asynchronously, the piece has finished on the device when the read
// resolves; runAsync's `between` hook then runs before the next piece (the overlays let a
// prediction go first there: workers/overlayApi.ts).
//
// Ownership: the runner owns each yielded tensor: it is kept out of any enclosing tidy scope
// (the training loop's, when a plan runs from a progress callback) and disposed after its read,
// also when the read fails. A plan that holds tensors across a yield frees them in a finally:
// the runners close the plan (return()) when a read or the hook fails.

import { tf } from './tfSetup.ts';

/** Yields tensors (float32) to read; each yield resolves to that tensor's values. */
export type ReadPlan<R> = Generator<tf.Tensor, R, Float32Array>;

/** Runs a plan with synchronous reads (dataSync). */
export function runSync<R>(plan: ReadPlan<R>): R {
  let step = plan.next();
  while (!step.done) {
    const t = step.value;
    let values: Float32Array;
    try {
      values = t.dataSync() as Float32Array;
    } catch (e) {
      plan.return(undefined as R);
      throw e;
    } finally {
      t.dispose();
    }
    step = plan.next(values);
  }
  return step.value;
}

/**
 * Runs a plan with asynchronous reads (data()); between two reads other work may run, and
 * `between` (if given) is awaited after each read, before the plan goes on.
 */
export async function runAsync<R>(plan: ReadPlan<R>, between?: () => Promise<void>): Promise<R> {
  let step = plan.next();
  while (!step.done) {
    const t = tf.keep(step.value);
    let values: Float32Array;
    try {
      values = (await t.data()) as Float32Array;
      t.dispose();
      if (between) await between();
    } catch (e) {
      t.dispose();
      plan.return(undefined as R);
      throw e;
    }
    step = plan.next(values);
  }
  return step.value;
}
