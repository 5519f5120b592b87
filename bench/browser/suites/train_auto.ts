// Suite 'train_auto': does Settings > Training workers 'auto' end up with whatever is faster on
// this machine? The default CNN+LSTM on wasm (as train_workers), rounds of three runs side by side
// (each round starts with the next kind, so none always runs in the same place): one worker, two
// workers, and 'auto' (a run whose first steps are the trial of
// src/model/workerChoice.ts, alternating one and two, and which goes on with the side the trial
// keeps). The check compares each round's trial choice with the one/two ratio of the fixed runs of
// the same round (the load changes from round to round): 'auto' keeps two only when two are faster
// by the margin (TWO_WORKER_MARGIN), so a ratio between 1 and the margin fits either choice;
// outside it the choice must be the faster side. The suite fails when fewer than half the rounds
// fit. Also the 'auto' run's own speed after its trial against the faster of the two.
// Its figures are named auto_suite_* (train_workers reports the same one/two measures, over rounds of its own).
// Params: rounds (default 3; quick 1), steps (timed steps per run, default 6; quick 3), check (default 1; 0 reports only).
import * as Comlink from 'comlink';
import { figure, listParam, median, type Figure, type SuiteOptions, type SuiteResult } from '../../lib/stats.ts';
import { TWO_WORKER_MARGIN, type TrialResult } from '../../../src/model/workerChoice.ts';
import type { BenchTrainWorker } from '../trainWorker.ts';
import { startWasmWorkerPair } from '../trainWorkerPair.ts';
import { progress } from '../progress.ts';

/** The trial of every 'auto' run: one warm-up step each side, then 3 timed each (8 steps, as the app's under load). */
const TRIAL = { warmup: 1, minSteps: 3, maxSteps: 3 };
const TRIAL_STEPS = 2 * (TRIAL.warmup + TRIAL.minSteps);

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
  const rounds = param(options, 'rounds', quick ? 1 : 3);
  const steps = param(options, 'steps', quick ? 3 : 6);
  const check = param(options, 'check', 1) !== 0;
  const figures: Record<string, Figure> = {};
  const ratios: Record<string, number> = {};
  const notes: string[] = [];

  const pair = await startWasmWorkerPair({ suite: 'train_auto', quick, steps });
  const { a, b, count, request } = pair;
  const { budget } = request;
  try {
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
    /** Per round: two/one measured side by side (the fixed runs) and whether the trial's choice fits it. */
    const sides: number[] = [];
    const agrees: boolean[] = [];
    const stepNotes: string[] = [];
    type Timing = Awaited<ReturnType<BenchTrainWorker['time']>>;
    const kinds = {
      one: () => a.api.time(request),
      two: () => withPeer({}),
      // The trial's steps are the run's warm-up for the timing; the timed steps come after it.
      auto: () => withPeer({ trial: TRIAL, budget: { ...budget, warmup: TRIAL_STEPS } }),
    };
    const order = ['one', 'two', 'auto'] as const;
    for (let r = 0; r < rounds; r++) {
      const tag = `train_auto: round ${r + 1}/${rounds}`;
      // Each round starts one further along (one, two, auto; two, auto, one; ...), so no kind always runs in the same place.
      const t: Partial<Record<(typeof order)[number], Timing>> = {};
      for (let k = 0; k < order.length; k++) {
        const kind = order[(r + k) % order.length];
        progress(`${tag}: ${kind} ...`);
        t[kind] = await kinds[kind]();
      }
      const [t1, t2, ta] = [t.one!, t.two!, t.auto!];
      if (!ta.trial) throw new Error('the auto run ended before its trial decided');
      one.push(...t1.examplesPerSecond);
      two.push(...t2.examplesPerSecond);
      auto.push(...ta.examplesPerSecond);
      trials.push(ta.trial);
      const side = median(t2.examplesPerSecond) / median(t1.examplesPerSecond);
      sides.push(side);
      agrees.push(allowedChoices(side).includes(ta.trial.workers));
      progress(`${tag}: two/one side by side ${side.toFixed(2)}x; the trial measured ${ta.trial.ratio.toFixed(2)}x and kept ${ta.trial.workers}`);
      // The same steps in ms per example: the trial's sides against the fixed runs of this round.
      const msPer = (xs: readonly number[]): string => xs.map((x) => x.toFixed(1)).join(' ');
      const fixed = (t: Timing): number[] => t.examplesPerSecond.map((e) => 1000 / e);
      stepNotes.push(`round ${r + 1} ms/example: trial one [${msPer(ta.trial.msPerExample.one)}] two [${msPer(ta.trial.msPerExample.two)}]; fixed one [${msPer(fixed(t1))}] two [${msPer(fixed(t2))}]`);
    }
    const sideBySide = median(two) / median(one);
    figures['train_examples_per_s.auto_suite_1worker.cnn_lstm'] = figure(one, 'examples/s');
    figures['train_examples_per_s.auto_suite_2workers.cnn_lstm'] = figure(two, 'examples/s');
    figures['train_examples_per_s.wasm_auto.cnn_lstm'] = figure(auto, 'examples/s');
    ratios['train_two_workers_vs_one.auto_suite.cnn_lstm'] = sideBySide;
    ratios['train_auto_trial_two_vs_one.wasm.cnn_lstm'] = median(trials.map((t) => t.ratio));
    ratios['train_auto_vs_faster.wasm.cnn_lstm'] = median(auto) / Math.max(median(one), median(two));
    // Each round's trial against the fixed runs of the same round (the load of the moment): the
    // trial must fit them in most rounds (a ratio inside 1..margin fits either choice).
    const agreeing = agrees.filter(Boolean).length;
    ratios['train_auto_rounds_agreeing'] = agreeing / rounds;
    notes.push(
      `per round, the trial's choice against two/one side by side in the same round (${TWO_WORKER_MARGIN}x or more: two is right; below 1: one; between: either): ${trials.map((t, r) => `${t.ratio.toFixed(2)}x -> ${t.workers === 2 ? 'two' : 'one'} vs ${sides[r].toFixed(2)}x: ${agrees[r] ? 'agrees' : 'DISAGREES'}`).join('; ')}; all rounds pooled, two/one ${sideBySide.toFixed(2)}x`,
      `DEFAULT_CONFIG CNN+LSTM on wasm, ${count} dash frames of the expert on the oval; ${rounds} rounds of one worker, two workers and 'auto' (each round starting with the next), ${steps} timed steps each after 2 warm-up steps (auto: after its ${TRIAL_STEPS}-step trial, ${TRIAL.warmup} warm-up and ${TRIAL.minSteps} timed steps a side, alternating)`,
    );
    notes.push(...stepNotes);
    if (check && agreeing * 2 < rounds) {
      throw new Error(`'auto' fit the side-by-side runs in ${agreeing} of ${rounds} rounds (trials ${trials.map((t) => t.ratio.toFixed(2)).join(', ')}; side by side ${sides.map((x) => x.toFixed(2)).join(', ')}); ${stepNotes.join('; ')}`);
    }
  } finally {
    pair.terminate();
  }
  return { figures, ratios, notes };
}
