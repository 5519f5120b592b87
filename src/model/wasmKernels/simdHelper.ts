// A second thread for our SIMD conv kernels (simdConv.ts): a worker that instantiates the same
// module over the wasm backend's shared memory and runs the part of a kernel call it is handed
// (the second half of the batch), while the calling thread runs the first half. Only a threaded
// backend has shared memory (a cross-origin isolated page); tfjs' own pool of XNNPACK threads
// cannot run our kernels, so this one thread is ours.
//
// The two threads talk through a small SharedArrayBuffer, not messages: the caller writes the
// kernel and its arguments, bumps JOB and wakes the helper (Atomics.notify); the helper runs it,
// writes DONE and wakes the caller. Each side spins before it sleeps: the caller for the
// microseconds its half and the helper's differ by, the helper for half a millisecond, since a
// training step's conv calls come a fraction of a millisecond apart. The
// caller blocks in Atomics.wait, which a worker (and Node) may do and a page's main thread may
// not: createConvHelper refuses there.
//
// The worker's code is `helperMain` below, turned into source text (a Blob URL in a browser,
// `eval` in Node's worker_threads), so one function runs in both and nothing else is loaded.

import type * as NodeWorkers from 'node:worker_threads';

/** Kernels the helper can run, by the index the control block carries. */
export const HELPER_OPS = ['conv_fwd', 'conv_dw', 'conv_dx'] as const;
export type HelperOp = (typeof HELPER_OPS)[number];

/** Control block slots (Int32): the job counter, the last finished job, the op (-1: failed), then arguments. */
const JOB = 0, DONE = 1, OP = 2, ARGS = 3;
const MAX_ARGS = 20;
const STOP = 99;
/** How long the caller waits for one job before it gives up on the helper (a trapped or killed thread). */
const JOB_TIMEOUT_MS = 30_000;

export interface ConvHelper {
  /** Starts `op(...args)` on the helper thread and returns at once. One job at a time. */
  post(op: HelperOp, args: readonly number[]): void;
  /** Blocks until the posted job finished. Throws if the helper failed or stopped answering (then it is disposed). */
  wait(): void;
  /** Ends the thread. */
  dispose(): void;
}

/**
 * The helper thread's whole program, run as source text in the worker: waits for the module's
 * bytes, the memory and the control block, instantiates the module, says 'ready', then runs jobs
 * until STOP. Self-contained: it may use nothing from this file's scope.
 */
function helperMain(listen: (handler: (data: unknown) => void) => void, reply: (message: unknown) => void): void {
  listen((data) => {
    const { bytes, memory, control } = data as { bytes: ArrayBuffer; memory: WebAssembly.Memory; control: SharedArrayBuffer };
    let kernels: Record<string, (...args: number[]) => void>;
    try {
      kernels = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports as typeof kernels;
    } catch (e) {
      reply({ error: e instanceof Error ? e.message : String(e) });
      return;
    }
    reply({ ready: true });
    const ops = ['conv_fwd', 'conv_dw', 'conv_dx'];
    const c = new Int32Array(control);
    let seen = 0;
    for (;;) {
      // Spin for a while (the next conv call of a step usually comes within a fraction of a
      // millisecond, and waking from Atomics.wait takes 25-50 us here), then sleep.
      let job = Atomics.load(c, 0);
      const idleSince = performance.now();
      for (let spin = 0; job === seen; spin++) {
        if ((spin & 255) === 255 && performance.now() - idleSince > 0.5) Atomics.wait(c, 0, seen);
        job = Atomics.load(c, 0);
      }
      seen = job;
      const op = Atomics.load(c, 2);
      if (op === 99) return;
      try {
        const n = Atomics.load(c, 3);
        const args: number[] = [];
        for (let i = 0; i < n; i++) args.push(Atomics.load(c, 4 + i));
        kernels[ops[op]](...args);
      } catch {
        Atomics.store(c, 2, -1);
      }
      Atomics.store(c, 1, seen);
      Atomics.notify(c, 1);
    }
  });
}

