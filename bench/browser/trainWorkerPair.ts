// Two bench training workers (trainWorker.ts) on wasm with the frames they train on: the expert's
// drive on the oval rendered at the dash size (64 frames quick, else 256) and a timing request of
// `steps` timed steps after 2 warm-up steps. The set-up that suites train_workers and train_auto
// share (train_workers also asks for a third worker running wasm threads); the caller terminates
// the pair when done (terminate()).
import * as Comlink from 'comlink';
import type { BenchTrainWorker, TimeRequest } from './trainWorker.ts';
import { dashFrames, expertDrive } from './drive.ts';
import { progress } from './progress.ts';

export const DASH = { width: 200, height: 66 };

export interface BenchWorker {
  readonly api: Comlink.Remote<BenchTrainWorker>;
  readonly worker: Worker;
}

/** A bench training worker (trainWorker.ts), not yet started on a backend. */
export function startWorker(name: string): BenchWorker {
  const worker = new Worker(new URL('./trainWorker.ts', import.meta.url), { type: 'module', name });
  return { worker, api: Comlink.wrap<BenchTrainWorker>(worker) };
}

export interface WasmWorkerPair {
  /** The trainer ('train-a') and the peer replica ('train-b'). */
  readonly a: BenchWorker;
  readonly b: BenchWorker;
  /** With `threads`: a third worker, alone, started with as many threads as the device has: the threaded binary, our conv kernels with their helper thread (the app's training worker). */
  readonly threaded: BenchWorker | null;
  /** Dash frames rendered. */
  readonly count: number;
  /** The car's poses they were rendered at (to render the same drive at another size). */
  readonly poses: Parameters<typeof dashFrames>[1];
  /** The frames, their targets and the timing budget (without a peer). */
  readonly request: TimeRequest;
  terminate(): void;
}

/** Renders the frames and starts both workers on wasm; throws (with both terminated) if either runs another backend. */
export async function startWasmWorkerPair(o: { readonly suite: string; readonly quick: boolean; readonly steps: number; readonly threads?: boolean }): Promise<WasmWorkerPair> {
  const count = o.quick ? 64 : 256;
  const drive = expertDrive('oval', count, 60);
  progress(`${o.suite}: rendering ${count} dash frames at ${DASH.width}x${DASH.height}`);
  const frames = await dashFrames('oval', drive.poses, DASH.width, DASH.height);
  const a = startWorker('train-a');
  const b = startWorker('train-b');
  const threaded = o.threads ? startWorker('train-threads') : null;
  const terminate = (): void => {
    for (const w of [a, b, threaded]) w?.worker.terminate();
  };
  try {
    const backends = await Promise.all([a.api.init('wasm'), b.api.init('wasm'), ...(threaded ? [threaded.api.init('wasm', navigator.hardwareConcurrency || 1)] : [])]);
    if (backends.some((x) => x !== 'wasm')) throw new Error(`the workers run ${backends.join(' and ')}, not wasm`);
  } catch (e) {
    terminate();
    throw e;
  }
  const budget = { warmup: 2, minRuns: o.steps, maxRuns: o.steps, budgetMs: 60_000, hardLimitMs: 300_000 };
  return { a, b, threaded, count, poses: drive.poses, request: { ...DASH, frames, targets: drive.targets, budget }, terminate };
}
