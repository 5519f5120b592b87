// Identity on the wasm backend without a copy: the output shares the input's bytes and holds one
// more reference to them, as the wasm package's own Reshape and the cpu backend's Identity do.
// The shipped kernel copies, and tfjs' engine clones (Identity) every tensor a kernel saves for
// its gradient, so each saved activation of a training step was a full copy. Sharing is safe
// because no kernel writes into its inputs (every output is a fresh allocation, ours included).
// Strings go to the shipped kernel.
import { Identity, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { runShippedKernel } from './wasmHeap.ts';

type IdentityArgs = { inputs: { x: TensorInfo }; backend: BackendWasm };

function identity(args: IdentityArgs): TensorInfo {
  const { inputs: { x }, backend } = args;
  if (x.dtype === 'string') return runShippedKernel(Identity, args);
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: KernelConfig = {
  kernelName: Identity,
  backendName: 'wasm',
  kernelFunc: identity as unknown as KernelFunc,
};
