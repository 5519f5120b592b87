// The training loop: a plain async function (no worker code) that trains a SteeringNet on a
// BatchSource. One custom step per batch, built on tf.variableGrads so it can weight the three
// heads' losses, weight examples (steering-bin or curve balancing), measure the gradient norm
// of every layer (the UI plots them live: vanishing and exploding gradients), clip gradients,
// and follow the learning-rate schedule. Frames are encoded once per step (see forward.ts).
// Between steps it yields to the event loop and honours pause, resume and cancel; after each
// epoch it validates, applies early stopping and hands a checkpoint (plain arrays, no
// tensors) to a callback, from which a reloaded tab resumes. Its options, events, checkpoint and
// control are plain types in trainProtocol.ts.
//
// Ownership: the trainer owns its optimiser (slot variables) and the best-epoch weight
// snapshot, and frees both before it returns. It updates the net's weights in place; the
// net stays the caller's. Every step's tensors live in one tf.tidy.

import { createRng } from '../core/rng.ts';
import type { BatchSource, TrainingBatch } from './batchSource.ts';
import { HEAD_NAMES, type HeadValues, type ModelConfig } from './config.ts';
import { replicaOf, trainedPart, type GradientPeer } from './dataParallel.ts';
import { exampleCount, forwardGroups } from './forward.ts';
import { exampleWeights, steerBinWeights } from './exampleWeights.ts';
import { ModelError } from './modelErrors.ts';
import { clipAndApply, createOptimizer, scheduledLearningRate } from './optimizers.ts';
import {
  augmentationIsOff, augmentTargets, computeTargetNormalization, drawAugmentations, framesToTensor,
  headValues, normalizeSpeeds, normalizeTargets, TARGETS_PER_EXAMPLE, trainingFrames, type TargetNormalization,
} from './preprocess.ts';
import { tf } from './tfSetup.ts';
import {
  TrainingControl, type BestEpoch, type ControlState, type EpochSummary, type LayerGradNorm, type TrainingCheckpoint, type TrainingResult,
  type TrainingStatus, type TrainOptions,
} from './trainProtocol.ts';
import { assignFromBlob, packTensors } from './weightBlob.ts';

