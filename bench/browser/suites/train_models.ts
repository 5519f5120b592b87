// Suite 'train_models': training speed of the project's own models through its own training
// loop (src/model/factory.ts createSteeringNet + src/model/train.ts trainModel over
// src/model/batchSource.ts createArrayBatchSource), per backend, and the DeepTesla engine
// (ConvNetJS) training the same single-frame CNN on the same frames, side by side.
//
// Models (figure suffix):
//   cnn_lstm      DEFAULT_CONFIG as the app trains it: CNN+LSTM, Adam, augmentation, balancing,
//                 clipping, 200x66 dash frames resized to the input size inside the step,
//                 batches of whole runs;
//   cnn           the single-frame CNN baseline, otherwise DEFAULT_CONFIG (kind 'cnn');
//   cnn_plain     that CNN trained the way ConvNetJS can (bench/lib/convnet.ts
//                 comparableCnnConfig: SGD + momentum, equal head weights, no clipping, no
//                 augmentation, no balancing) on frames rendered at the input size: the network
//                 and the work ConvNetJS gets. Its steps alternate with ConvNetJS batches of the
//                 same size, so train_vs_convnetjs.<backend>.cnn compares figures measured side
//                 by side;
//   cnn_plain_w1  the same at width multiplier 1 (the paper's PilotNet conv widths 24-36-48-64-64),
//                 against its own ConvNetJS twin: train_vs_convnetjs.<backend>.cnn_w1.
// Before timing, the suite copies our weights into each ConvNetJS net and checks both give the
// same outputs (and, in a full run, the same weights after one SGD step on the same batch).
// Frames are real: the expert on the oval through the real renderer.
// Params: backends=cpu,wasm,webgl,webgpu models=cnn_lstm,cnn,cnn_plain,cnn_plain_w1.
import { createArrayBatchSource, type BatchSource } from '../../../src/model/batchSource.ts';
import { createConfig, type ModelConfig } from '../../../src/model/config.ts';
import { createSteeringNet } from '../../../src/model/factory.ts';
import { computeTargetNormalization, framesToTensor } from '../../../src/model/preprocess.ts';
import { initBackend, tf, type BackendName } from '../../../src/model/tfSetup.ts';
import { trainModel } from '../../../src/model/train.ts';
import {
  comparableCnnConfig, convnetBatchMs, convnetParamCount, convnetTrainer, copyWeights, createConvnet, frameToVol, normalizedTargets, type PackedFrames,
} from '../../lib/convnet.ts';
import { figure, listParam, median, type Figure, type SamplingBudget, type SuiteOptions, type SuiteResult } from '../../lib/stats.ts';
import { timeTraining } from '../../lib/trainTiming.ts';
import { gmacPerSecond, matMulRates, PEAK_GMAC_PER_S, trainingMacs } from '../../lib/trainingMacs.ts';
import { dashFrames, expertDrive } from '../drive.ts';
import { progress } from '../progress.ts';

const ALL_BACKENDS: BackendName[] = ['cpu', 'wasm', 'webgl', 'webgpu'];
const MODELS = ['cnn_lstm', 'cnn', 'cnn_plain', 'cnn_plain_w1'] as const;
/** The models ConvNetJS trains too, and the suffix of their train_vs_convnetjs ratios. */
const PLAIN: Partial<Record<ModelName, string>> = { cnn_plain: 'cnn', cnn_plain_w1: 'cnn_w1' };
type ModelName = (typeof MODELS)[number];
const DASH = { width: 200, height: 66 };
/** Long enough that no run ends before its budget; the bench cancels it. */
const BENCH_TRAINING = { epochs: 1000, earlyStopping: { patience: 0 } };

function budget(backend: BackendName, quick: boolean): SamplingBudget {
  if (quick) return { warmup: 1, minRuns: 2, maxRuns: 3, budgetMs: 1_000, hardLimitMs: 20_000 };
  if (backend === 'wasm') return { warmup: 2, minRuns: 6, maxRuns: 20, budgetMs: 10_000, hardLimitMs: 120_000 };
  // cpu is the reference of the vs-cpu ratios: time for 3 steps even at ~20 s a step.
  return { warmup: 1, minRuns: 3, maxRuns: 5, budgetMs: 30_000, hardLimitMs: backend === 'cpu' ? 300_000 : 180_000 };
}

/** ConvNetJS batches interleaved with one backend's cnn_plain steps. */
const convnetBatches = (backend: BackendName, quick: boolean): number => (quick ? 1 : backend === 'wasm' ? 6 : 3);