/** Whether this thread may block in Atomics.wait (a worker or Node: yes; a page's main thread: no). */
export function canBlock(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

const isNode = (): boolean => typeof process !== 'undefined' && typeof process.versions === 'object' && !!process.versions.node;

interface Thread {
  postMessage(message: unknown): void;
  onMessage(handler: (data: unknown) => void): void;
  terminate(): void;
}

async function spawn(): Promise<Thread> {
  if (isNode()) {
    const name = 'node:worker_threads';
    const { Worker } = (await import(/* @vite-ignore */ name)) as typeof NodeWorkers;
    const w = new Worker(`const { parentPort } = require('node:worker_threads');
(${helperMain.toString()})((f) => parentPort.once('message', f), (m) => parentPort.postMessage(m));`, { eval: true });
    w.unref();
    return { postMessage: (m) => w.postMessage(m), onMessage: (f) => w.once('message', f), terminate: () => void w.terminate() };
  }
  const source = `(${helperMain.toString()})((f) => { self.onmessage = (e) => f(e.data); }, (m) => self.postMessage(m));`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const w = new Worker(url);
  URL.revokeObjectURL(url);
  return { postMessage: (m) => w.postMessage(m), onMessage: (f) => { w.onmessage = (e) => f(e.data); }, terminate: () => w.terminate() };
}

/**
 * Starts the helper thread over `memory` (shared) with the module `bytes` (built for shared
 * memory). Resolves to the helper, or to why there is none (never rejects).
 */
export async function createConvHelper(memory: WebAssembly.Memory, bytes: ArrayBuffer): Promise<ConvHelper | string> {
  if (!(memory.buffer instanceof SharedArrayBuffer)) return 'the memory is not shared';
  if (!canBlock()) return 'this thread cannot wait for another (a page\'s main thread)';
  let thread: Thread;
  try {
    thread = await spawn();
  } catch (e) {
    return `no helper thread: ${e instanceof Error ? e.message : String(e)}`;
  }
  const control = new SharedArrayBuffer(4 * (ARGS + 1 + MAX_ARGS));
  const c = new Int32Array(control);
  const started = await new Promise<string | null>((resolve) => {
    const timer = setTimeout(() => resolve('the helper thread did not start within 10 s'), 10_000);
    thread.onMessage((data) => {
      clearTimeout(timer);
      const d = data as { ready?: boolean; error?: string };
      resolve(d.ready ? null : `the helper thread could not load the kernels: ${d.error ?? 'no reason given'}`);
    });
    thread.postMessage({ bytes, memory, control });
  });
  if (started !== null) {
    thread.terminate();
    return started;
  }
  let job = 0;
  let alive = true;
  const stop = (): void => {
    if (!alive) return;
    alive = false;
    Atomics.store(c, OP, STOP);
    Atomics.store(c, JOB, ++job);
    Atomics.notify(c, JOB);
    thread.terminate();
  };
  return {
    post(op, args) {
      if (!alive) throw new Error('the conv helper thread was stopped');
      if (args.length > MAX_ARGS) throw new Error(`${op}: ${args.length} arguments, at most ${MAX_ARGS}`);
      Atomics.store(c, OP, HELPER_OPS.indexOf(op));
      Atomics.store(c, ARGS, args.length);
      args.forEach((a, i) => Atomics.store(c, ARGS + 1 + i, a));
      Atomics.store(c, JOB, ++job);
      Atomics.notify(c, JOB);
    },
    wait() {
      let done = Atomics.load(c, DONE);
      for (let spin = 0; done !== job && spin < 20_000; spin++) done = Atomics.load(c, DONE);
      while (done !== job) {
        if (Atomics.wait(c, DONE, done, JOB_TIMEOUT_MS) === 'timed-out') {
          stop();
          throw new Error(`the conv helper thread did not finish a job within ${JOB_TIMEOUT_MS / 1000} s`);
        }
        done = Atomics.load(c, DONE);
      }
      if (Atomics.load(c, OP) === -1) {
        stop();
        throw new Error('the conv helper thread failed a job');
      }
    },
    dispose: stop,
  };
}
