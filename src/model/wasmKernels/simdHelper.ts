// A second thread for our SIMD conv kernels (simdConv.ts): a worker that instantiates the same
// module over the wasm backend's shared memory and shares each kernel call with the calling
// thread. Only a threaded backend has shared memory (a cross-origin isolated page); tfjs' own
// pool of XNNPACK threads cannot run our kernels, so this one thread is ours.
//
// A call is cut into chunks of whole images (at most CHUNKS), and both threads take chunks from
// one atomic ticket until none are left: where the helper is slow to wake, or its core is taken
// by other work (this VM's second vCPU comes and goes), the caller simply runs more of them, so a
// call is never much slower than on one thread. Which thread runs a chunk changes nothing: a
// chunk's images land in their own place, and dW sums each chunk into a buffer of its own that
// the caller adds up in chunk order, so the bits do not depend on the timing.
//
// The two threads talk through a small SharedArrayBuffer, not messages. The caller writes the
// job, sets the ticket to (job number, chunk 0), bumps JOB and wakes the helper (Atomics.notify);
// each thread takes a chunk by compare-and-swap on the ticket while it still carries the job's
// number (so a helper that wakes late, or read a job while the next was being written, takes
// nothing), and counts it in DONE when finished. The caller waits until DONE reaches the chunk
// count. The helper spins for half a millisecond before it sleeps in Atomics.wait (waking takes
// 25-50 us here; a step's conv calls come a fraction of a millisecond apart). The caller blocks
// in Atomics.wait, which a worker (and Node) may do and a page's main thread may not:
// createConvHelper refuses there.
//
// The helper's code is `helperMain` and `takeChunks` below, turned into source text (a Blob URL in
// a browser, `eval` in Node's worker_threads), so the same functions run in both threads.
import type * as NodeWorkers from 'node:worker_threads';

/** Kernels the helper can run, by the index the control block carries. */
export const HELPER_OPS = ['conv_fwd', 'conv_dw', 'conv_dx'] as const;
export type HelperOp = (typeof HELPER_OPS)[number];

/** Most chunks a call is cut into (fewer for a smaller batch: whole images). */
export const MAX_CHUNKS = 8;
const MAX_ARGS = 20;
/** Control block (Int32 slots): see `takeChunks`. */
const JOB = 0, TICKET = 1, DONE = 2, FAIL = 3, OP = 4, NARGS = 5, NARG = 6, N = 7, CHUNKS = 8, ARGS = 9;
const IMAGE_STRIDES = ARGS + MAX_ARGS, CHUNK_STRIDES = IMAGE_STRIDES + MAX_ARGS, SLOTS = CHUNK_STRIDES + MAX_ARGS;
const STOP = 99;
/** How long the caller waits for the helper's chunks before it gives up on it (a killed thread). */
const JOB_TIMEOUT_MS = 30_000;

/** One kernel call cut into chunks of images. */
export interface ChunkedJob {
  readonly op: HelperOp;
  /** The kernel's arguments for the whole batch (byte offsets for pointers). */
  readonly args: readonly number[];
  /** Which argument is the image count. */
  readonly countArg: number;
  /** Images in the batch. */
  readonly images: number;
  /** Bytes each argument moves per image (0: not per image). */
  readonly imageStrides: readonly number[];
  /** Bytes each argument moves per chunk (dW's per-chunk sums; 0 elsewhere). */
  readonly chunkStrides: readonly number[];
}

export interface ConvHelper {
  /**
   * Runs the job's chunks on this thread (with `kernels`, this thread's instance) and the
   * helper. Blocks until all are done. If the helper fails a chunk, `redo(chunk)` must clear what
   * it may have half written; this thread then runs the chunk, and the helper is stopped.
   */
  run(kernels: Record<HelperOp, (...args: number[]) => void>, job: ChunkedJob, redo: (chunk: number) => void): void;
  /** Why the helper stopped (null while it runs). */
  readonly stopped: string | null;
  /** Ends the thread. */
  dispose(): void;
}

