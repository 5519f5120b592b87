// Suite 'train_paths': the training step on wasm with and without our module's paths beyond the
// convolutions (simdConvSettings: matMul, A B^T on our dx kernel; reluGrad, Relu's gradient in one
// kernel; optimizer, the update and the gradient norms on the heap), in alternating blocks of
// steps of one trainer (bench/lib/pathTiming.ts): runs of train_models minutes apart differ by
// more than these paths' gain on this shared machine.
// Params: models=cnn_plain,cnn_lstm (cnn_plain: the ConvNetJS comparison's network and training;
// cnn_lstm: DEFAULT_CONFIG), paths=matMul,reluGrad,optimizer.
import { initBackend } from '../../../src/model/tfSetup.ts';
import { alternatePaths, MODULE_PATHS, PATH_BLOCK, type ModulePath } from '../../lib/pathTiming.ts';
import { figure, listParam, median, type Figure, type SuiteOptions, type SuiteResult } from '../../lib/stats.ts';
import { progress } from '../progress.ts';

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  const models = (listParam(options, 'models') ?? ['cnn_plain']).filter((m): m is 'cnn_plain' | 'cnn_lstm' => m === 'cnn_plain' || m === 'cnn_lstm');
  const paths = (listParam(options, 'paths') ?? MODULE_PATHS).filter((p): p is ModulePath => (MODULE_PATHS as readonly string[]).includes(p));
  const figures: Record<string, Figure> = {};
  const ratios: Record<string, number> = {};
  const notes: string[] = [];
  const info = await initBackend('wasm');
  if (info.simdConv !== null) {
    notes.push(`our SIMD module does not run (${info.simdConv}): no paths to compare`);
    return { figures, ratios, notes };
  }
  for (const m of models) {
    const steps = options.quick ? 2 * PATH_BLOCK : m === 'cnn_plain' ? 300 : 120;
    progress(`train_paths: ${m}, ${paths.join('+')} off and on in blocks of ${PATH_BLOCK} steps ...`);
    const t = await alternatePaths(m, paths, steps);
    figures[`paths_step_ms.wasm.${m}.off`] = figure(t.off, 'ms');
    figures[`paths_step_ms.wasm.${m}.on`] = figure(t.on, 'ms');
    ratios[`paths_speedup.wasm.${m}`] = median(t.off) / median(t.on);
    progress(`train_paths: ${m}: ${median(t.off).toFixed(2)} -> ${median(t.on).toFixed(2)} ms a step (x${(median(t.off) / median(t.on)).toFixed(3)})`);
  }
  notes.push(`paths ${paths.join(', ')} (simdConvSettings) off, then on, in alternating blocks of ${PATH_BLOCK} steps of one trainer; the first step of a block and 2 blocks of each at the start untimed; our module's ${info.simdConvFma ? 'relaxed-SIMD' : 'plain'} build; synthetic frames`);
  return { figures, ratios, notes };
}