const defaultYield = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Trains `net` in place. Resolves when done, stopped early, cancelled or diverged (never rejects on cancel). */
export async function trainModel(options: TrainOptions): Promise<TrainingResult> {
  const { net, train, validation = null, onProgress, onCheckpoint, resumeFrom = null } = options;
  if (net.isDisposed) throw new ModelError('disposed', 'this model was disposed');
  const config = options.training ? { ...net.config, training: options.training } : net.config;
  const control = options.control ?? new TrainingControl();
  const clock = options.clock ?? (() => performance.now());
  const yieldToEventLoop = options.yieldToEventLoop ?? defaultYield;
  const T = net.window;
  for (const [what, src] of [['training', train], ['validation', validation]] as const) {
    if (src && src.window !== T) throw new ModelError('invalid-input', `the ${what} batches form windows of ${src.window} frames; the model reads ${T}`);
  }
  if (config.balance.kind === 'curves' && !train.hasCurvature) {
    throw new ModelError('invalid-input', "balance 'curves' needs curvature in the training batches (the batch source was built without it)");
  }
  if (config.speedBalance && !net.speedInput) {
    throw new ModelError('invalid-config', 'speedBalance weighs examples by how far the speed label is from the measured speed: it needs a model that reads the speed (input.speed)');
  }
  if (train.exampleCount < 1) throw new ModelError('invalid-input', 'the training set holds no complete window');

  const trainTargets = await train.targets();
  const normalization = resumeFrom?.normalization ?? options.normalization ?? computeTargetNormalization(trainTargets);
  const baselineTrain = constantPredictorRmse(trainTargets, trainTargets);
  const binWeights = config.balance.kind === 'steer-bins' ? steerBinWeights(trainTargets, config.balance.bins, config.balance.maxWeight) : null;
  const lossWeights = HEAD_NAMES.map((h) => config.heads[h].lossWeight);

  const replica = replicaOf(net, { width: train.frameWidth, height: train.frameHeight });
  const { weights } = replica;
  // What this run updates (training.trainable): the optimiser, the gradients and their norms cover only it.
  const trained = trainedPart(replica, config.training.trainable);
  const { layerRanges } = trained;
  const partOnly = trained.weights.length !== weights.length;
  // A second worker's replica that takes half of every batch (dataParallel.ts), until it fails.
  // A run that updates only part of the net (a head's fine-tune: a small backward pass) runs here alone.
  let peer: GradientPeer | null = partOnly ? null : options.peer ?? null;
  // In 'auto', the first steps alternate with and without the peer until the faster is known.
  const trial = peer ? options.peerTrial ?? null : null;
  const losePeer = (e: unknown): void => {
    peer?.stop();
    peer = null;
    options.onPeerLost?.((e as Error).message);
  };
  const optimizer = createOptimizer(config.training.optimizer, trained.weights);
  let bestSnapshot: tf.Tensor[] | null = null;
  let history: EpochSummary[] = [];
  let best: BestEpoch | null = null;
  let epochsWithoutImprovement = 0;
  let startEpoch = 0;
  const augment = !augmentationIsOff(config.augmentation);

  /** Waits out a pause; false when cancelled. Paused time is not active time. */
  const mayContinue = async (): Promise<boolean> => {
    await yieldToEventLoop();
    if (control.state === 'paused') {
      onProgress?.({ kind: 'paused' });
      await control.untilNotPaused();
      if ((control.state as ControlState) === 'running') onProgress?.({ kind: 'resumed' });
    }
    return control.state !== 'cancelled';
  };

  try {
    if (resumeFrom) {
      checkCheckpoint(resumeFrom, config);
      assignFromBlob(resumeFrom.weights, weights, 'the checkpoint');
      optimizer.restore(resumeFrom.optimizer);
      if (resumeFrom.bestWeights) {
        assignFromBlob(resumeFrom.bestWeights, weights, "the checkpoint's best weights");
        bestSnapshot = weights.map((w) => tf.clone(w.variable));
        assignFromBlob(resumeFrom.weights, weights, 'the checkpoint');
      }
      history = [...resumeFrom.history];
      best = resumeFrom.best;
      epochsWithoutImprovement = resumeFrom.epochsWithoutImprovement;
      startEpoch = resumeFrom.epochsDone;
    }
    if (peer) {
      try {
        await peer.start({
          backend: tf.getBackend(), config, frameSize: replica.frameSize, optimizer: await optimizer.state(),
          weights: await packTensors(weights.map((w) => ({ name: w.name, tensor: w.variable }))),
        });
      } catch (e) {
        losePeer(e);
      }
    }

    // The net as it came (a fine-tune's base), on the same clips and targets as every epoch's check.
    const first = options.validateFirst && validation && !resumeFrom ? await evaluate(validation) : null;
    const before = first && first !== 'cancelled' ? { rmse: first.rmse, baseline: first.baseline } : null;

    const { epochs } = config.training;
    let examplesSeen = 0;
    let activeMs = 0;
    let batchesSeen = 0;
    let status: TrainingStatus = 'completed';

    epochs: for (let epoch = startEpoch; epoch < epochs; epoch++) {
      const epochStart = clock();
      const rng = createRng(config.seed).fork(`augment:${epoch}`);
      const sse = [0, 0, 0];
      let lossSum = 0;
      let epochExamples = 0;
      let batch = 0;
      let lr = 0;
      const iterator = train.batches(epoch)[Symbol.asyncIterator]();
      for (;;) {
        if (!(await mayContinue())) {
          status = 'cancelled';
          break epochs;
        }
        const next = await iterator.next();
        if (next.done) break;
        const t0 = clock();
        const perBatch = batchesSeen > 0 ? examplesSeen / batchesSeen : config.training.batchSize;
        const stepsPerEpoch = Math.max(1, Math.ceil(train.exampleCount / perBatch));
        lr = scheduledLearningRate(config.training, { step: optimizer.step, stepsPerEpoch });
        const side = trial && !trial.done ? trial.next() : 2;
        const s = await trainStep(next.value, lr, rng, side === 2);
        const stepMs = clock() - t0;
        activeMs += stepMs;
        // A step whose peer failed ran alone: the trial ends with the peer (onPeerLost says so).
        const decided = peer && trial && !trial.done ? trial.record(side, stepMs, s.examples) : null;
        if (decided) {
          if (decided.workers === 1) {
            peer?.stop(); // the peer frees its replica; every later step runs here alone
            peer = null;
          }
          options.onPeerTrial?.(decided);
        }
        if (!Number.isFinite(s.loss)) {
          status = 'diverged';
          break epochs;
        }
        batchesSeen++;
        examplesSeen += s.examples;
        epochExamples += s.examples;
        lossSum += s.loss * s.examples;
        for (let h = 0; h < 3; h++) sse[h] += s.mse[h] * s.examples;
        const rate = examplesSeen / Math.max(1e-9, activeMs / 1000);
        const remaining = Math.max(0, train.exampleCount - epochExamples) + (epochs - epoch - 1) * train.exampleCount;
        onProgress?.({
          kind: 'step', epoch, epochs, batch, batchesPerEpoch: stepsPerEpoch, step: optimizer.step - 1, examples: s.examples,
          examplesPerSecond: rate, etaSeconds: remaining / rate, learningRate: lr, loss: s.loss,
          rmse: realRmse(s.mse, normalization), baselineRmse: baselineTrain, gradNorms: s.gradNorms, globalGradNorm: s.globalNorm, appliedGradNorm: s.appliedNorm,
        });
        batch++;
      }
      if (epochExamples === 0) throw new ModelError('invalid-input', `epoch ${epoch} gave no training batch`);
      const val = validation ? await evaluate(validation) : null;
      if (val === 'cancelled') {
        status = 'cancelled';
        break;
      }
      const trainLoss = lossSum / epochExamples;
      const monitored = val ? val.loss : trainLoss;
      const { minDelta, patience } = config.training.earlyStopping;
      const improved = best === null || monitored < best.loss - minDelta;
      if (improved) {
        best = { epoch, loss: monitored };
        epochsWithoutImprovement = 0;
        if (bestSnapshot) tf.dispose(bestSnapshot);
        bestSnapshot = weights.map((w) => tf.clone(w.variable));
      } else {
        epochsWithoutImprovement++;
      }
      const summary: EpochSummary = {
        epoch, learningRate: lr, trainLoss,
        trainRmse: realRmse(sse.map((x) => x / epochExamples), normalization),
        valLoss: val ? val.loss : null,
        valRmse: val ? val.rmse : null,
        baselineRmse: { train: baselineTrain, val: val ? val.baseline : null },
        ...(val?.speedometer != null ? { speedometerRmse: val.speedometer } : {}),
        examples: epochExamples,
        seconds: (clock() - epochStart) / 1000,
        improved,
      };
      history.push(summary);
      onProgress?.({ ...summary, kind: 'epoch', epochs, best, epochsWithoutImprovement });
      if (onCheckpoint) await onCheckpoint(await checkpoint(epoch + 1));
      if (patience > 0 && epochsWithoutImprovement >= patience && epoch < epochs - 1) {
        status = 'early-stopped';
        break;
      }
    }

    let restoredBest = false;
    const lastEpoch = history.length > 0 ? history[history.length - 1].epoch : -1;
    // A run cancelled mid-epoch (by the player or a time budget) keeps the best validated
    // epoch's weights, not those of the unfinished epoch: the saved model is then the one its
    // metrics describe, and the same however far the last epoch got before the stop.
    if (config.training.earlyStopping.restoreBest && bestSnapshot && best && (best.epoch !== lastEpoch || status === 'diverged' || status === 'cancelled')) {
      tf.tidy(() => weights.forEach((w, i) => w.variable.assign(bestSnapshot![i])));
      restoredBest = true;
    }
    return { status, epochsDone: history.length, steps: optimizer.step, history, best, normalization, restoredBest, before };
  } finally {
    peer?.stop();
    optimizer.dispose();
    if (bestSnapshot) tf.dispose(bestSnapshot);
  }

  /** One optimiser step on one batch. */
  async function trainStep(batch: TrainingBatch, lr: number, rng: ReturnType<typeof createRng>, withPeer: boolean): Promise<StepStats> {
    const { lengths } = batch;
    const frameCount = checkBatch(batch, train, T);
    const examples = exampleCount(lengths, T);
    const draws = augment ? drawAugmentations(config.augmentation, config.input, rng, lengths.length) : null;
    const raw = draws ? augmentTargets(batch.targets, draws, lengths.map((n) => n - T + 1), config.augmentation.shiftSteerPerPixel) : batch.targets;
    const y = normalizeTargets(raw, normalization);
    const sw = sampleWeights(batch, examples);
    if (peer) {
      try {
        const speeds = speedValues(batch, frameCount);
        const input = { frames: batch.frames, lengths, draws, y, speeds, weights: sw };
        // A trial's one-worker step is computed here alone; the peer applies the same gradient, so the replicas stay identical.
        const s = await peer.step(replica, optimizer, input, { examples, weightSum: sw ? sw.reduce((a, b) => a + b, 0) : null }, lr, !withPeer);
        const L = layerRanges.length;
        return {
          examples, loss: s.loss, mse: s.sse.map((x) => x / examples),
          gradNorms: layerRanges.map((r, i) => ({ layer: r.name, norm: s.norms[i] })), globalNorm: s.norms[L], appliedNorm: s.norms[L + 1],
        };
      } catch (e) {
        if (e instanceof ModelError) throw e; // bad data fails alike on one worker
        losePeer(e); // and this batch goes through the one-worker step below
      }
    }
    const clip = config.training.gradientClip;
    const statsT = tf.tidy(() => {
      const x = trainingFrames(batch.frames, frameCount, { width: train.frameWidth, height: train.frameHeight }, config.input, draws, lengths);
      const yT = tf.tensor2d(y, [examples, TARGETS_PER_EXAMPLE]);
      const speedsT = speedTensor(batch, frameCount);
      const wT = sw ? tf.tensor2d(sw, [examples, 1]) : null;
      const headW = tf.tensor1d(lossWeights);
      const kept: { mse?: tf.Tensor1D } = {};
      const { value, grads } = tf.variableGrads(() => {
        const sq = tf.square(tf.sub(forwardGroups(net, x, lengths, true, speedsT), yT));
        // Kept out of variableGrads' own tidy: the per-head errors are reported, not differentiated.
        const mse = (kept.mse = tf.keep(tf.mean(sq, 0) as tf.Tensor1D));
        const weighted = wT ? tf.div(tf.sum(tf.mul(sq, wT), 0), tf.sum(wT)) : mse;
        return tf.sum(tf.mul(weighted, headW)) as tf.Scalar;
      }, trained.weights.map((w) => w.variable));
      const list = trained.weights.map((w) => grads[w.variable.name]);
      const { layerNorms, globalNorm, appliedNorm } = clipAndApply(optimizer, list, layerRanges, clip, lr);
      const out = tf.concat([tf.reshape(value, [1]), kept.mse!, tf.stack(layerNorms), tf.reshape(globalNorm, [1]), tf.reshape(appliedNorm, [1])]);
      kept.mse!.dispose();
      return out;
    });
    const v = await statsT.data();
    statsT.dispose();
    const L = layerRanges.length;
    return {
      examples,
      loss: v[0],
      mse: [v[1], v[2], v[3]],
      gradNorms: layerRanges.map((r, i) => ({ layer: r.name, norm: v[4 + i] })),
      globalNorm: v[4 + L],
      appliedNorm: v[5 + L],
    };
  }

  /** The batch's measured speeds, normalised, [frames, 1]; null for a model that does not read them. Call inside a tidy. */
  function speedTensor(batch: TrainingBatch, frameCount: number): tf.Tensor2D | null {
    const v = speedValues(batch, frameCount);
    return v && tf.tensor2d(v, [frameCount, 1]);
  }

  /** The batch's measured speeds, normalised, one per frame; null for a model that does not read them. */
  function speedValues(batch: TrainingBatch, frameCount: number): Float32Array | null {
    if (!net.speedInput) return null;
    if (!batch.speeds || batch.speeds.length !== frameCount) {
      throw new ModelError('invalid-input', `this model reads the measured speed: a batch of ${frameCount} frames needs ${frameCount} speeds, got ${batch.speeds?.length ?? 'none'}`);
    }
    return normalizeSpeeds(batch.speeds, normalization);
  }

  /** Per-example loss weights (exampleWeights.ts), or null when neither balance nor speedBalance is on. */
  function sampleWeights(batch: TrainingBatch, examples: number): Float32Array | null {
    return exampleWeights(config, batch, examples, T, binWeights);
  }

  /** Loss and real-unit RMSE on a source, no augmentation, no dropout; 'cancelled' if cancelled meanwhile. */
  async function evaluate(source: BatchSource): Promise<{ loss: number; rmse: HeadValues; baseline: HeadValues; speedometer: number | null } | 'cancelled'> {
    const sse = [0, 0, 0];
    const base = [0, 0, 0];
    // "Hold the present speed": the speed label against each window's last measured speed.
    let hold = 0;
    let holdN = 0;
    let n = 0;
    for await (const batch of source.batches(0)) {
      if (!(await mayContinue())) return 'cancelled';
      const frames = checkBatch(batch, source, T);
      const examples = exampleCount(batch.lengths, T);
      const y = normalizeTargets(batch.targets, normalization);
      const sumT = tf.tidy(() => {
        const x = framesToTensor(batch.frames, frames, { width: source.frameWidth, height: source.frameHeight }, config.input);
        const pred = forwardGroups(net, x, batch.lengths, false, speedTensor(batch, frames));
        return tf.sum(tf.square(tf.sub(pred, tf.tensor2d(y, [examples, TARGETS_PER_EXAMPLE]))), 0);
      });
      const s = await sumT.data();
      sumT.dispose();
      for (let h = 0; h < 3; h++) sse[h] += s[h];
      for (let i = 0; i < examples; i++) {
        for (let h = 0; h < 3; h++) {
          const name = HEAD_NAMES[h];
          base[h] += (batch.targets[i * 3 + h] - normalization.mean[name]) ** 2;
        }
      }
      if (batch.speeds) {
        let i = 0;
        let frame = 0;
        for (const len of batch.lengths) {
          for (let end = frame + T - 1; end < frame + len; end++, i++) hold += (batch.targets[i * 3 + 1] - batch.speeds[end]) ** 2;
          frame += len;
        }
        holdN += i;
      }
      n += examples;
    }
    if (n === 0) throw new ModelError('invalid-input', 'the validation set holds no complete window');
    const mse = sse.map((x) => x / n);
    return {
      loss: mse.reduce((s, m, h) => s + m * lossWeights[h], 0),
      rmse: realRmse(mse, normalization),
      baseline: headValues(base.map((x) => Math.sqrt(x / n))),
      speedometer: holdN > 0 ? Math.sqrt(hold / holdN) : null,
    };
  }

  async function checkpoint(epochsDone: number): Promise<TrainingCheckpoint> {
    return {
      format: 'deepsteer-checkpoint',
      version: 1,
      config,
      normalization,
      epochsDone,
      step: optimizer.step,
      weights: await packTensors(weights.map((w) => ({ name: w.name, tensor: w.variable }))),
      bestWeights: bestSnapshot ? await packTensors(weights.map((w, i) => ({ name: w.name, tensor: bestSnapshot![i] }))) : null,
      optimizer: await optimizer.state(),
      history: [...history],
      best,
      epochsWithoutImprovement,
    };
  }
}

