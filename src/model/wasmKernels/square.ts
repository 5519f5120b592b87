// Square for the wasm backend on more than one thread: the backend's own Multiply of x by itself
// (on one thread the shipped kernel, unchanged). The shipped Square is
// an XNNPACK unary operator built for every call; where the backend runs XNNPACK on more than one
// thread (the app's training worker when the page is cross-origin isolated) each call also wakes
// the thread pool, and a training step's ~60 squares (Adam's second moments, the gradient
// norms, the loss) took 1.9-4.3 ms there against 0.15-0.4 ms on one thread; as Multiply, 0.33-0.38
// ms (docs/training-on-wasm.md, "Threads"). x * x is what Square computes, rounded once either
// way: the same bits (square.test checks it against the shipped kernel).
import { Multiply, Square, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import { getThreadsCount, type BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runWasmKernel, shippedWasmKernels } from './wasmHeap.ts';

/** From how many XNNPACK threads Square runs as Multiply (tests set 0 to run that path on one thread). */
export const squareTuning = { minThreads: 2 };

function square(args: { inputs: { x: TensorInfo }; backend: BackendWasm }): TensorInfo {
  const { inputs: { x }, backend } = args;
  // On one thread the shipped kernel is the cheaper of the two (no pool to wake).
  if (x.dtype !== 'float32' || getThreadsCount() < squareTuning.minThreads) {
    const shipped = shippedWasmKernels.get(Square);
    if (!shipped) throw new Error("the wasm backend's own Square was not kept when ours was registered");
    return (shipped.kernelFunc as unknown as (a: typeof args) => TensorInfo)(args);
  }
  return runWasmKernel(backend, Multiply, { a: x, b: x }, {});
}

export const squareConfig: KernelConfig = {
  kernelName: Square,
  backendName: 'wasm',
  kernelFunc: square as unknown as KernelFunc,
};
