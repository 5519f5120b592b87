// Suite 'train_auto': does Settings > Training workers 'auto' end up with whatever is faster on
// this machine? The default CNN+LSTM on wasm (as train_workers), rounds of three runs side by side:
// one worker, two workers, and 'auto' (a run whose first steps are the trial of
// src/model/workerChoice.ts, alternating one and two, and which goes on with the side the trial
// keeps). The check compares the trial's choice with the one/two ratio measured beside it: 'auto'
// keeps two only when two are faster by the margin (TWO_WORKER_MARGIN), so a measured ratio between
// 1 and the margin accepts either; outside it the choice must be the faster side, or the suite
// fails. Also the 'auto' run's own speed after its trial against the faster of the two.
// Params: rounds (default 2; quick 1), steps (timed steps per run, default 6; quick 3), check (default 1; 0 reports only).
import * as Comlink from 'comlink';
import { figure, listParam, median, type Figure, type SuiteOptions, type SuiteResult } from '../../lib/stats.ts';
import { TWO_WORKER_MARGIN, type TrialResult } from '../../../src/model/workerChoice.ts';
import type { BenchTrainWorker } from '../trainWorker.ts';
import { dashFrames, expertDrive } from '../drive.ts';
import { progress } from '../progress.ts';

const DASH = { width: 200, height: 66 };
/** The trial of every 'auto' run: one warm-up step each side, then 3 timed each (8 steps, as the app's under load). */
const TRIAL = { warmup: 1, minSteps: 3, maxSteps: 3 };
const TRIAL_STEPS = 2 * (TRIAL.warmup + TRIAL.minSteps);

function startWorker(name: string): { api: Comlink.Remote<BenchTrainWorker>; worker: Worker } {
  const worker = new Worker(new URL('../trainWorker.ts', import.meta.url), { type: 'module', name });
  return { worker, api: Comlink.wrap<BenchTrainWorker>(worker) };
}

function param(options: SuiteOptions, key: string, fallback: number): number {
  const v = listParam(options, key)?.[0];
  return v === undefined ? fallback : Number(v);
}

/** Which sides a measured two/one ratio allows 'auto' to keep. */
export function allowedChoices(ratio: number): readonly (1 | 2)[] {
  if (ratio >= TWO_WORKER_MARGIN) return [2];
  if (ratio < 1) return [1];
  return [1, 2];
}

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  const { quick } = options;
  const rounds = param(options, 'rounds', quick ? 1 : 2);
  const steps = param(options, 'steps', quick ? 3 : 6);
  const check = param(options, 'check', 1) !== 0;
  const figures: Record<string, Figure> = {};
  const ratios: Record<string, number> = {};
  const notes: string[] = [];

  const count = quick ? 64 : 256;
  const drive = expertDrive('oval', count, 60);
  progress(`train_auto: rendering ${count} dash frames at ${DASH.width}x${DASH.height}`);
  const frames = await dashFrames('oval', drive.poses, DASH.width, DASH.height);
  const a = startWorker('train-a');
  const b = startWorker('train-b');
  try {
    const backends = await Promise.all([a.api.init('wasm'), b.api.init('wasm')]);
    if (backends.some((x) => x !== 'wasm')) throw new Error(`the workers run ${backends.join(' and ')}, not wasm`);
    const budget = { warmup: 2, minRuns: steps, maxRuns: steps, budgetMs: 60_000, hardLimitMs: 300_000 };
    const request = { ...DASH, frames, targets: drive.targets, budget };
    const withPeer = async (extra: object) => {
      const { port1, port2 } = new MessageChannel();
      const served = b.api.servePeer(Comlink.transfer(port2, [port2]));
      const t = await a.api.time(Comlink.transfer({ ...request, ...extra, peerPort: port1 }, [port1]));
      await served;
      if (t.lost.length) throw new Error(`the peer was lost: ${t.lost.join('; ')}`);
      return t;
    };
    const one: number[] = [];
    const two: number[] = [];
    const auto: number[] = [];
    const trials: TrialResult[] = [];
    for (let r = 0; r < rounds; r++) {
      const tag = `train_auto: round ${r + 1}/${rounds}`;
      progress(`${tag}: one worker ...`);
      const t1 = await a.api.time(request);
      progress(`${tag}: two workers ...`);
      const t2 = await withPeer({});
      progress(`${tag}: auto (trial, then the side it keeps) ...`);
      // The trial's steps are the run's warm-up for the timing; the timed steps come after it.
      const ta = await withPeer({ trial: TRIAL, budget: { ...budget, warmup: TRIAL_STEPS } });
      if (!ta.trial) throw new Error('the auto run ended before its trial decided');
      one.push(...t1.examplesPerSecond);
      two.push(...t2.examplesPerSecond);
      auto.push(...ta.examplesPerSecond);
      trials.push(ta.trial);
      const side = median(t2.examplesPerSecond) / median(t1.examplesPerSecond);
      progress(`${tag}: two/one side by side ${side.toFixed(2)}x; the trial measured ${ta.trial.ratio.toFixed(2)}x and kept ${ta.trial.workers}`);
    }
    const sideBySide = median(two) / median(one);
    figures['train_examples_per_s.wasm_1worker.cnn_lstm'] = figure(one, 'examples/s');
    figures['train_examples_per_s.wasm_2workers.cnn_lstm'] = figure(two, 'examples/s');
    figures['train_examples_per_s.wasm_auto.cnn_lstm'] = figure(auto, 'examples/s');
    ratios['train_two_workers_vs_one.wasm.cnn_lstm'] = sideBySide;
    ratios['train_auto_trial_two_vs_one.wasm.cnn_lstm'] = median(trials.map((t) => t.ratio));
    ratios['train_auto_vs_faster.wasm.cnn_lstm'] = median(auto) / Math.max(median(one), median(two));
    // The choice of the last round is what the app would cache.
    const choice = trials[trials.length - 1].workers;
    const allowed = allowedChoices(sideBySide);
    ratios['train_auto_choice_workers'] = choice;
    notes.push(
      `'auto' kept ${choice === 2 ? 'two workers' : 'one worker'} (trial ratios ${trials.map((t) => `${t.ratio.toFixed(2)}x -> ${t.workers}`).join(', ')}); one and two side by side: two/one ${sideBySide.toFixed(2)}x, so ${allowed.length === 2 ? `either is right (two keep only at ${TWO_WORKER_MARGIN}x or more)` : `the faster is ${allowed[0] === 2 ? 'two' : 'one'}`}: ${allowed.includes(choice) ? 'agrees' : 'DISAGREES'}`,
      `DEFAULT_CONFIG CNN+LSTM on wasm, ${count} dash frames of the expert on the oval; ${rounds} rounds of one worker, two workers and 'auto', ${steps} timed steps each after 2 warm-up steps (auto: after its ${TRIAL_STEPS}-step trial, ${TRIAL.warmup} warm-up and ${TRIAL.minSteps} timed steps a side, alternating)`,
    );
    if (check && !allowed.includes(choice)) {
      throw new Error(`'auto' kept ${choice} worker(s) but one and two side by side measured two/one ${sideBySide.toFixed(2)}x (trials: ${trials.map((t) => t.ratio.toFixed(2)).join(', ')})`);
    }
  } finally {
    a.worker.terminate();
    b.worker.terminate();
  }
  return { figures, ratios, notes };
}
