import { describe, expect, it } from 'vitest';
import { applyEvent, failed, finished, IDLE_RUN, isActive, lastEpochSummary, outcomeMessage, paused, startRun, stopping } from './runState.ts';
import type { EpochEventLike, StepEventLike, TrainOutcomeLike } from './trainingContract.ts';

const heads = { steering: 0.1, speed: 1, torque: 0.2 };
const step = (epoch: number, batch: number): StepEventLike => ({
  kind: 'step', epoch, epochs: 4, batch, batchesPerEpoch: 10, step: epoch * 10 + batch, examples: 0, examplesPerSecond: 250,
  etaSeconds: 30, learningRate: 1e-3, loss: 1, rmse: heads, baselineRmse: heads, gradNorms: [], globalGradNorm: 1, appliedGradNorm: 1,
});
const outcome = (over: Partial<TrainOutcomeLike> = {}): TrainOutcomeLike => ({
  status: 'completed', modelId: 'm1', epochsDone: 4, backend: 'wasm', rmse: { steering: 0.061, speed: 1, torque: 0.1 }, baselineRmse: { steering: 0.182, speed: 3, torque: 0.3 }, ...over,
});

describe('run state', () => {
  it('goes starting -> running on the first step, with progress over all epochs', () => {
    let s = startRun({ runId: 'r', name: 'n', resume: false });
    expect(isActive(s)).toBe(true);
    s = applyEvent(s, { kind: 'preparing', message: 'Reading clips' });
    expect(s.message).toBe('Reading clips');
    s = applyEvent(s, step(1, 4));
    expect(s.phase).toBe('running');
    expect(s.message).toBeNull();
    expect(s.fraction).toBeCloseTo(15 / 40, 12);
    expect([s.epoch, s.epochs, s.batch, s.examplesPerSecond, s.etaSeconds]).toEqual([1, 4, 4, 250, 30]);
  });

  it('news while the run runs (clips joining at an epoch) stays among the notices, not in the status line the next step clears', () => {
    let s = startRun({ runId: 'r', name: 'n', resume: false });
    s = applyEvent(s, step(0, 1));
    s = applyEvent(s, { kind: 'preparing', message: 'Epoch 2: 3 new clips join the training' });
    s = applyEvent(s, step(1, 0));
    expect(s.notices).toEqual([{ text: 'Epoch 2: 3 new clips join the training', kind: 'info' }]);
    expect(s.message).toBeNull();
  });

  it('the first backend event says where it started, later ones are switch warnings', () => {
    let s = startRun({ runId: 'r', name: 'n', resume: false });
    s = applyEvent(s, { kind: 'backend', backend: 'webgpu', reason: 'training on webgpu' });
    s = applyEvent(s, { kind: 'backend', backend: 'wasm', reason: 'webgpu failed (lost device); trying the next backend' });
    expect(s.backend).toBe('wasm');
    expect(s.notices.map((n) => n.kind)).toEqual(['info', 'warn']);
  });

  it('one or two training workers, and the measured ratio, are news (info), not a warning', () => {
    let s = startRun({ runId: 'r', name: 'n', resume: false });
    s = applyEvent(s, { kind: 'backend', backend: 'wasm', reason: 'training on wasm' });
    s = applyEvent(s, { kind: 'workers', workers: null, ratio: null, reason: 'timing two workers against one over the first steps' });
    s = applyEvent(s, { kind: 'workers', workers: 1, ratio: 0.8, reason: 'one worker: two measured 0.80x' });
    expect(s.notices.map((n) => n.kind)).toEqual(['info', 'info', 'info']);
    expect(s.notices[2].text).toBe('Training workers: one worker: two measured 0.80x');
    expect(s.backend).toBe('wasm');
  });

  it('pause, resume and cancel', () => {
    let s = applyEvent(startRun({ runId: 'r', name: 'n', resume: false }), step(0, 0));
    s = paused(s, true);
    expect(s.phase).toBe('paused');
    s = applyEvent(s, step(0, 1)); // a step already under way when the pause arrived
    expect(s.phase).toBe('paused');
    s = applyEvent(s, { kind: 'resumed' });
    expect(s.phase).toBe('running');
    s = stopping(s);
    expect(s.phase).toBe('stopping');
    expect(applyEvent(s, { kind: 'paused' }).phase).toBe('stopping');
  });

  it('ends with the outcome; events after the end change nothing', () => {
    let s = applyEvent(startRun({ runId: 'r', name: 'LSTM', resume: false }), step(3, 9));
    s = finished(s, outcome());
    expect(s.phase).toBe('done');
    expect(s.fraction).toBe(1);
    expect(s.message).toBe("Saved 'LSTM' after 4 epochs on wasm. Steering RMSE 0.061 vs 0.182 (34%) of always predicting the mean. "
      + 'It steers clearly better than driving straight on the held-out clips: hand it the wheel with Drive.');
    expect(s.verdict).toBe('good');
    expect(applyEvent(s, step(0, 0))).toBe(s);
    expect(failed(startRun({ runId: 'r', name: 'n', resume: false }), 'no backend').message).toBe('Training failed: no backend');
    expect(isActive(IDLE_RUN)).toBe(false);
  });

  it('says how each kind of ending went', () => {
    expect(outcomeMessage('m', outcome({ status: 'early-stopped', epochsDone: 1, rmse: null }))).toBe("Stopped early after 1 epoch (validation stopped improving). Saved 'm', with the best epoch's weights.");
    expect(outcomeMessage('m', outcome({ status: 'cancelled', modelId: null, epochsDone: 0 }))).toMatch(/nothing was saved/);
    expect(outcomeMessage('m', outcome({ status: 'diverged', rmse: null }))).toMatch(/lower learning rate/);
    expect(outcomeMessage('m', outcome({ status: 'budget', epochsDone: 2, rmse: null }))).toBe("Stopped at the time budget after 2 epochs. Saved 'm'.");
    expect(outcomeMessage('m', outcome({ status: 'novel', rmse: null }))).toBe("Training ended (novel) after 4 epochs. Saved 'm'.");
  });

  it('states the speed head against holding the present speed when the run measured it, and as before when it did not', () => {
    expect(outcomeMessage('m', outcome({ rmse: { steering: 0.061, speed: 1.523, torque: 0.1 }, speedometerRmse: 2.14 })))
      .toBe("Saved 'm' after 4 epochs on wasm. Steering RMSE 0.061 vs 0.182 (34%) of always predicting the mean. Speed RMSE 1.52 m/s vs holding the present speed: 2.14 m/s.");
    expect(outcomeMessage('m', outcome())).toBe("Saved 'm' after 4 epochs on wasm. Steering RMSE 0.061 vs 0.182 (34%) of always predicting the mean.");
    expect(outcomeMessage('m', outcome({ rmse: null, speedometerRmse: 2.14 }))).toBe("Saved 'm' after 4 epochs on wasm.");
    const epoch = (over: Partial<EpochEventLike> = {}): EpochEventLike => ({
      kind: 'epoch', epoch: 2, epochs: 4, trainLoss: 0.5, trainRmse: { steering: 0.05, speed: 1.2, torque: 0.1 }, valLoss: 0.6, valRmse: { steering: 0.061, speed: 1.523, torque: 0.11 },
      baselineRmse: { train: { steering: 0.17, speed: 4, torque: 0.3 }, val: { steering: 0.182, speed: 4.09, torque: 0.3 } },
      examples: 320, seconds: 3, improved: true, best: null, epochsWithoutImprovement: 0, ...over,
    });
    expect(lastEpochSummary(epoch({ speedometerRmse: 2.14 }))).toBe('Epoch 3 val RMSE: steering 0.061 vs 0.182 (34%), speed 1.52 m/s vs holding the present speed: 2.14 m/s, torque 0.11');
    expect(lastEpochSummary(epoch())).toBe('Epoch 3 val RMSE: steering 0.061 vs 0.182 (34%), speed 1.52 m/s, torque 0.11');
    // A validation figure: not set beside training RMSEs.
    expect(lastEpochSummary(epoch({ valRmse: null, valLoss: null, speedometerRmse: 2.14 }))).toBe('Epoch 3 train RMSE: steering 0.05 vs 0.17 (29%), speed 1.2 m/s, torque 0.1');
  });

  it('a short clip without validation: no validation wording, and a model worse than driving straight says so', () => {
    let s = applyEvent(startRun({ runId: 'r', name: 'one clip', resume: false, hasValidation: false }), step(3, 9));
    s = finished(s, outcome({ status: 'early-stopped', rmse: { steering: 0.119, speed: 1, torque: 0.1 }, baselineRmse: { steering: 0.1, speed: 1, torque: 0.1 } }));
    expect(s.verdict).toBe('worse');
    expect(s.message).not.toMatch(/validation stopped/);
    expect(s.message).toMatch(/no validation set/);
    expect(s.message).toMatch(/worse than driving straight/);
    expect(s.message).toMatch(/not ready to drive/);
    // Nothing saved: no verdict on a model that does not exist.
    expect(finished(s, outcome({ status: 'cancelled', modelId: null })).verdict).toBeNull();
  });

  it("a fine-tune's verdict says what the player's driving added: the base alone and the fine-tune, on the same held-out clips", () => {
    const base = (steering: number) => ({ rmse: { steering, speed: 1, torque: 0.1 }, baselineRmse: { steering: 0.182, speed: 3, torque: 0.3 } });
    const run = (before?: ReturnType<typeof base>, baseName?: string) =>
      finished(applyEvent(startRun({ runId: 'r', name: 'Quick', resume: false, baseName }), step(3, 9)), outcome(before ? { before } : {}));
    expect(run(base(0.091), 'the starter model').message).toMatch(/held-out clips, as a share of driving straight's: the starter model alone 50%, yours 34%: your driving made it better\.$/);
    expect(run(base(0.05), 'the starter model').message).toMatch(/the starter model alone 27%, yours 34%: fine-tuning made it worse on these clips \(the starter model alone drives better for now\)\.$/);
    expect(run(base(0.062)).message).toMatch(/the model it started from alone 34%, yours 34%: about the same as before\.$/);
    // Not a fine-tune (no base figures): the verdict alone.
    expect(run(undefined, 'the starter model').message).toMatch(/hand it the wheel with Drive\.$/);
  });
});