/** The chunks a job of `images` images is cut into. */
export const chunkCount = (images: number): number => Math.max(1, Math.min(MAX_CHUNKS, images));

/**
 * Takes chunks of the job numbered `seq` (low 16 bits) from the ticket and runs them until none
 * are left or another job is up; with `only`, runs that chunk alone, ticket untouched.
 * Self-contained (it runs as source text in the helper too): the slot numbers are literals,
 * matching the constants above. Returns the chunk that threw, or -1.
 */
function takeChunks(c: Int32Array, kernels: Record<string, (...args: number[]) => void>, seq: number, only = -1): number {
  // The ticket first: the caller writes a job's fields before its ticket and closes the ticket
  // (0) before writing the next job's, so fields read after seeing this job's number are this
  // job's wherever a compare-and-swap on that number then succeeds.
  const tag = (seq & 0xffff) << 16;
  if (only < 0 && (Atomics.load(c, 1) & 0xffff0000) !== tag) return -1;
  const ops = ['conv_fwd', 'conv_dw', 'conv_dx'];
  const op = ops[Atomics.load(c, 4)];
  const nargs = Atomics.load(c, 5), countArg = Atomics.load(c, 6), images = Atomics.load(c, 7), chunks = Atomics.load(c, 8);
  const base: number[] = [], perImage: number[] = [], perChunk: number[] = [];
  for (let i = 0; i < nargs; i++) {
    base.push(Atomics.load(c, 9 + i));
    perImage.push(Atomics.load(c, 29 + i));
    perChunk.push(Atomics.load(c, 49 + i));
  }
  const runChunk = (chunk: number): boolean => {
    const first = Math.floor((chunk * images) / chunks), last = Math.floor(((chunk + 1) * images) / chunks);
    const args = base.map((b, i) => b + first * perImage[i] + chunk * perChunk[i]);
    args[countArg] = last - first;
    try {
      kernels[op](...args);
      return true;
    } catch {
      return false;
    }
  };
  if (only >= 0) return runChunk(only) ? -1 : only;
  for (;;) {
    const ticket = Atomics.load(c, 1);
    if ((ticket & 0xffff0000) !== tag) return -1;
    const chunk = ticket & 0xffff;
    if (chunk >= chunks) return -1;
    if (Atomics.compareExchange(c, 1, ticket, ticket + 1) !== ticket) continue;
    if (!runChunk(chunk)) return chunk;
    Atomics.add(c, 2, 1);
    Atomics.notify(c, 2);
  }
}

/**
 * The helper thread's whole program: waits for the module's bytes, the memory and the control
 * block, instantiates the module, says 'ready', then takes chunks of each job until STOP.
 * Self-contained: it may use nothing from this file's scope but `take` (takeChunks).
 */
