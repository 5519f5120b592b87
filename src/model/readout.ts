// Reading tensors back, synchronously or not, with one body of code. A function that needs
// values on the CPU is written as a read plan: a generator that yields each tensor it wants
// read and receives that tensor's values at the yield. runSync drives it with dataSync;
// runAsync with data(), never a synchronous read, which is what the webgpu backend needs in a
// worker (tfjs-backend-webgpu 4.22 reads dataSync through OffscreenCanvas copies, and in
// Chromium one such read breaks every later mapAsync of that worker: workers/overlayApi.ts).
//
// Ownership: the runner owns each yielded tensor: it is kept out of any enclosing tidy scope
// (the training loop's, when a plan runs from a progress callback) and disposed after its read,
// also when the read fails. A plan holds no other tensor across a yield.

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
    } finally {
      t.dispose();
    }
    step = plan.next(values);
  }
  return step.value;
}

/** Runs a plan with asynchronous reads (data()); between two reads other work may run. */
export async function runAsync<R>(plan: ReadPlan<R>): Promise<R> {
  let step = plan.next();
  while (!step.done) {
    const t = tf.keep(step.value);
    let values: Float32Array;
    try {
      values = (await t.data()) as Float32Array;
    } finally {
      t.dispose();
    }
    step = plan.next(values);
  }
  return step.value;
}
