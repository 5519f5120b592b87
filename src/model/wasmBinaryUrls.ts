// Browser-only: the URLs vite gives the wasm backend's binaries (copied into the build with
// hashed names). Kept apart from tfSetup.ts because `?url` imports only exist inside vite:
// Node code (tsx scripts, vitest's wasm tests) never loads this module.
import plain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { SimdBinary } from './wasmKernels/simdConv.ts';
import simdConv from './wasmKernels/simd/convKernels.wasm?url';
import simdConvShared from './wasmKernels/simd/convKernelsShared.wasm?url';
import simdConvFma from './wasmKernels/simd/convKernelsFma.wasm?url';
import simdConvSharedFma from './wasmKernels/simd/convKernelsSharedFma.wasm?url';

/** The file map `setWasmPaths` takes. */
export const WASM_BINARY_URLS = {
  'tfjs-backend-wasm.wasm': plain,
  'tfjs-backend-wasm-simd.wasm': simd,
  'tfjs-backend-wasm-threaded-simd.wasm': threadedSimd,
} as const;

/** Our SIMD conv kernels (wasmKernels/simdConv.ts), built for an unshared and a shared memory, without and with relaxed SIMD. */
export const SIMD_CONV_URLS: Readonly<Record<SimdBinary, string>> = {
  'convKernels.wasm': simdConv,
  'convKernelsShared.wasm': simdConvShared,
  'convKernelsFma.wasm': simdConvFma,
  'convKernelsSharedFma.wasm': simdConvSharedFma,
};
