// Suite 'train_split_cpu' (Node, wasm backend, one thread): what two training workers could gain
// on an idle 2-core machine, from CPU time rather than wall time, so a loaded shared machine
// does not decide it. For each batch of the default CNN+LSTM (DEFAULT_CONFIG, 200x66 frames,
// augmentation drawn as the trainer does) it measures the process CPU time of: the whole batch's
// gradient, each half's gradient (src/model/dataParallel.ts splitStep: a run may be cut, each
// piece keeping the T-1 frames its windows need), the sum of the two gradients, and the clipped
// update. One worker's step is whole + update; two workers' critical path is the slower half +
// sum + update (+ the exchange's round trip, measured in Chromium by the train_workers suite).
// An estimate of the idle-machine ratio, not a measurement of it: the wall-time ratio is train_workers'.
// Params: steps (default 12; quick 2).
import { createRng } from '../../src/core/rng.ts';
import { createArrayBatchSource, type TrainingBatch } from '../../src/model/batchSource.ts';
import { createConfig } from '../../src/model/config.ts';
import { applyGradientSum, halfGradients, replicaOf, splitStep, type StepInput } from '../../src/model/dataParallel.ts';
import { createSteeringNet } from '../../src/model/factory.ts';
import { exampleCount } from '../../src/model/forward.ts';
import { createOptimizer } from '../../src/model/optimizers.ts';
import { augmentTargets, computeTargetNormalization, drawAugmentations, normalizeSpeeds, normalizeTargets } from '../../src/model/preprocess.ts';
import { syntheticSequence } from '../../src/model/testKit.ts';
import { initBackend } from '../../src/model/tfSetup.ts';
import { figure, listParam, median, type Figure, type SuiteOptions, type SuiteResult } from '../lib/stats.ts';

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  const steps = Number(listParam(options, 'steps')?.[0] ?? (options.quick ? 2 : 12));
  await initBackend('wasm');
  const config = createConfig({ training: { epochs: 1000 } });
  const W = 200;
  const H = 66;
  const seq = syntheticSequence({ count: 256, width: W, height: H });
  const speeds = seq.targets.filter((_, i) => i % 3 === 1);
  const T = config.sequence.window;
  const source = createArrayBatchSource({
    sequences: [{ ...seq, speeds }], frameWidth: W, frameHeight: H, window: T, runLength: config.sequence.runLength,
    batchSize: config.training.batchSize, shuffleSeed: config.seed,
  });
  const norm = computeTargetNormalization(await source.targets());
  const net = createSteeringNet(config);
  const replica = replicaOf(net, { width: W, height: H });
  const optimizer = createOptimizer(config.training.optimizer, replica.weights);
  const rng = createRng(1);
  const prepare = (batch: TrainingBatch): StepInput => {
    const draws = drawAugmentations(config.augmentation, config.input, rng, batch.lengths.length);
    const raw = augmentTargets(batch.targets, draws, batch.lengths.map((n) => n - T + 1), config.augmentation.shiftSteerPerPixel);
    return { frames: batch.frames, lengths: batch.lengths, draws, y: normalizeTargets(raw, norm), speeds: normalizeSpeeds(batch.speeds!, norm), weights: null };
  };
  const one: number[] = [];
  const two: number[] = [];
  const ratio: number[] = [];
  const parts = { whole: [] as number[], slowerHalf: [] as number[], fasterHalf: [] as number[], sum: [] as number[], update: [] as number[] };
  const halves: string[] = [];
  let seen = 0;
  try {
    for (let epoch = 0; seen < steps + 2; epoch++) {
      for await (const batch of source.batches(epoch)) {
        if (seen >= steps + 2) break;
        const input = prepare(batch);
        const denom = { examples: exampleCount(input.lengths, T), weightSum: null };
        const [a, b] = splitStep(input, T, W * H * 3);
        let t = cpuMs();
        const whole = await halfGradients(replica, input, denom);
        const wholeMs = cpuMs() - t;
        t = cpuMs();
        const ga = await halfGradients(replica, a, denom);
        const aMs = cpuMs() - t;
        t = cpuMs();
        const gb = await halfGradients(replica, b, denom);
        const bMs = cpuMs() - t;
        t = cpuMs();
        const sum = new Float32Array(ga.grads.length);
        for (let i = 0; i < sum.length; i++) sum[i] = ga.grads[i] + gb.grads[i];
        const sent = ga.grads.slice(); // the copy each side sends
        const sumMs = cpuMs() - t;
        if (sent.length !== sum.length) throw new Error('the gradients differ in size');
        t = cpuMs();
        applyGradientSum(replica, optimizer, whole.grads, 1e-4).dispose();
        const applyMs = cpuMs() - t;
        if (seen++ < 2) continue; // warm-up
        const frames = (s: StepInput): number => s.lengths.reduce((x, n) => x + n, 0);
        halves.push(`${frames(input)} -> ${frames(a)}+${frames(b)}`);
        parts.whole.push(wholeMs);
        parts.slowerHalf.push(Math.max(aMs, bMs));
        parts.fasterHalf.push(Math.min(aMs, bMs));
        parts.sum.push(sumMs);
        parts.update.push(applyMs);
        one.push(wholeMs + applyMs);
        two.push(Math.max(aMs, bMs) + sumMs + applyMs);
        ratio.push((wholeMs + applyMs) / (Math.max(aMs, bMs) + sumMs + applyMs));
      }
    }
  } finally {
    optimizer.dispose();
    net.dispose();
  }
  const figures: Record<string, Figure> = {
    'train_step_cpu_ms.wasm_1worker.cnn_lstm': figure(one, 'CPU ms'),
    'train_step_critical_path_cpu_ms.wasm_2workers.cnn_lstm': figure(two, 'CPU ms'),
    'train_gradient_cpu_ms.whole_batch.cnn_lstm': figure(parts.whole, 'CPU ms'),
    'train_gradient_cpu_ms.slower_half.cnn_lstm': figure(parts.slowerHalf, 'CPU ms'),
    'train_gradient_cpu_ms.faster_half.cnn_lstm': figure(parts.fasterHalf, 'CPU ms'),
    'train_gradient_sum_cpu_ms.cnn_lstm': figure(parts.sum, 'CPU ms'),
    'train_update_cpu_ms.cnn_lstm': figure(parts.update, 'CPU ms'),
  };
  return {
    figures,
    ratios: { 'train_two_workers_vs_one_cpu_estimate.wasm.cnn_lstm': median(ratio) },
    notes: [
      `Node ${process.version}, tfjs wasm, one thread; process CPU time per part, ${one.length} batches after 2 warm-up; DEFAULT_CONFIG CNN+LSTM at 200x66 (synthetic frames); frames of a batch -> of each half: ${[...new Set(halves)].join(', ')}`,
      'estimate of the idle 2-core ratio: (whole gradient + update) / (slower half + sum + update); the exchange round trip (~0.6 ms in train_workers) and scheduling are not in it',
    ],
  };
}
