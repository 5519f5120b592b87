// Quick train: the one button at the top of the Training panel for a newcomer. It fine-tunes the
// starter model (when the app offers it: transfer learning, as Teachable Machine starts from a
// pretrained net) on every complete clip, else trains the default network from random weights,
// with a seeded hold-out of whole clips for validation (the library's 'val' tags when the player
// set any), under a time budget, so the verdict compares the model with driving straight on
// clips it never saw. The plan is pure; the view is one button and one sentence.
//
// Why fine-tune: a lap or two of driving is a few thousand frames, too few for a net from random
// weights to learn to steer in minutes (the newcomer path measured 122% of driving straight,
// 13 interventions on its lap); the starter's encoder already sees the road, and fine-tuning
// adapts it to the player's driving. The run trains with the base model's own config, shown as
// the draft (the worker trains a loaded model with the config it was saved with: the starter's
// Adam at 1e-3, early stopping that keeps the best validation epoch).
//
// Test ids: train-quick (the button), train-quick-note (what it will do, or why it cannot).

import { el } from '../dom.ts';
import { planSplit, type SplitChoice, type SplitPlan } from './dataSplit.ts';
import type { ClipInfo } from './trainingContract.ts';

/** Share of the clips held out for validation, %. */
export const QUICK_HOLDOUT_PERCENT = 20;
export const QUICK_SEED = 1;
/** Longest Quick train run, s: the worker stops and saves the best epoch by then. */
export const QUICK_BUDGET_S = 180;
/**
 * A saved model's config as a training request for fine-tuning it: its optional fields written
 * out with the meaning their absence has (no speedometer input, the speed label at the present
 * speed), since the worker fills a request's missing fields from the defaults, which would build
 * the batches for another network than the one loaded (docs: src/model/config.ts). A new object.
 */
export function fineTuneRequestConfig(base: Record<string, unknown>): Record<string, unknown> {
  const c = structuredClone(base);
  const input = c.input;
  if (isRecord(input) && input.speed === undefined) input.speed = false;
  const heads = c.heads;
  if (isRecord(heads) && heads.speedAheadS === undefined) heads.speedAheadS = 0;
  return c;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The split Quick train uses: the player's tags if any clip is tagged 'val', else a hold-out. */
export function quickChoice(clips: readonly ClipInfo[]): SplitChoice {
  if (clips.some((c) => c.complete && c.tag === 'val')) return { mode: 'tags', untagged: 'train' };
  return { mode: 'holdout', percent: QUICK_HOLDOUT_PERCENT, seed: QUICK_SEED };
}

export interface QuickPlan {
  readonly choice: SplitChoice;
  readonly plan: SplitPlan;
  /** One sentence: what Quick train will do, or why it cannot start. */
  readonly note: string;
}

const plural = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * What Quick train would do with these clips and windows of `framesPerExample` frames;
 * `fromStarter`: it fine-tunes the starter model rather than a network from random weights.
 */
export function quickPlan(clips: readonly ClipInfo[], framesPerExample: number, fromStarter = false): QuickPlan {
  const choice = quickChoice(clips);
  const plan = planSplit({ clips, excluded: new Set(), choice, framesPerExample });
  const budget = `for at most ${Math.round(QUICK_BUDGET_S / 60)} minutes`;
  const what = fromStarter ? 'Fine-tunes the starter model (it already drives)' : 'Trains the default network';
  let note: string;
  if (plan.error) note = plan.error;
  else if (plan.val.clips === 0) {
    note = `${what} on your ${plural(plan.train.clips, 'clip')} ${budget}. With one clip nothing can be held out for a fair check: record or auto-record another first.`;
  } else {
    note = `${what} on ${plural(plan.train.clips, 'clip')} and checks it on ${plural(plan.val.clips, 'clip')} it never sees (${choice.mode === 'tags' ? "your 'val' tags" : `a ${QUICK_HOLDOUT_PERCENT}% hold-out`}), ${budget}.`;
  }
  return { choice, plan, note };
}

export interface QuickTrainView {
  update(state: { plan: QuickPlan | null; active: boolean }): void;
  dispose(): void;
}

export function createQuickTrainView(container: HTMLElement, start: () => void): QuickTrainView {
  const button = el('button', { type: 'button', class: 'ds-btn primary', 'data-testid': 'train-quick' }, 'Quick train');
  const note = el('span', { class: 'ds-muted', 'data-testid': 'train-quick-note' });
  button.addEventListener('click', start);
  const root = el('div', { class: 'ds-row trn-quick' }, button, note);
  container.append(root);
  return {
    update({ plan, active }) {
      button.disabled = active || plan === null || plan.plan.error !== null;
      note.textContent = plan === null ? 'Reading the library…' : active ? 'Training…' : plan.note;
    },
    dispose() {
      root.remove();
    },
  };
}
