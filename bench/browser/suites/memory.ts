// Suite 'memory': does anything grow that should not?
// 1. The steering worker (the real one, src/app/steeringClient.ts): tfjs tensors (its memory()
//    API) and its JS heap before and after 10,000 predictions on the default CNN+LSTM (wasm).
//    Chromium has no performance.memory in workers, so the heap is read through the DevTools
//    protocol by bench/run.mjs (window.__benchHeap, after a forced GC).
// 2. The app's main thread: performance.memory.usedJSHeapSize (after gc(), which bench/run.mjs
//    exposes) before and after auto-recording 10 simulated minutes of dash frames through the
//    e2e/bench test hook (window.__deepsteer.autoRecord, src/app/testHook.ts), with the app in
//    an iframe of this page (same origin, same JS heap).
// No growth is expected: growth figures near 0, after/before ratios near 1.
import { startSteeringWorker, transferBytes } from '../../../src/app/steeringClient.ts';
import type { TestHook } from '../../../src/app/testHook.ts';
import { DEFAULT_CONFIG } from '../../../src/model/index.ts';
import { figure, median, type Figure, type SuiteOptions, type SuiteResult } from '../../lib/stats.ts';
import { BENCH_SPEED, dashFrames, expertDrive } from '../drive.ts';
import { modelZip } from '../modelZip.ts';
import { progress } from '../progress.ts';

declare global {
  interface Window {
    /** From bench/run.mjs: JS heap of the page or of a named dedicated worker, after a GC; null if not found. */
    __benchHeap?: (target: string) => Promise<{ usedBytes: number; totalBytes: number } | null>;
  }
}

const MB = 2 ** 20;
const FRAME = { width: 200, height: 66 };

/** Three readings (each after a GC), as a figure in MB; null when the probe is missing. */
async function heapFigure(read: () => Promise<number | null>): Promise<Figure | null> {
  const xs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const v = await read();
    if (v === null) return null;
    xs.push(v / MB);
  }
  return figure(xs, 'MB');
}

const one = (v: number, unit: string): Figure => ({ median: v, min: v, max: v, unit, runs: 1 });

/** The main thread's heap after a full GC (performance.memory is Chromium's, bucketed without --enable-precise-memory-info). */
async function mainHeap(): Promise<number | null> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const mem = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
  if (!gc || !mem) return null;
  gc();
  await new Promise((r) => setTimeout(r, 50));
  gc();
  return mem.usedJSHeapSize;
}

