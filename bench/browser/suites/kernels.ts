// Suite 'kernels': the wasm training kernels checked against the cpu backend in this browser
// (the same parity cases as the Node tests), on this page's one-thread wasm backend and then in
// a worker whose wasm runs the threaded binary (where the page is cross-origin isolated): there
// our conv kernels split every call with their helper thread (grad_rel_error.wasm_threads.*).
// Figures are relative errors, not speeds; e2e/wasmKernels.spec.ts asserts they stay under 1e-4.
import { initBackend } from '../../../src/model/tfSetup.ts';
import { compareBackends } from '../../../src/model/wasmKernels/parity.ts';
import { parityCases } from '../../../src/model/wasmKernels/parityCases.ts';
import type { Figure, SuiteOptions, SuiteResult } from '../../lib/stats.ts';
import { progress } from '../progress.ts';
import { startWorker } from '../trainWorkerPair.ts';

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  const cases = parityCases(options.quick);
  progress(`kernels: ${cases.length} parity cases, cpu then wasm`);
  const results = await compareBackends(cases);
  const figures: Record<string, Figure> = {};
  let worst = 0;
  for (const r of results) {
    figures[`grad_rel_error.wasm.${r.name}`] = { median: r.relError, min: r.relError, max: r.relError, unit: 'relative', runs: 1 };
    worst = Math.max(worst, r.relError);
  }
  const notes = [`${results.length} cases; relative error = max|wasm - cpu| / max|cpu| per output, worst output per case`];
  // The backend the cases ran on (started already: this returns its info).
  const page = await initBackend('wasm');
  notes.push(`page: our SIMD conv kernels ${page.simdConv === null ? `run, ${buildName(page.simdConvFma)}` : `do not run (${page.simdConv})`}`);
  const ratios: Record<string, number> = { 'grad_rel_error_max.wasm': worst };
  if (crossOriginIsolated) {
    progress('kernels: the same cases in a worker on the threaded wasm binary');
    const w = startWorker('kernels-threads');
    try {
      await w.api.init('wasm', 2);
      const threaded = await w.api.parity(options.quick);
      let worstThreaded = 0;
      for (const r of threaded.results) {
        figures[`grad_rel_error.wasm_threads.${r.name}`] = { median: r.relError, min: r.relError, max: r.relError, unit: 'relative', runs: 1 };
        worstThreaded = Math.max(worstThreaded, r.relError);
      }
      ratios['grad_rel_error_max.wasm_threads'] = worstThreaded;
      notes.push(`threaded worker: our SIMD conv kernels on ${threaded.simdConvThreads} thread(s), ${buildName(threaded.simdConvFma)}`);
    } finally {
      w.worker.terminate();
    }
  } else {
    notes.push('this page is not cross-origin isolated: no threaded run');
  }
  return { figures, ratios, notes };
}

/** Which build of our conv kernels runs (simdConv.ts tries the relaxed-SIMD one first). */
function buildName(fma: boolean | undefined): string {
  return fma ? 'relaxed-SIMD build' : 'plain build';
}
