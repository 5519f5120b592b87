// The trainer on the wasm backend (the one players train on; several times faster than cpu
// in Node): it learns, reports per-layer gradient norms, clips, pauses, resumes, cancels,
// stops early, checkpoints and resumes to the same weights, and keeps the tensor count flat.
import { beforeAll, describe, expect, it } from 'vitest';
import { createArrayBatchSource, type BatchSource } from './batchSource.ts';
import type { ConfigOverrides, ModelConfig } from './config.ts';
import { createSteeringNet, netWeights, type SteeringNet } from './factory.ts';
import { scheduledLearningRate } from './optimizers.ts';
import { initBackend, tf } from './tfSetup.ts';
import { syntheticSequence, tinyConfig } from './testKit.ts';
import { steerBinWeights } from './exampleWeights.ts';
import { constantPredictorRmse, trainModel } from './train.ts';
import {
  TrainingControl, type StepProgress, type TrainingCheckpoint, type TrainingEvent, type TrainOptions,
} from './trainProtocol.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

const W = 16;
const H = 12;
const noYield = async (): Promise<void> => {};

// The heads' loss weights for the optimisers' test: it is about the optimisers on one fixed
// problem, which should not move with the default config's weights.
const PINNED_HEAD_WEIGHTS = { steering: { lossWeight: 1 }, speed: { lossWeight: 1.5 }, torque: { lossWeight: 0.5 } };

function source(config: ModelConfig, options: { count?: number; seed?: number; shuffle?: boolean; curvature?: boolean } = {}): BatchSource {
  const net = config.sequence.kind === 'cnn' ? 1 : config.sequence.window;
  return createArrayBatchSource({
    sequences: [syntheticSequence({ count: options.count ?? 40, width: W, height: H, seed: options.seed ?? 0, withCurvature: options.curvature })],
    frameWidth: W, frameHeight: H, window: net, runLength: config.sequence.runLength, batchSize: config.training.batchSize,
    shuffleSeed: options.shuffle === false ? null : config.seed,
  });
}

async function withNet<R>(overrides: ConfigOverrides, f: (net: SteeringNet) => Promise<R>): Promise<R> {
  const net = createSteeringNet(tinyConfig(overrides));
  try {
    return await f(net);
  } finally {
    net.dispose();
  }
}

function train(net: SteeringNet, extra: Partial<TrainOptions> = {}) {
  return trainModel({ net, train: source(net.config), yieldToEventLoop: noYield, ...extra });
}

const weightValues = (net: SteeringNet): number[][] => netWeights(net).map((w) => Array.from(w.read().dataSync()));

