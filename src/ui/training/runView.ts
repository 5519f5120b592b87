// The Run section's view: the model's name, Start / Pause / Resume / Cancel, why Start is off,
// and the run's progress (epoch and batch, examples per second, time left, a bar), the backend
// notices of the run and how it ended. Shows a RunState; reports the player's intents.
// Cancel asks first whether to keep the model trained so far; the progress line goes once the
// run is over, leaving the outcome and its verdict (worse than driving straight shows as an error).

import { el } from '../dom.ts';
import { formatEta, formatLearningRate, formatPercent, formatRate } from './format.ts';
import { isActive, lastEpochSummary, type RunState } from './runState.ts';

export interface RunViewState {
  readonly run: RunState;
  /** Why Start is off (invalid config, empty training set…), or null. */
  readonly blocked: string | null;
  /** The name used if the box is left empty. */
  readonly defaultName: string;
}

export interface RunViewIntents {
  start(name: string): void;
  pause(): void;
  resume(): void;
  /** Stop the run; `keep`: save the model as it is (else it is discarded once stopped). */
  cancel(keep: boolean): void;
}

export interface RunView {
  update(state: RunViewState): void;
  dispose(): void;
}

export function createRunView(container: HTMLElement, intents: RunViewIntents): RunView {
  const name = el('input', { type: 'text', class: 'trn-name', 'data-testid': 'train-name', 'aria-label': 'Name of the model', maxlength: 200 });
  name.addEventListener('keydown', (e) => {
    e.stopPropagation();
    if (e.key === 'Enter' && !start.disabled) start.click();
  });
  name.addEventListener('keyup', (e) => e.stopPropagation());
  const start = el('button', { type: 'button', class: 'ds-btn primary', 'data-testid': 'train-start' }, 'Start training');
  const pause = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'train-pause' }, 'Pause');
  const resume = el('button', { type: 'button', class: 'ds-btn primary', 'data-testid': 'train-resume' }, 'Resume');
  const cancel = el('button', { type: 'button', class: 'ds-btn danger', 'data-testid': 'train-cancel' }, 'Cancel');
  start.addEventListener('click', () => intents.start(name.value.trim() || name.placeholder));
  pause.addEventListener('click', () => intents.pause());
  resume.addEventListener('click', () => intents.resume());
  // Cancel asks first: keep the partial model, discard it, or go on training.
  const keepBtn = el('button', { type: 'button', class: 'ds-btn primary', 'data-testid': 'train-cancel-keep' }, 'Stop and keep the model');
  const discardBtn = el('button', { type: 'button', class: 'ds-btn danger', 'data-testid': 'train-cancel-discard' }, 'Stop and discard it');
  const goOnBtn = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'train-cancel-back' }, 'Go on training');
  const confirm = el('div', { class: 'trn-confirm', 'data-testid': 'train-cancel-prompt', role: 'group', 'aria-label': 'Cancel training' },
    el('span', {}, 'Keep the model as trained so far (the best epoch yet)?'), keepBtn, discardBtn, goOnBtn);
  confirm.hidden = true;
  cancel.addEventListener('click', () => {
    confirm.hidden = false;
    keepBtn.focus();
  });
  const answer = (keep: boolean | null): void => {
    confirm.hidden = true;
    if (keep !== null) intents.cancel(keep);
  };
  keepBtn.addEventListener('click', () => answer(true));
  discardBtn.addEventListener('click', () => answer(false));
  goOnBtn.addEventListener('click', () => answer(null));

  const blocked = el('div', { class: 'trn-blocked', 'data-testid': 'train-blocked' });
  const message = el('div', { class: 'trn-message', 'data-testid': 'train-message' });
  const bar = el('div');
  const barText = el('span', { class: 'trn-bar-text' });
  const progress = el('div', { class: 'ds-progress trn-progress', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'data-testid': 'train-progress' }, bar, barText);
  const epoch = el('span', { 'data-testid': 'train-epoch' });
  const rate = el('span', { 'data-testid': 'train-rate' });
  const lastEpoch = el('div', { class: 'ds-muted trn-last-epoch', 'data-testid': 'train-last-epoch' });
  const notices = el('ul', { class: 'trn-notices', 'data-testid': 'train-notices' });
  const status = el('div', { class: 'trn-status' }, el('div', { class: 'trn-figures' }, epoch, rate), progress, lastEpoch);
  const root = el(
    'div',
    { class: 'trn-run' },
    el('div', { class: 'ds-row trn-run-row' }, el('label', { class: 'trn-name-label' }, el('span', { class: 'trn-label' }, 'Model name'), name)),
    el('div', { class: 'ds-row' }, start, pause, resume, cancel),
    confirm,
    blocked,
    message,
    status,
    notices,
  );
  container.append(root);

  return {
    update({ run, blocked: why, defaultName }) {
      const active = isActive(run);
      name.placeholder = defaultName;
      name.disabled = active;
      start.disabled = active || why !== null;
      start.hidden = active;
      pause.hidden = !active || run.phase === 'paused';
      pause.disabled = run.phase !== 'running';
      resume.hidden = !active || run.phase !== 'paused';
      cancel.hidden = !active;
      cancel.disabled = run.phase === 'stopping';
      if (!active || run.phase === 'stopping') confirm.hidden = true;
      blocked.hidden = active || why === null;
      blocked.textContent = why ?? '';
      message.hidden = run.message === null;
      message.textContent = run.message ?? '';
      message.className = `trn-message trn-message-${run.phase}${run.verdict ? ` trn-verdict-${run.verdict}` : ''}`;
      message.dataset.verdict = run.verdict ?? '';
      // Progress shows while the run is on; afterwards only the outcome and its verdict.
      const started = active && run.epochs > 0;
      status.hidden = !started;
      const pct = formatPercent(run.fraction);
      bar.style.width = pct;
      barText.textContent = pct;
      progress.setAttribute('aria-valuenow', String(Math.floor(run.fraction * 100)));
      epoch.textContent = started ? `Epoch ${run.epoch + 1}/${run.epochs} · batch ${Math.min(run.batch + 1, run.batchesPerEpoch)}/${run.batchesPerEpoch}` : '';
      const lr = run.learningRate === null ? '' : ` · lr ${formatLearningRate(run.learningRate)}`;
      rate.textContent = started ? `${formatRate(run.examplesPerSecond)} · ${run.phase === 'paused' ? 'paused' : `ETA ${formatEta(run.etaSeconds)}`}${lr}` : '';
      lastEpoch.textContent = lastEpochSummary(run.lastEpoch);
      lastEpoch.hidden = run.lastEpoch === null;
      notices.replaceChildren(...run.notices.map((n) => el('li', { class: `trn-notice-${n.kind}` }, n.text)));
      notices.hidden = run.notices.length === 0;
    },
    dispose() {
      root.remove();
    },
  };
}
