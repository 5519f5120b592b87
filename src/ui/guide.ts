// The guided first run: one step at a time (watch the starter model, drive and record, train,
// compare), each a sentence, a key hint and one main button. The steps advance on what the
// player actually did (the app reports events); the card can be skipped and shown again from
// the help overlay. `guideStepAfter` is the pure step logic; the card is a view of the step.
// Training moves the guide on to "Your model drives" only when the model beats driving straight
// on a held-out clip (`trainedEvent`); otherwise it goes to 'improve', which says what to do
// (record more, then train again) and, once a new recording is saved, goes back to 'train'.
// There a second button has the expert record for the player in one click (auto-record).
// After a run the card also says, in one sentence, what the player's driving added: the starter
// alone against their fine-tune, on the same held-out clip (`guideVerdictSentence`).
//
// Ownership: owns its card element; the step is kept in localStorage (not game data).

import { el } from './dom.ts';
import { baseChange, formatShare, steeringShare } from './training/format.ts';

/** 'improve' is step 3 again (train), after a model that is not ready to drive. */
export type GuideStep = 'watch' | 'record' | 'train' | 'improve' | 'compare' | 'done';
/** The numbered steps ('improve' shows as the train step's number). */
export const GUIDE_STEPS: readonly GuideStep[] = ['watch', 'record', 'train', 'compare'];

/**
 * What the player did, as the app reports it. A training run ends in one of three:
 * 'model-trained' (it beats driving straight on a held-out clip), 'model-not-ready' (it does
 * not), 'model-unchecked' (no clip was held out, so nothing says it drives).
 */
export type GuideEvent = 'autopilot-engaged' | 'recording-saved' | 'model-trained' | 'model-not-ready' | 'model-unchecked' | 'own-model-driving';

/** Why the guide is at 'improve'. */
export type ImproveReason = 'worse' | 'unchecked';

/** What a step's buttons ask the app to do ('auto-record': the expert records curvy laps). */
export type GuideAction = 'watch' | 'record' | 'auto-record' | 'train' | 'drive-own';

/** The steering verdict of a training run (src/ui/training/format.ts `Verdict`). */
export type TrainedVerdict = 'good' | 'meh' | 'worse' | null;

/**
 * The guide's event for a finished training run that saved a model: ready only when its
 * steering beats driving straight ('good' or 'meh') on clips it never saw.
 */
export function trainedEvent(verdict: TrainedVerdict, heldOut: boolean): GuideEvent {
  if (!heldOut) return 'model-unchecked';
  return verdict === 'good' || verdict === 'meh' ? 'model-trained' : 'model-not-ready';
}

/**
 * A finished training run as the guide reads it: the verdict and, on held-out clips, the steering
 * error of the saved model and (a fine-tune) of its base model alone on the same clips, each an
 * RMSE with the constant predictor's (driving straight) on the same clips.
 */
export interface TrainedCheck {
  readonly verdict: TrainedVerdict;
  readonly heldOut: boolean;
  readonly steering?: { readonly rmse: number | null | undefined; readonly baseline: number | null | undefined } | null;
  readonly base?: { readonly rmse: number | null | undefined; readonly baseline: number | null | undefined; readonly starter: boolean } | null;
}

/**
 * The card's one sentence after training: the starter (or the base model) alone against the
 * player's model on the clip it never saw, as shares of driving straight's steering error, and
 * what that means; the player's model alone when it was not a fine-tune. Null when nothing was
 * measured on held-out clips (the step's text then says why).
 */
export function guideVerdictSentence(c: TrainedCheck): string | null {
  const own = c.heldOut ? steeringShare(c.steering?.rmse, c.steering?.baseline) : null;
  if (own === null) return null;
  const base = c.base ? steeringShare(c.base.rmse, c.base.baseline) : null;
  if (base === null) {
    const beats = own < 1 ? 'it beats driving straight' : 'driving straight still does better';
    return `Your model: ${formatShare(own)} of driving straight's steering error on the lap it never saw: ${beats}.`;
  }
  const who = c.base?.starter ? 'The starter' : 'The model you started from';
  const what = {
    better: 'your driving made it better',
    same: 'about the same: more laps with curves should help',
    worse: `${c.base?.starter ? 'the starter' : 'it'} drives better alone for now`,
  }[baseChange(base, own)];
  return `${who} alone: ${formatShare(base)} of driving straight's steering error; yours: ${formatShare(own)}: ${what}.`;
}

const ORDER: readonly GuideStep[] = ['watch', 'record', 'train', 'improve', 'compare', 'done'];

