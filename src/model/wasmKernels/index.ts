// Registers the kernels that make conv nets trainable (and fast to train) on tfjs-backend-wasm.
// tfSetup.initBackend('wasm') calls it once the backend has started (the package runs its own
// kernels' setup only then, so the ones we replace stay runnable for comparison). Calling it
// again is a no-op.
import { getKernel, registerGradient, registerKernel, unregisterKernel, type KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './batchMatMul.ts';
import { addConfig, sumConfig } from './biasKernels.ts';
import { conv2DConfig } from './conv2d.ts';
import { conv2DBackpropFilterConfig } from './conv2dBackpropFilter.ts';
import { conv2DBackpropInputConfig } from './conv2dBackpropInput.ts';
import { identityConfig } from './identity.ts';
import { maxPoolGradConfig } from './maxPoolGrad.ts';
import { reluGradConfig, reluGradientConfig } from './reluGrad.ts';
import { shippedWasmKernels } from './wasmHeap.ts';

/**
 * Our kernels: Conv2DBackpropFilter (missing from the wasm package), Conv2DBackpropInput
 * (present but a slow scalar loop), MaxPoolGrad (present but wrong, see maxPoolGrad.ts),
 * BatchMatMul (the shipped one, with transposed operands of batch-1 products transposed first
 * so XNNPACK multiplies them instead of a scalar loop) and Conv2D (our SIMD kernel where it
 * runs, else the shipped one). The three convolutions run on our SIMD module (simdConv.ts)
 * where it started. Identity shares its input's bytes instead of copying them (the engine
 * clones every tensor it saves for a gradient). Add of a bias vector and Sum over every axis but
 * the last (a bias and its gradient) run on the SIMD module too (biasKernels.ts), and Relu's
 * gradient, one kernel of ours in place of three (reluGrad.ts, with the gradient that calls it).
 */
export const WASM_TRAINING_KERNELS: readonly KernelConfig[] = [conv2DBackpropFilterConfig, conv2DBackpropInputConfig, maxPoolGradConfig, batchMatMulConfig, conv2DConfig, identityConfig, addConfig, sumConfig, reluGradConfig];

/** The kernels the wasm package registered itself before we replaced them (kept for comparison, and BatchMatMul delegates to its own). */
const replaced = shippedWasmKernels;

/** Installs WASM_TRAINING_KERNELS for 'wasm', replacing any the wasm package registered. */
export function registerWasmTrainingKernels(): void {
  for (const config of WASM_TRAINING_KERNELS) {
    const current = getKernel(config.kernelName, 'wasm');
    if (current === config) continue;
    if (current) {
      replaced.set(config.kernelName, current);
      unregisterKernel(config.kernelName, 'wasm');
    }
    registerKernel(config);
  }
  // Global (every backend's): it calls our kernel on wasm where our module runs, tfjs' formula elsewhere.
  registerGradient(reluGradientConfig);
}

/** The wasm package's own kernel that ours replaced, if any (benchmarks compare against it). */
export function replacedWasmKernel(kernelName: string): KernelConfig | undefined {
  return replaced.get(kernelName);
}