async function waitFor<T>(what: string, get: () => T | undefined | null, ms: number): Promise<T> {
  const end = performance.now() + ms;
  for (;;) {
    const v = get();
    if (v) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  const { quick } = options;
  const predictions = Number(options.params.predictions ?? (quick ? 100 : 10_000));
  const minutes = Number(options.params.minutes ?? (quick ? 0.1 : 10));
  const figures: Record<string, Figure> = {};
  const ratios: Record<string, number> = {};
  const notes: string[] = [];
  const tag = predictions === 10_000 ? '10k' : String(predictions);

  // 1. The worker.
  const drive = expertDrive('oval', 40, 60);
  const frames = await dashFrames('oval', drive.poses, FRAME.width, FRAME.height);
  const fb = FRAME.width * FRAME.height * 3;
  const frameAt = (i: number): Uint8Array => frames.slice((i % 40) * fb, ((i % 40) + 1) * fb);
  const { zip } = await modelZip(DEFAULT_CONFIG, drive.targets);
  const worker = startSteeringWorker();
  try {
    const api = worker.api;
    await api.init({ backend: 'wasm' });
    const meta = await api.importModel(transferBytes(zip));
    await api.loadModel(meta.id, FRAME);
    const warmup = quick ? 20 : 200;
    for (let i = 0; i < warmup; i++) await api.predict(transferBytes(frameAt(i)), BENCH_SPEED);
    const workerHeap = async (): Promise<number | null> => (await window.__benchHeap?.('worker:steering'))?.usedBytes ?? null;
    const tensorsBefore = await api.memory();
    const heapBefore = await heapFigure(workerHeap);
    const t0 = performance.now();
    const lap: number[] = [];
    for (let i = 0; i < predictions; i++) {
      const t = performance.now();
      await api.predict(transferBytes(frameAt(i)), BENCH_SPEED);
      lap.push(performance.now() - t);
      if ((i + 1) % 2000 === 0) progress(`memory: ${i + 1}/${predictions} predictions, ${median(lap.slice(-2000)).toFixed(2)} ms each`);
    }
    const wallS = (performance.now() - t0) / 1000;
    const tensorsAfter = await api.memory();
    const heapAfter = await heapFigure(workerHeap);
    figures['worker_tensors.wasm.before'] = one(tensorsBefore.tensors, 'tensors');
    figures[`worker_tensors.wasm.after_${tag}_predictions`] = one(tensorsAfter.tensors, 'tensors');
    figures[`worker_tensor_growth.wasm.${tag}_predictions`] = one(tensorsAfter.tensors - tensorsBefore.tensors, 'tensors');
    figures[`worker_tensor_bytes_growth.wasm.${tag}_predictions`] = one(tensorsAfter.bytes - tensorsBefore.bytes, 'bytes');
    figures[`predict_ms.wasm.worker_${tag}_run`] = figure(lap, 'ms');
    if (heapBefore && heapAfter) {
      figures['worker_heap_mb.wasm.before'] = heapBefore;
      figures[`worker_heap_mb.wasm.after_${tag}_predictions`] = heapAfter;
      figures[`worker_heap_growth_mb.wasm.${tag}_predictions`] = one(heapAfter.median - heapBefore.median, 'MB');
      ratios[`worker_heap_after_vs_before.wasm.${tag}_predictions`] = heapAfter.median / heapBefore.median;
    } else {
      notes.push('worker heap: not measured (window.__benchHeap is set by bench/run.mjs; open the page through it)');
    }
    notes.push(`worker: default CNN+LSTM on wasm, ${predictions} predictions of 200x66 frames in ${wallS.toFixed(0)} s after ${warmup} warm-up ones; tensors from the worker's memory() (tf.memory()), heap = V8's used heap of the worker after a forced GC (DevTools protocol), 3 readings`);
    progress(`memory: worker tensors ${tensorsBefore.tensors} -> ${tensorsAfter.tensors}, heap ${heapBefore?.median.toFixed(2) ?? '?'} -> ${heapAfter?.median.toFixed(2) ?? '?'} MB`);
    await api.unloadModel();
  } finally {
    worker.terminate();
  }

  // 2. The app's main thread while it records.
  const frame = document.createElement('iframe');
  frame.style.width = '960px';
  frame.style.height = '540px';
  frame.src = new URL('../index.html?track=oval', location.href).href;
  document.body.appendChild(frame);
  try {
    const hook: TestHook = await waitFor('the app and its test hook (build with --mode bench)', () => frame.contentWindow?.__deepsteer, 60_000);
    await new Promise((r) => setTimeout(r, quick ? 300 : 2_000)); // the first frames, the library's first read
    const before = await heapFigure(mainHeap);
    progress(`memory: auto-recording ${minutes} simulated minutes in the app`);
    const rec = await hook.autoRecord({ minutes, trackIds: ['oval'], themes: ['day'], seed: 1 });
    const recorded = rec.clips.reduce((n, c) => n + c.frameCount, 0);
    await new Promise((r) => setTimeout(r, quick ? 300 : 2_000)); // the library refresh after recording
    const after = await heapFigure(mainHeap);
    const mtag = minutes === 10 ? '10min' : `${minutes}min`;
    figures[`record_frames_per_s.autorecord_${mtag}`] = one((recorded * 1000) / rec.ms, 'frames/s');
    if (before && after) {
      figures['main_heap_mb.before_record'] = before;
      figures[`main_heap_mb.after_record_${mtag}`] = after;
      figures[`main_heap_growth_mb.record_${mtag}`] = one(after.median - before.median, 'MB');
      ratios[`main_heap_after_vs_before.record_${mtag}`] = after.median / before.median;
    } else {
      notes.push('main heap: not measured (needs gc() and performance.memory: Chromium started by bench/run.mjs)');
    }
    notes.push(`main thread: the app (dist build, --mode bench) in an iframe; autoRecord of ${minutes} min on the oval, day, centre camera 200x66 at 20 Hz: ${recorded} frames in ${(rec.ms / 1000).toFixed(0)} s into IndexedDB; heap = performance.memory.usedJSHeapSize after gc(), 3 readings`);
    progress(`memory: main heap ${before?.median.toFixed(2) ?? '?'} -> ${after?.median.toFixed(2) ?? '?'} MB over ${recorded} recorded frames`);
  } finally {
    frame.remove();
  }
  return { figures, ratios, notes };
}