function helperMain(take: typeof takeChunks, listen: (handler: (data: unknown) => void) => void, reply: (message: unknown) => void): void {
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
    const c = new Int32Array(control);
    let seen = 0;
    for (;;) {
      let job = Atomics.load(c, 0);
      const idleSince = performance.now();
      for (let spin = 0; job === seen; spin++) {
        if ((spin & 255) === 255 && performance.now() - idleSince > 0.5) Atomics.wait(c, 0, seen);
        job = Atomics.load(c, 0);
      }
      seen = job;
      if (Atomics.load(c, 4) === 99) return;
      const failed = take(c, kernels, job);
      if (failed >= 0) {
        Atomics.store(c, 3, failed + 1);
        Atomics.notify(c, 2);
        return;
      }
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
  const program = `(${helperMain.toString()})(${takeChunks.toString()}`;
  if (isNode()) {
    const name = 'node:worker_threads';
    const { Worker } = (await import(/* @vite-ignore */ name)) as typeof NodeWorkers;
    const w = new Worker(`const { parentPort } = require('node:worker_threads');
${program}, (f) => parentPort.once('message', f), (m) => parentPort.postMessage(m));`, { eval: true });
    w.unref();
    return { postMessage: (m) => w.postMessage(m), onMessage: (f) => w.once('message', f), terminate: () => void w.terminate() };
  }
  const source = `${program}, (f) => { self.onmessage = (e) => f(e.data); }, (m) => self.postMessage(m));`;
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
  const c = new Int32Array(new SharedArrayBuffer(4 * SLOTS));
  const started = await new Promise<string | null>((resolve) => {
    const timer = setTimeout(() => resolve('the helper thread did not start within 10 s'), 10_000);
    thread.onMessage((data) => {
      clearTimeout(timer);
      const d = data as { ready?: boolean; error?: string };
      resolve(d.ready ? null : `the helper thread could not load the kernels: ${d.error ?? 'no reason given'}`);
    });
    thread.postMessage({ bytes, memory, control: c.buffer });
  });
  if (started !== null) {
    thread.terminate();
    return started;
  }
  let job = 0;
  let stopped: string | null = null;
  const stop = (why: string): void => {
    if (stopped !== null) return;
    stopped = why;
    Atomics.store(c, OP, STOP);
    Atomics.store(c, JOB, ++job);
    Atomics.notify(c, JOB);
    thread.terminate();
  };
  return {
    get stopped() {
      return stopped;
    },
    run(kernels, j, redo) {
      const chunks = chunkCount(j.images);
      if (j.args.length > MAX_ARGS) throw new Error(`${j.op}: ${j.args.length} arguments, at most ${MAX_ARGS}`);
      const own = kernels as unknown as Record<string, (...args: number[]) => void>;
      job++;
      if ((job & 0xffff) === 0) job++; // a ticket's job number is never 0 (a closed ticket's)
      Atomics.store(c, TICKET, 0);
      Atomics.store(c, OP, HELPER_OPS.indexOf(j.op));
      Atomics.store(c, NARGS, j.args.length);
      Atomics.store(c, NARG, j.countArg);
      Atomics.store(c, N, j.images);
      Atomics.store(c, CHUNKS, chunks);
      j.args.forEach((a, i) => {
        Atomics.store(c, ARGS + i, a);
        Atomics.store(c, IMAGE_STRIDES + i, j.imageStrides[i] ?? 0);
        Atomics.store(c, CHUNK_STRIDES + i, j.chunkStrides[i] ?? 0);
      });
      Atomics.store(c, DONE, 0);
      Atomics.store(c, TICKET, (job & 0xffff) << 16);
      // A stopped helper leaves every chunk to this thread: the same chunks, the same bits.
      if (stopped === null) {
        Atomics.store(c, JOB, job);
        Atomics.notify(c, JOB);
      }
      const mine = takeChunks(c, own, job);
      if (mine >= 0) throw new Error(`${j.op} failed on this thread (chunk ${mine})`);
      let done = Atomics.load(c, DONE);
      for (let spin = 0; done < chunks && spin < 20_000 && Atomics.load(c, FAIL) === 0; spin++) done = Atomics.load(c, DONE);
      while (done < chunks) {
        const failed = Atomics.load(c, FAIL) - 1;
        if (failed >= 0) {
          // The helper threw on that chunk and stopped: redo it here (before stop() clears the
          // job's op), then go on on one thread.
          Atomics.store(c, FAIL, 0);
          redo(failed);
          const again = takeChunks(c, own, job, failed);
          stop(`the conv helper thread failed a job (${j.op}, chunk ${failed})`);
          if (again >= 0) throw new Error(`${j.op} failed on this thread too (chunk ${failed})`);
          return;
        }
        if (Atomics.wait(c, DONE, done, JOB_TIMEOUT_MS) === 'timed-out' && Atomics.load(c, DONE) === done) {
          stop(`the conv helper thread did not finish a chunk within ${JOB_TIMEOUT_MS / 1000} s`);
          throw new Error(stopped!);
        }
        done = Atomics.load(c, DONE);
      }
    },
    dispose: () => stop('disposed'),
  };
}