describe('trainModel', () => {
  it.each(['cnn_lstm', 'cnn'] as const)('overfits a tiny synthetic set (%s): the loss falls by more than 90%%', async (kind) => {
    await withNet({ sequence: { kind }, training: { epochs: 25, learningRate: 5e-3 } }, async (net) => {
      const result = await train(net, { validation: source(net.config, { seed: 0, shuffle: false }) });
      expect(result.status).toBe('completed');
      const first = result.history[0];
      const last = result.history[result.history.length - 1];
      expect(last.trainLoss).toBeLessThan(0.1 * first.trainLoss);
      // Real units, next to the constant predictor (the mean of the training targets).
      const end = last.valRmse!;
      expect(end.steering).toBeLessThan(0.5 * last.baselineRmse.val!.steering);
      expect(end.speed).toBeLessThan(0.5 * last.baselineRmse.val!.speed);
      expect(last.baselineRmse.train.speed).toBeGreaterThan(3); // speed spans 5..15 m/s
    });
  });

  it.each([['speed-head', ['speed']], ['heads', ['steering', 'speed', 'torque']]] as const)(
    "training.trainable '%s' updates those layers alone, and reports only their gradient norms", async (trainable, layers) => {
      await withNet({ training: { epochs: 2, trainable } }, async (net) => {
        const before = weightValues(net);
        const steps: StepProgress[] = [];
        const result = await train(net, { onProgress: (e) => e.kind === 'step' && steps.push(e) });
        expect(result.status).toBe('completed');
        const after = weightValues(net);
        const changed = net.layers.filter((l, i, all) => {
          const from = all.slice(0, i).reduce((s, x) => s + x.weights.length, 0);
          return l.weights.some((_, k) => after[from + k].some((v, j) => v !== before[from + k][j]));
        }).map((l) => l.name);
        expect(changed).toEqual(layers);
        for (const s of steps) expect(s.gradNorms.map((g) => g.layer)).toEqual(layers);
      });
    });

  it('reports the gradient norm of every layer at every step, and the global norm they make', async () => {
    await withNet({ training: { epochs: 1, gradientClip: { kind: 'none' } } }, async (net) => {
      const steps: StepProgress[] = [];
      await train(net, { onProgress: (e) => e.kind === 'step' && steps.push(e) });
      expect(steps.length).toBeGreaterThan(2);
      for (const s of steps) {
        expect(s.gradNorms.map((g) => g.layer)).toEqual(net.layers.map((l) => l.name));
        for (const g of s.gradNorms) expect(g.norm).toBeGreaterThan(0);
        expect(s.globalGradNorm).toBeCloseTo(Math.sqrt(s.gradNorms.reduce((a, g) => a + g.norm ** 2, 0)), 4);
        expect(s.appliedGradNorm).toBeCloseTo(s.globalGradNorm, 4);
        expect(s.examplesPerSecond).toBeGreaterThan(0);
        expect(s.etaSeconds).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(s.rmse.steering)).toBe(true);
        expect(s.baselineRmse.speed).toBeGreaterThan(3); // speed spans 5..15 m/s
      }
      expect(steps.map((s) => s.step)).toEqual(steps.map((_, i) => i));
    });
  });

  it('clips by global norm: the update applied is bounded by maxNorm', async () => {
    // Plain SGD at learning rate 1: the weight change IS the applied gradient.
    await withNet({ training: { epochs: 1, batchSize: 1000, learningRate: 1, optimizer: { kind: 'sgd', momentum: 0, nesterov: false }, gradientClip: { kind: 'global-norm', maxNorm: 0.01 } } }, async (net) => {
      const before = weightValues(net);
      const steps: StepProgress[] = [];
      await train(net, { onProgress: (e) => e.kind === 'step' && steps.push(e) });
      expect(steps).toHaveLength(1);
      expect(steps[0].globalGradNorm).toBeGreaterThan(0.1);
      expect(steps[0].appliedGradNorm).toBeCloseTo(0.01, 6);
      const after = weightValues(net);
      const moved = Math.sqrt(after.reduce((s, w, i) => s + w.reduce((a, v, j) => a + (v - before[i][j]) ** 2, 0), 0));
      expect(moved).toBeCloseTo(0.01, 5);
    });
  });

  it('clips by value: no weight moves by more than maxValue * learning rate', async () => {
    await withNet({ training: { epochs: 1, batchSize: 1000, learningRate: 1, optimizer: { kind: 'sgd', momentum: 0, nesterov: false }, gradientClip: { kind: 'value', maxValue: 0.001 } } }, async (net) => {
      const before = weightValues(net);
      const steps: StepProgress[] = [];
      await train(net, { onProgress: (e) => e.kind === 'step' && steps.push(e) });
      const after = weightValues(net);
      const biggest = Math.max(...after.flatMap((w, i) => w.map((v, j) => Math.abs(v - before[i][j]))));
      expect(biggest).toBeLessThanOrEqual(0.001 * (1 + 1e-4));
      expect(biggest).toBeGreaterThan(0.0009);
      expect(steps[0].appliedGradNorm).toBeLessThan(steps[0].globalGradNorm);
    });
  });

  it('pauses between steps, resumes, and cancels cooperatively', async () => {
    await withNet({ training: { epochs: 50 } }, async (net) => {
      const control = new TrainingControl();
      const events: string[] = [];
      let steps = 0;
      let stepsWhilePaused = -1;
      const run = trainModel({
        net, train: source(net.config), control, yieldToEventLoop: () => new Promise((r) => setTimeout(r, 0)),
        onProgress: (e: TrainingEvent) => {
          events.push(e.kind);
          if (e.kind !== 'step') return;
          steps++;
          if (steps === 3) {
            control.pause();
            setTimeout(() => {
              stepsWhilePaused = steps;
              control.resume();
            }, 100);
          }
          if (steps === 6) control.cancel();
        },
      });
      const result = await run;
      expect(stepsWhilePaused).toBe(3); // nothing ran during the 100 ms pause
      expect(result.status).toBe('cancelled');
      expect(result.steps).toBe(6);
      expect(events.filter((k) => k === 'paused')).toHaveLength(1);
      expect(events.indexOf('paused')).toBe(events.lastIndexOf('step', 2) + 1);
      expect(events).toContain('resumed');
      expect(control.state).toBe('cancelled');
    });
  });

  it('stops early when the validation loss stops improving, and restores the best weights', async () => {
    await withNet({ training: { epochs: 20, earlyStopping: { patience: 2, minDelta: 1e6, restoreBest: true } } }, async (net) => {
      const checkpoints: TrainingCheckpoint[] = [];
      const result = await train(net, { validation: source(net.config, { shuffle: false }), onCheckpoint: (c) => void checkpoints.push(c) });
      expect(result.status).toBe('early-stopped');
      expect(result.epochsDone).toBe(3); // epoch 0 is the best; 1 and 2 do not beat it by minDelta
      expect(result.best?.epoch).toBe(0);
      expect(result.restoredBest).toBe(true);
      expect(checkpoints).toHaveLength(3);
      const best = new Float32Array(checkpoints[2].bestWeights!.data);
      expect(Array.from(best)).toEqual(weightValues(net).flat());
      expect(Array.from(new Float32Array(checkpoints[2].weights.data))).not.toEqual(Array.from(best));
    });
  });

  it('cancelled mid-epoch, keeps the best epoch\'s weights, not the unfinished epoch\'s', async () => {
    await withNet({ training: { epochs: 20, earlyStopping: { patience: 0, minDelta: 0, restoreBest: true } } }, async (net) => {
      const control = new TrainingControl();
      const checkpoints: TrainingCheckpoint[] = [];
      let stepsAfterEpoch = -1;
      const result = await train(net, {
        control,
        validation: source(net.config, { shuffle: false }),
        onCheckpoint: (c) => {
          checkpoints.push(structuredClone(c));
          stepsAfterEpoch = 0;
        },
        onProgress: (e: TrainingEvent) => {
          if (e.kind === 'step' && stepsAfterEpoch >= 0 && ++stepsAfterEpoch === 2) control.cancel();
        },
      });
      expect(result.status).toBe('cancelled');
      expect(result.epochsDone).toBe(1);
      expect(result.restoredBest).toBe(true);
      const cp = checkpoints[0];
      // Epoch 0 was the best; two steps of epoch 1 moved the weights, and the run put epoch 0's back.
      expect(weightValues(net).flat()).toEqual(Array.from(new Float32Array(cp.bestWeights!.data)));
    });
  });

  it('resumes from a checkpoint (after a reload) to exactly the weights of an uninterrupted run', async () => {
    const overrides: ConfigOverrides = {
      training: { epochs: 3, optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } },
      augmentation: { flipProbability: 0.5, brightness: 0.1, shiftX: 1 },
    };
    const straight = await withNet(overrides, async (net) => {
      await train(net);
      return weightValues(net);
    });
    let saved: TrainingCheckpoint | null = null;
    const control = new TrainingControl();
    await withNet(overrides, async (net) => {
      const r = await train(net, {
        control,
        onCheckpoint: (c) => {
          saved = structuredClone(c); // what IndexedDB would store
          if (c.epochsDone === 1) control.cancel();
        },
      });
      expect(r.status).toBe('cancelled');
      expect(r.epochsDone).toBe(1);
    });
    expect(saved!.epochsDone).toBe(1);
    // After a reload: a net rebuilt from the checkpoint's config, its fresh weights scrambled
    // to show the checkpoint's win.
    const net = createSteeringNet(saved!.config);
    try {
      tf.tidy(() => netWeights(net).forEach((w) => w.write(tf.randomNormal(w.shape as number[]))));
      const r = await train(net, { resumeFrom: saved });
      expect(r.status).toBe('completed');
      expect(r.history.map((h) => h.epoch)).toEqual([0, 1, 2]);
      const got = weightValues(net);
      for (const [i, w] of got.entries()) for (const [j, v] of w.entries()) expect(v).toBeCloseTo(straight[i][j], 5);
    } finally {
      net.dispose();
    }
  });

  it('keeps the tensor count flat over 50 training steps and frees everything it made', async () => {
    await withNet({ training: { epochs: 20 } }, async (net) => {
      const before = tf.memory().numTensors;
      const counts: { epoch: number; n: number }[] = [];
      await train(net, { onProgress: (e) => e.kind === 'step' && counts.push({ epoch: e.epoch, n: tf.memory().numTensors }) });
      // From epoch 1 on the trainer also holds the best epoch's weights (one copy, replaced in place).
      const held = counts.filter((c) => c.epoch >= 1).map((c) => c.n);
      expect(held.length).toBeGreaterThanOrEqual(50);
      expect(new Set(held).size).toBe(1);
      expect(held[0] - counts[0].n).toBe(netWeights(net).length);
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  it.each([
    { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    { kind: 'sgd', momentum: 0.9, nesterov: true },
    { kind: 'rmsprop', decay: 0.9, momentum: 0, epsilon: 1e-7 },
  ] as const)('trains with $kind', async (optimizer) => {
    await withNet({ heads: PINNED_HEAD_WEIGHTS, training: { epochs: 6, optimizer, learningRate: optimizer.kind === 'sgd' ? 0.02 : 3e-3 } }, async (net) => {
      const r = await train(net);
      expect(r.history[5].trainLoss).toBeLessThan(0.8 * r.history[0].trainLoss);
    });
  });

  it('reports a diverging run and stops', async () => {
    await withNet({ training: { epochs: 10, learningRate: 10, optimizer: { kind: 'sgd', momentum: 0.99, nesterov: false }, gradientClip: { kind: 'none' } } }, async (net) => {
      const r = await train(net);
      expect(r.status).toBe('diverged');
    });
  });

  it('balances by steering bins or curves, and needs curvature for the latter', async () => {
    const w = steerBinWeights(new Float32Array([0, 1, 0, 0, 1, 0, 0, 1, 0, 0.95, 1, 0]), 4, 100);
    // Bins over -1..1: three examples at 0 (bin 2), one at 0.95 (bin 3): weights 4/(2*3), 4/(2*1).
    expect(Array.from(w)).toEqual([0, 0, 4 / 6, 2].map((v) => Math.fround(v)));
    expect(Array.from(steerBinWeights(new Float32Array([0, 1, 0, 0, 1, 0, 0, 1, 0, 0.95, 1, 0]), 4, 1.5))[3]).toBe(1.5);
    await withNet({ training: { epochs: 1 }, balance: { kind: 'curves', minAbsCurvature: 0.01, factor: 3 } }, async (net) => {
      await expect(train(net)).rejects.toThrow("balance 'curves' needs curvature");
      const r = await train(net, { train: source(net.config, { curvature: true }) });
      expect(r.status).toBe('completed');
    });
    await withNet({ training: { epochs: 1 }, balance: { kind: 'steer-bins', bins: 11, maxWeight: 5 } }, async (net) => {
      expect((await train(net)).status).toBe('completed');
    });
    // speedBalance reads the speedometer: a model that does not read the speed is refused before any step.
    await withNet({ training: { epochs: 1 }, speedBalance: { minChange: 2, factor: 3 } }, async (net) => {
      await expect(train(net)).rejects.toThrow('needs a model that reads the speed');
    });
  });

  it('computes the constant-predictor baseline and the learning-rate schedules', () => {
    const t = new Float32Array([1, 10, 0, -1, 20, 0]);
    expect(constantPredictorRmse(t, t)).toEqual({ steering: 1, speed: 5, torque: 0 });
    const base = tinyConfig().training;
    const at = (schedule: ModelConfig['training']['schedule'], step: number, warmupSteps = 0) =>
      scheduledLearningRate({ ...base, learningRate: 0.1, epochs: 10, schedule, warmupSteps }, { step, stepsPerEpoch: 10 });
    expect(at({ kind: 'constant' }, 55)).toBe(0.1);
    expect(at({ kind: 'step', everyEpochs: 2, gamma: 0.5 }, 39)).toBeCloseTo(0.05, 10);
    expect(at({ kind: 'step', everyEpochs: 2, gamma: 0.5 }, 40)).toBeCloseTo(0.025, 10);
    expect(at({ kind: 'cosine', minLearningRate: 0 }, 50)).toBeCloseTo(0.05, 10);
    expect(at({ kind: 'cosine', minLearningRate: 0.01 }, 100)).toBeCloseTo(0.01, 10);
    expect(at({ kind: 'exponential', decayPerEpoch: 0.5 }, 15)).toBeCloseTo(0.1 * 0.5 ** 1.5, 10);
    expect(at({ kind: 'constant' }, 4, 10)).toBeCloseTo(0.05, 10);
  });

  it('refuses batches that do not fit the model', async () => {
    await withNet({ training: { epochs: 1 } }, async (net) => {
      const wrongWindow = createArrayBatchSource({ sequences: [syntheticSequence({ count: 20, width: W, height: H })], frameWidth: W, frameHeight: H, window: 2, runLength: 6, batchSize: 8, shuffleSeed: null });
      await expect(train(net, { train: wrongWindow })).rejects.toThrow('windows of 2 frames; the model reads 3');
    });
  });
});