function source(config: ModelConfig, f: PackedFrames): BatchSource {
  const { window, runLength } = config.sequence;
  const T = config.sequence.kind === 'cnn' ? 1 : window;
  // The measured speed each frame was recorded at, for the models that read it (the default).
  const speeds = f.targets.filter((_, i) => i % 3 === 1);
  return createArrayBatchSource({
    sequences: [{ frames: f.frames, targets: f.targets, speeds }], frameWidth: f.width, frameHeight: f.height,
    window: T, runLength: T === 1 ? 1 : runLength, batchSize: config.training.batchSize, shuffleSeed: config.seed,
  });
}

/**
 * Our net and a ConvNetJS net from the same weights: largest output difference on a frame, and
 * (withStep) the same after one SGD step of each on the same first batch, with how far the
 * outputs moved in that step (the difference is only meaningful against it).
 */
async function checkEquivalence(config: ModelConfig, f: PackedFrames, withStep: boolean): Promise<{ forward: number; afterStep: number | null; moved: number | null }> {
  const one = createConfig({ ...config, training: { ...config.training, epochs: 1 } });
  const net = createSteeringNet(one);
  const cnet = createConvnet(one);
  try {
    copyWeights(net, cnet);
    const fb = f.width * f.height * 3;
    const probe = f.frames.subarray(0, fb);
    const ours = (): number[] => tf.tidy(() => Array.from((net.model.predict(framesToTensor(probe, 1, f, one.input)) as tf.Tensor).dataSync()));
    const theirs = (): number[] => Array.from(cnet.forward(frameToVol(probe, 0, f.width, f.height)).w);
    const diff = (a: number[], b: number[]): number => Math.max(...a.map((x, i) => Math.abs(x - b[i])));
    const before = ours();
    const forward = diff(theirs(), before);
    if (!withStep) return { forward, afterStep: null, moved: null };
    const B = one.training.batchSize;
    const batch: PackedFrames = { ...f, frames: f.frames.subarray(0, B * fb), targets: f.targets.subarray(0, B * 3) };
    const norm = computeTargetNormalization(batch.targets);
    const trainer = convnetTrainer(cnet, one);
    for (let i = 0; i < B; i++) trainer.train(frameToVol(batch.frames, i, f.width, f.height), normalizedTargets(batch.targets, i, norm));
    const src = createArrayBatchSource({ sequences: [{ frames: batch.frames, targets: batch.targets }], frameWidth: f.width, frameHeight: f.height, window: 1, runLength: 1, batchSize: B, shuffleSeed: null });
    const stepped = await trainModel({ net, train: src });
    if (stepped.steps !== 1) throw new Error(`the equivalence step ran ${stepped.steps} steps`);
    const after = ours();
    return { forward, afterStep: diff(theirs(), after), moved: diff(after, before) };
  } finally {
    net.dispose();
  }
}

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  const { quick } = options;
  const backends = (listParam(options, 'backends') ?? (quick ? ['wasm'] : ALL_BACKENDS)) as BackendName[];
  const models = (listParam(options, 'models') ?? MODELS) as ModelName[];
  for (const m of models) if (!MODELS.includes(m)) throw new Error(`no model '${m}' (have: ${MODELS.join(', ')})`);
  const figures: Record<string, Figure> = {};
  const ratios: Record<string, number> = {};
  const notes: string[] = [];

  const configs: Record<ModelName, ModelConfig> = {
    cnn_lstm: createConfig({ training: BENCH_TRAINING }),
    cnn: createConfig({ sequence: { kind: 'cnn' }, training: BENCH_TRAINING }),
    cnn_plain: comparableCnnConfig({ training: BENCH_TRAINING }),
    cnn_plain_w1: comparableCnnConfig({ encoder: { widthMultiplier: 1 }, training: BENCH_TRAINING }),
  };
  const plainInput = configs.cnn_plain.input;
  const count = quick ? 48 : 256;
  const drive = expertDrive('oval', count, 60);
  progress(`train_models: rendering ${count} dash frames at ${DASH.width}x${DASH.height} and ${plainInput.width}x${plainInput.height}`);
  const dash: PackedFrames = { ...DASH, frames: await dashFrames('oval', drive.poses, DASH.width, DASH.height), targets: drive.targets };
  const plain: PackedFrames = { width: plainInput.width, height: plainInput.height, frames: await dashFrames('oval', drive.poses, plainInput.width, plainInput.height), targets: drive.targets };
  const framesOf = (m: ModelName): PackedFrames => (PLAIN[m] ? plain : dash);
  const norm = computeTargetNormalization(plain.targets);
  const B = configs.cnn_plain.training.batchSize;

  // One ConvNetJS twin per plain model, checked against ours, warmed up, and kept for all backends.
  const twins = new Map<ModelName, { trainer: ReturnType<typeof convnetTrainer>; params: number; all: number[]; examples: number }>();
  for (const m of models.filter((x) => PLAIN[x])) {
    const config = configs[m];
    const cnet = createConvnet(config);
    const twin = { trainer: convnetTrainer(cnet, config), params: convnetParamCount(cnet), all: [] as number[], examples: 0 };
    twins.set(m, twin);
    try {
      await initBackend('wasm');
      const eq = await checkEquivalence(config, plain, !quick);
      figures[`convnetjs_vs_ours_max_abs_diff.forward.${m}`] = { median: eq.forward, min: eq.forward, max: eq.forward, unit: 'abs diff', runs: 1 };
      if (eq.afterStep !== null && eq.moved !== null) {
        figures[`convnetjs_vs_ours_max_abs_diff.after_sgd_step.${m}`] = { median: eq.afterStep, min: eq.afterStep, max: eq.afterStep, unit: 'abs diff', runs: 1 };
        notes.push(`equivalence (${m}): same weights give outputs within ${eq.forward.toExponential(1)}; after one SGD step of each on the same ${B} frames they differ by ${eq.afterStep.toExponential(1)} while the step moved them by ${eq.moved.toExponential(1)} (wasm backend)`);
      } else {
        notes.push(`equivalence (${m}): same weights give outputs within ${eq.forward.toExponential(1)} (wasm backend; the one-step check runs in full runs and in bench/lib/convnet.test.ts)`);
      }
    } catch (e) {
      notes.push(`equivalence check (${m}) failed: ${(e as Error).message}`);
    }
    // ConvNetJS's first batch runs cold (JIT): untimed (a quick run times the cold one).
    if (!quick) {
      convnetBatchMs(twin.trainer, plain, norm, B, twin.examples);
      twin.examples += B;
    }
  }

  for (const backend of backends) {
    try {
      const info = await initBackend(backend);
      if (backend === 'wasm') notes.push(`wasm: our SIMD conv kernels ${info.simdConv === null ? `run (${info.simdConvFma ? 'relaxed-SIMD build' : 'plain build'})` : `do not run (${info.simdConv})`}`);
    } catch (e) {
      notes.push(`${backend}: skipped (${(e as Error).message})`);
      continue;
    }
    if (backend === 'wasm') {
      const rate = figure(matMulRates(tf, 512, { runs: quick ? 3 : 10 }), 'GMAC/s');
      figures['matmul_gmac_per_s.wasm.512'] = rate;
      progress(`train_models: wasm matMul 512x512x512: ${rate.median.toPrecision(3)} GMAC/s`);
    }
    for (const m of models) {
      const net = createSteeringNet(configs[m]);
      const convnet: number[] = [];
      const wanted = convnetBatches(backend, quick);
      const twin = twins.get(m);
      try {
        progress(`train_models: ${backend} ${m} ...`);
        const t = await timeTraining({
          net,
          source: source(configs[m], framesOf(m)),
          budget: budget(backend, quick),
          between: twin
            ? () => {
              if (convnet.length >= wanted) return;
              // A quick run times 8 examples (no update): enough to see ConvNetJS run, in a quarter of the time.
              const n = quick ? 8 : B;
              const ms = convnetBatchMs(twin.trainer, plain, norm, n, twin.examples);
              twin.examples += n;
              convnet.push((n * 1000) / ms);
            }
            : undefined,
        });
        const f = figure(t.examplesPerSecond, 'examples/s');
        figures[`train_examples_per_s.${backend}.${m}`] = f;
        figures[`train_step_ms.${backend}.${m}`] = figure(t.stepMs, 'ms');
        let line = `train_models: ${backend} ${m}: ${f.median.toPrecision(3)} examples/s (${t.stepMs.length} steps, median ${median(t.stepMs).toFixed(0)} ms)`;
        const macs = PLAIN[m] ? trainingMacs(configs[m]) : null;
        if (macs) {
          // The arithmetic the steps did, against the machine's peak (issue 15).
          const rate = figure(t.examplesPerSecond.map((x) => gmacPerSecond(macs, x)), 'GMAC/s');
          figures[`train_gmac_per_s.${backend}.${m}`] = rate;
          ratios[`train_peak_share.${backend}.${PLAIN[m]}`] = rate.median / PEAK_GMAC_PER_S.machine;
        }
        if (twin && convnet.length > 0) {
          twin.all.push(...convnet);
          figures[`train_examples_per_s.convnetjs_beside_${backend}.${m}`] = figure(convnet, 'examples/s');
          ratios[`train_vs_convnetjs.${backend}.${PLAIN[m]}`] = f.median / median(convnet);
          if (macs) figures[`train_gmac_per_s.convnetjs_beside_${backend}.${m}`] = figure(convnet.map((x) => gmacPerSecond(macs, x)), 'GMAC/s');
          line += `; ConvNetJS beside it ${median(convnet).toPrecision(3)} examples/s: x${(f.median / median(convnet)).toFixed(1)}`;
        }
        if (t.diverged) {
          const trail = t.losses.slice(-4).map((l) => l.toPrecision(3)).join(', ');
          notes.push(`${backend} ${m}: the loss went non-finite after ${t.losses.length} steps (last losses ${trail}); figures from the ${t.stepMs.length} timed steps before it`);
          line += ' (diverged: figures from the steps before)';
        }
        progress(line);
      } catch (e) {
        notes.push(`${backend} ${m}: failed (${(e as Error).message})`);
      } finally {
        net.dispose();
      }
    }
  }
  // Training's arithmetic against the best GEMM of the same thread, in the same run.
  const gemm = figures['matmul_gmac_per_s.wasm.512'];
  for (const m of models) {
    const rate = figures[`train_gmac_per_s.wasm.${m}`];
    if (gemm && rate && PLAIN[m]) ratios[`train_vs_matmul.wasm.${PLAIN[m]}`] = rate.median / gemm.median;
  }
  for (const [m, twin] of twins) if (twin.all.length) figures[`train_examples_per_s.convnetjs.${m}`] = figure(twin.all, 'examples/s');

  for (const m of models) {
    const cpu = figures[`train_examples_per_s.cpu.${m}`];
    for (const b of backends.filter((x) => x !== 'cpu')) {
      const f = figures[`train_examples_per_s.${b}.${m}`];
      if (cpu && f) ratios[`train_vs_cpu.${b}.${m}`] = f.median / cpu.median;
    }
  }
  const lstm = configs.cnn_lstm.sequence;
  notes.push(
    `cnn_lstm: DEFAULT_CONFIG (T=${lstm.window}, runs of ${lstm.runLength} frames, batch ${configs.cnn_lstm.training.batchSize} windows rounded up to whole runs), cnn: the same with kind 'cnn'; both from ${DASH.width}x${DASH.height} frames resized to ${configs.cnn.input.width}x${configs.cnn.input.height} in the step, Adam, augmentation and clipping as configured`,
    `cnn_plain(_w1) and ConvNetJS: ${plain.width}x${plain.height} frames, batch ${B}, SGD momentum 0.9 (ConvNetJS 0.3.0 has no Adam; its learning rate is doubled to make the same updates), no augmentation, clipping or balancing; encoder width multiplier ${configs.cnn_plain.encoder.widthMultiplier} (DEFAULT_CONFIG's) and 1; ${[...twins].map(([m, t]) => `${m} ${t.params} weights`).join(', ')} in both engines; ConvNetJS computes in float64 on the main thread, one example at a time`,
    `a step: batch assembly, preprocessing, forward, backward, per-layer gradient norms, update (trainModel's own loop; the yield between steps is not counted). ConvNetJS: ${quick ? 8 : B} Trainer.train() calls including the pixel conversion (a batch, one update); one ConvNetJS batch before each of the first timed steps of a plain model (${convnetBatches('wasm', quick)} beside wasm, ${convnetBatches('cpu', quick)} beside the others)`,
    `train_gmac_per_s.<backend>.cnn_plain(_w1): examples/s x multiply-adds per training example (bench/lib/trainingMacs.ts: forward, weight gradient, input gradient but none into the frame: ${[...twins.keys()].map((m) => `${m} ${(trainingMacs(configs[m]).total / 1e6).toFixed(2)} M`).join(', ')}; ConvNetJS also computes the frame's gradient, not counted); train_peak_share.<backend>.cnn(_w1) = that over the machine's ${PEAK_GMAC_PER_S.machine} GMAC/s (2 cores; tfjs's wasm backend uses one: ${PEAK_GMAC_PER_S.oneCore} GMAC/s); matmul_gmac_per_s.wasm.512: a 512x512x512 matMul on the same thread (XNNPACK's GEMM), train_vs_matmul.wasm.cnn(_w1) = training's GMAC/s over it`,
    `train_vs_convnetjs.<backend>.cnn (.cnn_w1) = our cnn_plain (cnn_plain_w1) examples/s over ConvNetJS's on the same network, both medians of the batches interleaved in that backend's run; ${count} frames of the expert on the oval`,
  );
  return { figures, ratios, notes };
}
