// Times the project's real training loop (src/model/train.ts trainModel) step by step, under a
// sampling budget like stats.ts's sample(). A step's time runs from the end of the yield that
// precedes it (trainModel yields to the event loop between steps) to its progress event: batch
// assembly, preprocessing, augmentation, forward, backward, gradient norms, clipping and the
// optimiser update, everything but the yield. `between` runs inside that yield, outside the
// timing: the bench interleaves the other engine's batches there, so load from other work on a
// shared machine hits both sides of a ratio alike.
import type { BatchSource } from '../../src/model/batchSource.ts';
import type { GradientPeer } from '../../src/model/dataParallel.ts';
import type { TrialResult, WorkerTrial } from '../../src/model/workerChoice.ts';
import type { SteeringNet } from '../../src/model/factory.ts';
import { trainModel } from '../../src/model/train.ts';
import { TrainingControl } from '../../src/model/trainProtocol.ts';
import type { SamplingBudget } from './stats.ts';

export interface TrainTiming {
  /** ms per timed step. */
  readonly stepMs: number[];
  /** examples/s of each timed step (a step's examples over its time). */
  readonly examplesPerSecond: number[];
  /** Untimed warm-up steps that ran first. */
  readonly warmupSteps: number;
  /** The loss of every step, warm-up included (normalised units). */
  readonly losses: number[];
  /** The loss became NaN or infinite: the timings are those of the steps before it. */
  readonly diverged: boolean;
}

export interface TimeTrainingOptions {
  /** Trained in place; its config sets optimiser, augmentation and batch size. Give it enough epochs. */
  readonly net: SteeringNet;
  readonly source: BatchSource;
  readonly budget: SamplingBudget;
  /** Runs before each timed step, outside its timing; gets the number of steps timed so far. */
  readonly between?: (timedSoFar: number) => Promise<void> | void;
  /** A second worker's replica taking half of every batch (src/model/dataParallel.ts); absent: one worker. */
  readonly peer?: GradientPeer | null;
  readonly onPeerLost?: (reason: string) => void;
  /** With a peer: 'auto' mode's trial of one worker against two over the first steps (src/model/workerChoice.ts). */
  readonly peerTrial?: WorkerTrial | null;
  readonly onPeerTrial?: (result: TrialResult) => void;
}

const macrotask = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

export async function timeTraining(opts: TimeTrainingOptions): Promise<TrainTiming> {
  const { net, source, budget, between, peer, onPeerLost, peerTrial, onPeerTrial } = opts;
  const control = new TrainingControl();
  const stepMs: number[] = [];
  const examplesPerSecond: number[] = [];
  const losses: number[] = [];
  const start = performance.now();
  let steps = 0;
  let timedMs = 0;
  let ready = performance.now();
  const result = await trainModel({
    net,
    train: source,
    control,
    peer,
    onPeerLost,
    peerTrial,
    onPeerTrial,
    yieldToEventLoop: async () => {
      await macrotask();
      if (between && steps >= budget.warmup && control.state === 'running') await between(stepMs.length);
      ready = performance.now();
    },
    onProgress: (e) => {
      if (e.kind !== 'step') return;
      const now = performance.now();
      const ms = now - ready;
      steps++;
      losses.push(e.loss);
      const overLimit = now - start > budget.hardLimitMs;
      if (steps <= budget.warmup) {
        // A warm-up step that alone blows the hard limit is kept: one honest slow figure beats none.
        if (overLimit) {
          stepMs.push(ms);
          examplesPerSecond.push((e.examples * 1000) / ms);
          control.cancel();
        }
        return;
      }
      stepMs.push(ms);
      examplesPerSecond.push((e.examples * 1000) / ms);
      timedMs += ms;
      if (stepMs.length >= budget.maxRuns || (stepMs.length >= budget.minRuns && timedMs > budget.budgetMs) || overLimit) control.cancel();
    },
  });
  // A diverged run still timed real steps (speed does not depend on the values); say so, keep them.
  if (stepMs.length === 0) throw new Error(`no step was timed (${result.status} after ${result.steps} steps${result.status === 'completed' ? ': the source holds too few batches for the budget?' : ''})`);
  return { stepMs, examplesPerSecond, warmupSteps: Math.min(steps, budget.warmup), losses, diverged: result.status === 'diverged' };
}