/** The step after `step` once `event` happened (events of later steps also move it on). */
export function guideStepAfter(step: GuideStep, event: GuideEvent): GuideStep {
  if (event === 'model-not-ready' || event === 'model-unchecked') {
    // A model that is not ready sends the player to 'improve', unless one already drives.
    return step === 'compare' || step === 'done' ? step : 'improve';
  }
  // After more recording, train again.
  if (step === 'improve' && event === 'recording-saved') return 'train';
  // Driving a model the verdict said is not ready does not finish the guide.
  if (step === 'improve' && event === 'own-model-driving') return step;
  const reached: Record<'autopilot-engaged' | 'recording-saved' | 'model-trained' | 'own-model-driving', GuideStep> = {
    'autopilot-engaged': 'record',
    'recording-saved': 'train',
    'model-trained': 'compare',
    'own-model-driving': 'done',
  };
  const next = reached[event];
  // The starter model engaging again later must not pull a player back to step 2.
  return ORDER.indexOf(next) > ORDER.indexOf(step) ? next : step;
}

/** The step's number, 1-based ('improve' is the train step's). */
export function guideStepNumber(step: Exclude<GuideStep, 'done'>): number {
  return GUIDE_STEPS.indexOf(step === 'improve' ? 'train' : step) + 1;
}

interface StepText {
  title: string;
  text: string;
  keys: string;
  button: string;
  action: GuideAction;
  /** A second way to do the step, beside the main button. */
  alt?: { button: string; action: GuideAction };
}

const AUTO_RECORD = { button: 'Let the expert record', action: 'auto-record' } as const;

function stepText(step: Exclude<GuideStep, 'done'>, touch: boolean, reason: ImproveReason): StepText {
  const drive = touch ? 'the steering pad and the Gas and Brake pedals on screen' : 'the arrow keys or WASD (or a gamepad)';
  switch (step) {
    case 'watch':
      return {
        title: 'Watch the starter model drive',
        text: 'A small network, trained on an expert\'s laps, steers from the dash camera picture alone. Hand it the wheel.',
        keys: `Steer or brake (${drive}) to take over at any time; let go and it takes the wheel back.`,
        button: 'Watch it drive',
        action: 'watch',
      };
    case 'record':
      return {
        title: 'Drive and record',
        text: 'Now teach your own: drive a clean lap or two while recording. Recording starts when the car moves; press Drive to stop.',
        keys: `Drive with ${drive}.${touch ? '' : ' R puts the car back on the road, P pauses.'}`,
        button: 'Record my driving',
        action: 'record',
      };
    case 'train':
      return {
        title: 'Train your model',
        text: 'Open Training and press Quick train: it trains a first model with sensible defaults and checks it on a clip it never saw. A few minutes of your driving is enough; the game pauses meanwhile.',
        keys: 'The verdict says whether your model beats driving straight, and what to do if not.',
        button: 'Open Training',
        action: 'train',
      };
    case 'improve':
      return reason === 'unchecked'
        ? {
          title: 'Record one more lap',
          text: 'Your model was trained on one clip, so no lap was held out to check that it drives. Record one more lap, then Quick train again: it keeps one clip aside for the check.',
          keys: `Drive with ${drive}, or let the expert record a minute on curvy tracks for you. Training then moves on only if your model beats driving straight.`,
          button: 'Record another lap',
          action: 'record',
          alt: AUTO_RECORD,
        }
        : {
          title: 'Your model is not ready yet',
          text: 'On the lap it never saw, it steers worse than driving straight. Record another lap or two with plenty of curves (drift to the edge now and then and steer back: it learns recoveries), then Quick train again.',
          keys: 'Or let the expert drive: it records a minute on curvy tracks, weaving and recovering, in one click.',
          button: 'Record more driving',
          action: 'record',
          alt: AUTO_RECORD,
        };
    case 'compare':
      return {
        title: 'Your model drives',
        text: 'Hand the wheel to the model you trained and compare it with the starter: the HUD names the model and its autonomy.',
        keys: 'Race mode then sets you against the best lap\'s ghost.',
        button: 'Drive with my model',
        action: 'drive-own',
      };
  }
}

/** What a step's buttons do: the main button's action, then the second button's if any. */
export function guideStepActions(step: Exclude<GuideStep, 'done'>, reason: ImproveReason): GuideAction[] {
  const t = stepText(step, false, reason);
  return t.alt ? [t.action, t.alt.action] : [t.action];
}

export interface GuideOptions {
  container: HTMLElement;
  act(a: GuideAction): void;
  /** Touch-screen wording for the key hints. */
  touch: boolean;
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
}

export interface Guide {
  readonly step: GuideStep;
  readonly visible: boolean;
  /** Something the player did: may move the guide on. */
  report(e: GuideEvent): void;
  /** Shows the card again (from help); after the last step, from the start. */
  show(): void;
  /** Something started from the card is running: its second button is off and says `label` (null: done). */
  busy(label: string | null): void;
  /** The last training run's sentence (guideVerdictSentence), shown on the steps after training. */
  verdict(sentence: string | null): void;
  hide(): void;
  dispose(): void;
}

