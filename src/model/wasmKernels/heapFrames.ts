// A batch's frames made into the model's input on the wasm heap, by our module
// (simd/convKernels.c: bytes_to_floats, and box2_bytes for the dash camera's 2x2 halving): the
// bytes are copied to the heap once and become the -1..1 floats there, in place of a JS loop
// into a new array and that array's upload (preprocess.ts frameValues, then tf.tensor4d).
// Each value is looked up in a table that JS fills with the JS path's own expression, so the
// floats are the same bits (heapFrames.test.ts).
import { backend as currentBackend, engine, getBackend, type Tensor4D } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { FrameSize } from '../preprocess.ts';
import { offsetOf, simdConvFor } from './simdConv.ts';
import { allocate, heapView, release } from './wasmHeap.ts';

/** Every byte value scaled to -1..1, as preprocess.ts scales one (b / 127.5 - 1, rounded once to float32). */
const BYTE_VALUES = Float32Array.from({ length: 256 }, (_, b) => b / 127.5 - 1);
/** Every sum of a 2x2 box of bytes, as areaResize.ts's box resize turns it into a value (sum * 1/4 / 127.5 - 1). */
const BOX2_VALUES = Float32Array.from({ length: 4 * 255 + 1 }, (_, s) => (s * 0.25) / 127.5 - 1);

/**
 * `count` RGB byte frames of `from` (already checked: count x height x width x 3 bytes) as a
 * float32 [count, to.height, to.width, 3] tensor in -1..1, made on the wasm heap, and a view of
 * its values for the caller to augment or standardise in place (before any other tensor op:
 * the view dies when the heap grows). Null where this cannot: another backend, our module not
 * running, or a resize other than none or area at half size (the caller's JS path does those).
 * The caller owns the tensor.
 */
export function heapFrames(frames: Uint8Array, count: number, from: FrameSize, to: FrameSize, resize: string): { tensor: Tensor4D; values: Float32Array } | null {
  if (getBackend() !== 'wasm') return null;
  const backend = currentBackend() as unknown as BackendWasm;
  const simd = simdConvFor(backend);
  if (!simd) return null;
  const same = from.width === to.width && from.height === to.height;
  const box2 = resize === 'area' && from.width === 2 * to.width && from.height === 2 * to.height;
  if (!same && !box2) return null;
  const src = allocate(backend, [frames.length], 'bool');
  const table = allocate(backend, [same ? BYTE_VALUES.length : BOX2_VALUES.length]);
  const out = allocate(backend, [count, to.height, to.width, 3]);
  (backend.typedArrayFromHeap(src) as Uint8Array).set(frames);
  heapView(backend, table).set(same ? BYTE_VALUES : BOX2_VALUES);
  const [srcAt, tableAt, outAt] = [offsetOf(backend, src), offsetOf(backend, table), offsetOf(backend, out)];
  if (same) simd.k.bytes_to_floats(srcAt, tableAt, outAt, frames.length);
  else simd.k.box2_bytes(srcAt, tableAt, outAt, count, from.height, from.width);
  release(backend, src);
  release(backend, table);
  const tensor = engine().makeTensorFromTensorInfo(out) as Tensor4D;
  return { tensor, values: heapView(backend, out) };
}
