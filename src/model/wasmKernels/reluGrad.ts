// Relu's gradient in one pass on the wasm backend: tfjs computes it as dy * cast(step(x)), three
// kernels and two full-size temporaries for every relu of a training step (conv1's 276K floats
// among them); our module's relu_grad (simd/convKernels.c) makes the same bits in one.
// The gradient registry is global, so the gradient registered here serves every backend: it
// runs our kernel where the backend is wasm, our module runs and both tensors are float32, and
// tfjs' own formula everywhere else.
import { cast, engine, getBackend, getKernel, mul, Relu, step, type GradConfig, type KernelConfig, type KernelFunc, type Tensor, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { offsetOf, simdConvFor, simdConvSettings } from './simdConv.ts';
import { allocate } from './wasmHeap.ts';

/** Our kernel's name (tfjs has none for it): dy * step(x) for float32 dy and x of one shape. */
export const RELU_GRAD = 'DeepSteerReluGrad';

/** Calls that ran on our module (tests see which path a gradient took). */
export const reluGradCalls = { simd: 0 };

type ReluGradArgs = { inputs: { dy: TensorInfo; x: TensorInfo }; backend: BackendWasm };

function reluGrad({ inputs: { dy, x }, backend }: ReluGradArgs): TensorInfo {
  const simd = simdConvFor(backend);
  if (!simd) throw new Error(`${RELU_GRAD} needs our SIMD module, which is not running`);
  const out = allocate(backend, x.shape.slice());
  const n = x.shape.reduce((a, b) => a * b, 1);
  if (n > 0) simd.k.relu_grad(offsetOf(backend, dy), offsetOf(backend, x), offsetOf(backend, out), n);
  reluGradCalls.simd++;
  return out;
}

export const reluGradConfig: KernelConfig = { kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: reluGrad as unknown as KernelFunc };

/** Whether this gradient can run on our kernel: the wasm backend with our module, float32 tensors of one shape. */
function onOurKernel(dy: Tensor, x: Tensor): boolean {
  if (!simdConvSettings.reluGrad || getBackend() !== 'wasm' || !getKernel(RELU_GRAD, 'wasm')) return false;
  if (dy.dtype !== 'float32' || x.dtype !== 'float32' || dy.shape.length !== x.shape.length || dy.shape.some((d, i) => d !== x.shape[i])) return false;
  return simdConvFor(engine().backend as unknown as BackendWasm) !== null;
}

/** Relu's gradient: our kernel where it runs, else tfjs' own (Relu_grad.js). */
export const reluGradientConfig: GradConfig = {
  kernelName: Relu,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [x] = saved;
    const g = dy as Tensor;
    return { x: () => (onOurKernel(g, x) ? engine().runKernel(RELU_GRAD, { dy: g, x }) as Tensor : mul(g, cast(step(x), 'float32'))) };
  },
};