const STORAGE_KEY = 'deepsteer.guide';

export function createGuide(opts: GuideOptions): Guide {
  const storage = opts.storage === undefined ? safeLocalStorage() : opts.storage;
  const saved = readSaved(storage);
  let step: GuideStep = saved.step;
  let dismissed = saved.dismissed;
  let reason: ImproveReason = saved.reason;
  let verdict: string | null = saved.verdict;
  let busyLabel: string | null = null;

  const card = el('section', { class: 'ds-guide', 'data-testid': 'guide', 'aria-live': 'polite', 'aria-label': 'Getting started' });
  opts.container.append(card);

  const save = (): void => {
    try {
      storage?.setItem(STORAGE_KEY, JSON.stringify({ step, dismissed, reason, verdict }));
    } catch {
      // private mode or full storage: the guide just starts again next time
    }
  };

  const render = (): void => {
    card.hidden = dismissed || step === 'done';
    if (card.hidden) return;
    const t = stepText(step as Exclude<GuideStep, 'done'>, opts.touch, reason);
    const n = guideStepNumber(step as Exclude<GuideStep, 'done'>);
    const main = el('button', { type: 'button', class: 'ds-btn primary', 'data-testid': 'guide-action' }, t.button);
    main.addEventListener('click', () => opts.act(t.action));
    const skip = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'guide-skip', title: 'Show it again from Help (?)' }, 'Hide guide');
    skip.addEventListener('click', () => guide.hide());
    const alt = t.alt && el('button', { type: 'button', class: 'ds-btn', 'data-testid': `guide-${t.alt.action}` }, busyLabel ?? t.alt.button);
    if (alt && t.alt) {
      const action = t.alt.action;
      alt.disabled = busyLabel !== null;
      alt.addEventListener('click', () => opts.act(action));
    }
    const next = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'guide-next' }, n < GUIDE_STEPS.length ? 'Next step' : 'Finish');
    next.addEventListener('click', () => {
      step = [...GUIDE_STEPS, 'done' as const][n];
      save();
      render();
    });
    card.dataset.step = step;
    card.replaceChildren(
      el('div', { class: 'ds-guide-step' }, `Step ${n} of ${GUIDE_STEPS.length}`),
      el('h2', { 'data-testid': 'guide-title' }, t.title),
      ...(verdict && showsVerdict(step) ? [el('p', { class: 'ds-guide-verdict', 'data-testid': 'guide-verdict' }, verdict)] : []),
      el('p', {}, t.text),
      el('div', { class: 'ds-guide-actions' }, main, ...(alt ? [alt] : []), el('span', { class: 'ds-spacer' }), next, skip),
      el('div', { class: 'ds-guide-keys' }, t.keys),
    );
  };

  const guide: Guide = {
    get step() {
      return step;
    },
    get visible() {
      return !card.hidden;
    },
    report(e) {
      const next = guideStepAfter(step, e);
      const nextReason: ImproveReason = next === 'improve' ? (e === 'model-unchecked' ? 'unchecked' : e === 'model-not-ready' ? 'worse' : reason) : reason;
      if (next === step && nextReason === reason) return;
      step = next;
      reason = nextReason;
      save();
      render();
    },
    show() {
      if (step === 'done') step = 'watch';
      dismissed = false;
      save();
      render();
    },
    busy(label) {
      if (label === busyLabel) return;
      busyLabel = label;
      render();
    },
    verdict(sentence) {
      if (sentence === verdict) return;
      verdict = sentence;
      save();
      render();
    },
    hide() {
      dismissed = true;
      save();
      render();
    },
    dispose() {
      card.remove();
    },
  };
  render();
  return guide;
}

/** The steps a training run leads to: the card says how that run went. */
function showsVerdict(step: GuideStep): boolean {
  return step === 'improve' || step === 'compare';
}

function safeLocalStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

function readSaved(storage: Pick<Storage, 'getItem'> | null): { step: GuideStep; dismissed: boolean; reason: ImproveReason; verdict: string | null } {
  const fresh = { step: 'watch', dismissed: false, reason: 'worse', verdict: null } as const;
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (!raw) return fresh;
    const v = JSON.parse(raw) as { step?: unknown; dismissed?: unknown; reason?: unknown; verdict?: unknown };
    const step = ORDER.includes(v.step as GuideStep) ? (v.step as GuideStep) : 'watch';
    const verdict = typeof v.verdict === 'string' ? v.verdict.slice(0, 400) : null;
    return { step, dismissed: v.dismissed === true, reason: v.reason === 'unchecked' ? 'unchecked' : 'worse', verdict };
  } catch {
    return fresh;
  }
}