interface StepStats {
  readonly examples: number;
  readonly loss: number;
  /** Unweighted per-head MSE, normalised units. */
  readonly mse: readonly number[];
  readonly gradNorms: readonly LayerGradNorm[];
  readonly globalNorm: number;
  readonly appliedNorm: number;
}

/** Frames in the batch, after checking that frames, lengths and targets agree. */
function checkBatch(batch: TrainingBatch, source: BatchSource, T: number): number {
  const frames = batch.lengths.reduce((s, n) => s + n, 0);
  const fb = source.frameWidth * source.frameHeight * 3;
  if (batch.frames.length !== frames * fb) {
    throw new ModelError('invalid-input', `a batch of ${frames} frames of ${source.frameWidth}x${source.frameHeight} needs ${frames * fb} bytes, got ${batch.frames.length}`);
  }
  const examples = exampleCount(batch.lengths, T);
  if (batch.targets.length !== examples * TARGETS_PER_EXAMPLE) {
    throw new ModelError('invalid-input', `a batch with ${examples} windows needs ${examples * TARGETS_PER_EXAMPLE} targets, got ${batch.targets.length}`);
  }
  return frames;
}

function realRmse(mse: readonly number[], norm: TargetNormalization): HeadValues {
  return headValues(mse.map((m, h) => Math.sqrt(Math.max(0, m)) * norm.std[HEAD_NAMES[h]]));
}

