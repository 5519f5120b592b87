// Suite 'kernels': the wasm training kernels checked against the cpu backend in this browser
// (the same parity cases as the Node tests). Figures are relative errors, not speeds;
// e2e/wasmKernels.spec.ts asserts they stay under 1e-4.
import { compareBackends } from '../../../src/model/wasmKernels/parity.ts';
import { convGradientCases, opGradientCases, trainingStepCases } from '../../../src/model/wasmKernels/parityCases.ts';
import type { Figure, SuiteOptions, SuiteResult } from '../../lib/stats.ts';
import { progress } from '../progress.ts';

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  const cases = options.quick
    ? [...convGradientCases().filter((_, i) => i % 6 === 0), ...trainingStepCases().slice(0, 1)]
    : [...convGradientCases(), ...opGradientCases(), ...trainingStepCases()];
  progress(`kernels: ${cases.length} parity cases, cpu then wasm`);
  const results = await compareBackends(cases);
  const figures: Record<string, Figure> = {};
  let worst = 0;
  for (const r of results) {
    figures[`grad_rel_error.wasm.${r.name}`] = { median: r.relError, min: r.relError, max: r.relError, unit: 'relative', runs: 1 };
    worst = Math.max(worst, r.relError);
  }
  return {
    figures,
    ratios: { 'grad_rel_error_max.wasm': worst },
    notes: [`${results.length} cases; relative error = max|wasm - cpu| / max|cpu| per output, worst output per case`],
  };
}
