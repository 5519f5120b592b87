// Suite 'train_paths': the training step on wasm with and without our module's paths beyond the
// convolutions (simdConvSettings: matMul, products on our conv kernels; reluGrad, Relu's gradient in
// one kernel; optimizer, the update and the gradient norms on the heap), in alternating blocks of
// steps of one trainer (src/model/train.ts trainModel), so the drift of a shared machine falls on
// both sides alike: runs of train_models minutes apart differ by more than these paths' gain here.
// The first step of each block follows a switch and is not timed; two blocks of each warm up.
// Frames are synthetic (src/model/testKit.ts): the arithmetic does not depend on the pixels.
// Params: models=cnn_plain,cnn_lstm (cnn_plain: the ConvNetJS comparison's network and training,
// bench/lib/convnet.ts; cnn_lstm: DEFAULT_CONFIG), paths=matMul,reluGrad,optimizer.
import { createArrayBatchSource } from '../../../src/model/batchSource.ts';
import { createConfig, type ModelConfig } from '../../../src/model/config.ts';
import { createSteeringNet } from '../../../src/model/factory.ts';
import { initBackend } from '../../../src/model/tfSetup.ts';
import { syntheticSequence } from '../../../src/model/testKit.ts';
import { trainModel } from '../../../src/model/train.ts';
import { TrainingControl } from '../../../src/model/trainProtocol.ts';
import { simdConvSettings } from '../../../src/model/wasmKernels/simdConv.ts';
import { comparableCnnConfig } from '../../lib/convnet.ts';
import { figure, listParam, median, type Figure, type SuiteOptions, type SuiteResult } from '../../lib/stats.ts';
import { progress } from '../progress.ts';

type Path = 'matMul' | 'reluGrad' | 'optimizer';
const PATHS: readonly Path[] = ['matMul', 'reluGrad', 'optimizer'];
const BLOCK = 5;
const LONG = { training: { epochs: 1000, earlyStopping: { patience: 0 } } };

/** Wall ms of each timed step with the paths off and on. */
async function alternate(config: ModelConfig, frame: { width: number; height: number }, paths: readonly Path[], steps: number): Promise<{ off: number[]; on: number[] }> {
  const seq = syntheticSequence({ count: 256, width: frame.width, height: frame.height });
  const T = config.sequence.kind === 'cnn' ? 1 : config.sequence.window;
  const source = createArrayBatchSource({
    sequences: [{ ...seq, speeds: seq.targets.filter((_, i) => i % 3 === 1) }], frameWidth: frame.width, frameHeight: frame.height,
    window: T, runLength: T === 1 ? 1 : config.sequence.runLength, batchSize: config.training.batchSize, shuffleSeed: config.seed,
  });
  const set = (on: boolean): void => { for (const p of paths) simdConvSettings[p] = on; };
  const times = { off: [] as number[], on: [] as number[] };
  const net = createSteeringNet(config);
  const control = new TrainingControl();
  let ready = performance.now();
  let n = 0;
  set(false);
  try {
    await trainModel({
      net, train: source, control,
      yieldToEventLoop: async () => { await new Promise((r) => setTimeout(r, 0)); ready = performance.now(); },
      onProgress: (e) => {
        if (e.kind !== 'step') return;
        const ms = performance.now() - ready;
        const block = Math.floor(n / BLOCK);
        if (block >= 4 && n % BLOCK !== 0) times[block % 2 === 1 ? 'on' : 'off'].push(ms);
        n++;
        set(Math.floor(n / BLOCK) % 2 === 1);
        if (n >= steps + 4 * BLOCK) control.cancel();
      },
    });
  } finally {
    set(true);
    net.dispose();
  }
  return times;
}

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  const models = listParam(options, 'models') ?? ['cnn_plain'];
  const paths = (listParam(options, 'paths') ?? PATHS).filter((p): p is Path => (PATHS as readonly string[]).includes(p));
  const figures: Record<string, Figure> = {};
  const ratios: Record<string, number> = {};
  const notes: string[] = [];
  const info = await initBackend('wasm');
  if (info.simdConv !== null) {
    notes.push(`our SIMD module does not run (${info.simdConv}): no paths to compare`);
    return { figures, ratios, notes };
  }
  for (const m of models) {
    const plain = m === 'cnn_plain';
    const config = plain ? comparableCnnConfig(LONG) : createConfig(LONG);
    const frame = plain ? { width: config.input.width, height: config.input.height } : { width: 200, height: 66 };
    const steps = options.quick ? 2 * BLOCK : plain ? 300 : 120;
    progress(`train_paths: ${m}, ${paths.join('+')} off and on in blocks of ${BLOCK} steps ...`);
    const t = await alternate(config, frame, paths, steps);
    figures[`paths_step_ms.wasm.${m}.off`] = figure(t.off, 'ms');
    figures[`paths_step_ms.wasm.${m}.on`] = figure(t.on, 'ms');
    ratios[`paths_speedup.wasm.${m}`] = median(t.off) / median(t.on);
    progress(`train_paths: ${m}: ${median(t.off).toFixed(2)} -> ${median(t.on).toFixed(2)} ms a step (x${(median(t.off) / median(t.on)).toFixed(3)})`);
  }
  notes.push(`paths ${paths.join(', ')} (simdConvSettings) off, then on, in alternating blocks of ${BLOCK} steps of one trainer; the first step of a block and 2 blocks of each at the start untimed; our module's ${info.simdConvFma ? 'relaxed-SIMD' : 'plain'} build; synthetic frames`);
  return { figures, ratios, notes };
}