/** RMSE per head of predicting the mean of `reference` for every target of `targets` (real units). */
export function constantPredictorRmse(targets: Float32Array, reference: Float32Array): HeadValues {
  const k = TARGETS_PER_EXAMPLE;
  const mean = [0, 0, 0];
  const nRef = reference.length / k;
  for (let i = 0; i < nRef; i++) for (let h = 0; h < k; h++) mean[h] += reference[i * k + h] / nRef;
  const se = [0, 0, 0];
  const n = targets.length / k;
  for (let i = 0; i < n; i++) for (let h = 0; h < k; h++) se[h] += (targets[i * k + h] - mean[h]) ** 2;
  return headValues(se.map((s) => Math.sqrt(s / Math.max(1, n))));
}

function checkCheckpoint(c: TrainingCheckpoint, config: ModelConfig): void {
  if (c.format !== 'deepsteer-checkpoint' || c.version !== 1) {
    throw new ModelError('unsupported-version', `not a DeepSteer checkpoint of version 1 (format ${JSON.stringify(c.format)}, version ${JSON.stringify(c.version)})`);
  }
  const arch = (m: ModelConfig): string => JSON.stringify([m.input, m.encoder, m.sequence, m.heads.hidden, m.training.optimizer.kind, m.training.trainable ?? 'all']);
  if (arch(c.config) !== arch(config)) {
    throw new ModelError('bad-model-file', 'the checkpoint was made for another network (input, encoder, sequence, heads or optimiser differ); start a new training instead');
  }
}
