// Suite 'train': training throughput (examples/s at batch 32, Adam, MSE) and single-frame
// inference latency of the paper's PilotNet at several input sizes (bench/lib/pilotNet.ts) on
// every backend this browser has: the sweep behind the default input size. Ratios compare
// each backend with cpu, measured in the same page. The project's own models are measured by
// 'train_models'. Params: backends=cpu,wasm,... variants=pilotnet,pilotnet_48x128,...
import { initBackend, tf, type BackendName } from '../../../src/model/tfSetup.ts';
import { pilotNet, pilotNetVariants, PILOTNET_VARIANTS, type PilotNetVariant } from '../../lib/pilotNet.ts';
import { figure, listParam, reciprocal, sample, type Figure, type SamplingBudget, type SuiteOptions, type SuiteResult } from '../../lib/stats.ts';
import { progress } from '../progress.ts';

const BATCH = 32;

/** Per-backend budgets: software WebGPU takes tens of seconds per step here, so it gets few runs. */
function budgets(backend: BackendName, quick: boolean): { train: SamplingBudget; infer: SamplingBudget } {
  if (quick) {
    return {
      train: { warmup: 1, minRuns: 1, maxRuns: 2, budgetMs: 500, hardLimitMs: 10_000 },
      infer: { warmup: 1, minRuns: 3, maxRuns: 10, budgetMs: 300, hardLimitMs: 5_000 },
    };
  }
  // cpu is the reference every ratio divides by, so it gets time for 3 runs even at ~60 s a step.
  const slowTrain = { warmup: 1, minRuns: 3, maxRuns: 5, budgetMs: 30_000, hardLimitMs: backend === 'cpu' ? 300_000 : 120_000 };
  return {
    train: backend === 'wasm' ? { warmup: 2, minRuns: 5, maxRuns: 20, budgetMs: 10_000, hardLimitMs: 60_000 } : slowTrain,
    infer: { warmup: 3, minRuns: 10, maxRuns: 50, budgetMs: 3_000, hardLimitMs: 30_000 },
  };
}

interface Measured {
  readonly stepMs: Figure;
  readonly inferMs: Figure;
}

async function measure(backend: BackendName, v: PilotNetVariant, quick: boolean): Promise<Measured> {
  const model = pilotNet(v);
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomUniform([BATCH, v.height, v.width, 3]);
  const y = tf.randomNormal([BATCH, 3]);
  const frame = tf.randomUniform([1, v.height, v.width, 3]);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { train, infer } = budgets(backend, quick);
  try {
    const stepSamples = await sample(async () => {
      const loss = optimizer.minimize(() => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true, vars);
      await loss!.data(); // waits for GPU backends to finish the step
      loss!.dispose();
    }, train);
    const inferSamples = await sample(async () => {
      const out = model.predict(frame) as tf.Tensor;
      await out.data();
      out.dispose();
    }, infer);
    return { stepMs: figure(stepSamples, 'ms'), inferMs: figure(inferSamples, 'ms') };
  } finally {
    tf.dispose([x, y, frame]);
    optimizer.dispose();
    model.dispose();
  }
}

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  const backends = (listParam(options, 'backends') ?? (options.quick ? ['cpu', 'wasm'] : ['cpu', 'wasm', 'webgl', 'webgpu'])) as BackendName[];
  const wanted = listParam(options, 'variants') ?? (options.quick ? ['pilotnet_32x64_w0.5'] : undefined);
  const variants = wanted ? pilotNetVariants(wanted) : PILOTNET_VARIANTS;
  const figures: Record<string, Figure> = {};
  const ratios: Record<string, number> = {};
  const notes: string[] = [`batch ${BATCH}, Adam, MSE on random data; inference is predict() on one frame`];
  for (const backend of backends) {
    try {
      await initBackend(backend);
    } catch (e) {
      notes.push(`${backend}: skipped (${(e as Error).message})`);
      continue;
    }
    for (const v of variants) {
      progress(`train: ${backend} ${v.name} ...`);
      try {
        const m = await measure(backend, v, options.quick);
        figures[`train_step_ms.${backend}.${v.name}`] = m.stepMs;
        figures[`train_examples_per_s.${backend}.${v.name}`] = reciprocal(m.stepMs, BATCH * 1000, 'examples/s');
        figures[`infer_ms.${backend}.${v.name}`] = m.inferMs;
        progress(`train: ${backend} ${v.name}: step ${m.stepMs.median.toFixed(0)} ms (${m.stepMs.runs} runs), infer ${m.inferMs.median.toFixed(1)} ms`);
      } catch (e) {
        notes.push(`${backend} ${v.name}: failed (${(e as Error).message})`);
      }
    }
  }
  for (const v of variants) {
    const cpuTrain = figures[`train_examples_per_s.cpu.${v.name}`];
    const cpuInfer = figures[`infer_ms.cpu.${v.name}`];
    for (const backend of backends.filter((b) => b !== 'cpu')) {
      const t = figures[`train_examples_per_s.${backend}.${v.name}`];
      const i = figures[`infer_ms.${backend}.${v.name}`];
      if (cpuTrain && t) ratios[`train_vs_cpu.${backend}.${v.name}`] = t.median / cpuTrain.median;
      if (cpuInfer && i) ratios[`infer_speedup_vs_cpu.${backend}.${v.name}`] = cpuInfer.median / i.median;
    }
  }
  return { figures, ratios, notes };
}
