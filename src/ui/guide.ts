// The guided first run: one step at a time (watch the starter model, drive and record, train,
// compare), each a sentence, a key hint and one main button. The steps advance on what the
// player actually did (the app reports events); the card can be skipped and shown again from
// the help overlay. `guideStepAfter` is the pure step logic; the card is a view of the step.
//
// Ownership: owns its card element; the step is kept in localStorage (not game data).

import { el } from './dom.ts';

export type GuideStep = 'watch' | 'record' | 'train' | 'compare' | 'done';
export const GUIDE_STEPS: readonly GuideStep[] = ['watch', 'record', 'train', 'compare'];

/** What the player did, as the app reports it. */
export type GuideEvent = 'autopilot-engaged' | 'recording-saved' | 'model-trained' | 'own-model-driving';

/** What a step's main button asks the app to do. */
export type GuideAction = 'watch' | 'record' | 'train' | 'drive-own';

/** The step after `step` once `event` happened (events of later steps also move it on). */
export function guideStepAfter(step: GuideStep, event: GuideEvent): GuideStep {
  const reached: Record<GuideEvent, GuideStep> = {
    'autopilot-engaged': 'record',
    'recording-saved': 'train',
    'model-trained': 'compare',
    'own-model-driving': 'done',
  };
  const order: readonly GuideStep[] = [...GUIDE_STEPS, 'done'];
  const next = reached[event];
  // The starter model engaging again later must not pull a player back to step 2.
  return order.indexOf(next) > order.indexOf(step) ? next : step;
}

interface StepText {
  title: string;
  text: string;
  keys: string;
  button: string;
  action: GuideAction;
}

function stepText(step: Exclude<GuideStep, 'done'>, touch: boolean): StepText {
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
  hide(): void;
  dispose(): void;
}

const STORAGE_KEY = 'deepsteer.guide';

export function createGuide(opts: GuideOptions): Guide {
  const storage = opts.storage === undefined ? safeLocalStorage() : opts.storage;
  const saved = readSaved(storage);
  let step: GuideStep = saved.step;
  let dismissed = saved.dismissed;

  const card = el('section', { class: 'ds-guide', 'data-testid': 'guide', 'aria-live': 'polite', 'aria-label': 'Getting started' });
  opts.container.append(card);

  const save = (): void => {
    try {
      storage?.setItem(STORAGE_KEY, JSON.stringify({ step, dismissed }));
    } catch {
      // private mode or full storage: the guide just starts again next time
    }
  };

  const render = (): void => {
    card.hidden = dismissed || step === 'done';
    if (card.hidden) return;
    const t = stepText(step as Exclude<GuideStep, 'done'>, opts.touch);
    const n = GUIDE_STEPS.indexOf(step) + 1;
    const main = el('button', { type: 'button', class: 'ds-btn primary', 'data-testid': 'guide-action' }, t.button);
    main.addEventListener('click', () => opts.act(t.action));
    const skip = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'guide-skip', title: 'Show it again from Help (?)' }, 'Hide guide');
    skip.addEventListener('click', () => guide.hide());
    const next = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'guide-next' }, n < GUIDE_STEPS.length ? 'Next step' : 'Finish');
    next.addEventListener('click', () => {
      step = [...GUIDE_STEPS, 'done' as const][n];
      save();
      render();
    });
    card.replaceChildren(
      el('div', { class: 'ds-guide-step' }, `Step ${n} of ${GUIDE_STEPS.length}`),
      el('h2', { 'data-testid': 'guide-title' }, t.title),
      el('p', {}, t.text),
      el('div', { class: 'ds-guide-actions' }, main, el('span', { class: 'ds-spacer' }), next, skip),
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
      if (next === step) return;
      step = next;
      save();
      render();
    },
    show() {
      if (step === 'done') step = 'watch';
      dismissed = false;
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

function safeLocalStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

function readSaved(storage: Pick<Storage, 'getItem'> | null): { step: GuideStep; dismissed: boolean } {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (!raw) return { step: 'watch', dismissed: false };
    const v = JSON.parse(raw) as { step?: unknown; dismissed?: unknown };
    const step = [...GUIDE_STEPS, 'done'].includes(v.step as GuideStep) ? (v.step as GuideStep) : 'watch';
    return { step, dismissed: v.dismissed === true };
  } catch {
    return { step: 'watch', dismissed: false };
  }
}
