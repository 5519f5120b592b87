// The Backend section's view: a select to force a tfjs backend ('auto' = the calibrated
// choice), Calibrate, and the table of what calibration measured per backend (inference ms per
// frame, training examples per second, software adapter, errors) with the choices for
// inference and for training marked. Shows what it is given; reports intents.

import { el } from '../dom.ts';
import { formatDate, formatRate, sig3 } from './format.ts';
import type { CalibrationLike } from './trainingContract.ts';

export interface BackendViewState {
  readonly backends: readonly string[];
  /** 'auto' or a forced backend. */
  readonly forced: string;
  readonly calibration: CalibrationLike | null;
  readonly calibrating: boolean;
  /** Calibration and switching wait while a run trains. */
  readonly training: boolean;
  readonly error: string | null;
}

export interface BackendViewIntents {
  force(name: string): void;
  calibrate(): void;
}

export interface BackendView {
  update(state: BackendViewState): void;
  dispose(): void;
}

export function createBackendView(container: HTMLElement, intents: BackendViewIntents): BackendView {
  const select = el('select', { 'data-testid': 'backend-select', 'aria-label': 'Backend' });
  select.addEventListener('change', () => intents.force(select.value));
  const calibrate = el('button', { type: 'button', class: 'ds-btn', 'data-testid': 'calibrate', title: 'Times this model on every backend for a few seconds and keeps the fastest' }, 'Calibrate');
  calibrate.addEventListener('click', () => intents.calibrate());
  const note = el('span', { class: 'ds-muted', 'data-testid': 'calibrate-status' });
  const error = el('div', { class: 'trn-error', role: 'alert', 'data-testid': 'backend-error' });
  const rows = el('tbody');
  const table = el('table', { class: 'ds-table trn-calib', 'data-testid': 'calibration' },
    el('thead', {}, el('tr', {},
      el('th', {}, 'Backend'), el('th', { class: 'trn-num', title: 'Median ms per new frame (streaming prediction)' }, 'Inference'),
      el('th', { class: 'trn-num', title: 'Training examples per second' }, 'Training'), el('th', {}, 'Chosen for'))),
    rows);
  const choice = el('div', { class: 'ds-muted trn-calib-choice', 'data-testid': 'calibration-choice' });
  const root = el('div', { class: 'trn-backend' },
    el('div', { class: 'ds-row' }, el('label', { class: 'trn-inline' }, el('span', { class: 'trn-label' }, 'Use'), select), calibrate, note),
    error, table, choice);
  container.append(root);

  return {
    update(s) {
      const options = ['auto', ...s.backends];
      if (select.options.length !== options.length || options.some((o, i) => select.options[i].value !== o)) {
        select.replaceChildren(...options.map((o) => el('option', { value: o }, o === 'auto' ? 'auto (fastest measured)' : o)));
      }
      select.value = s.forced;
      select.disabled = s.training || s.calibrating;
      calibrate.disabled = s.training || s.calibrating;
      calibrate.textContent = s.calibrating ? 'Measuring…' : 'Calibrate';
      note.textContent = s.training ? 'after training' : s.calibrating ? 'a few seconds per backend' : s.calibration?.at ? `measured ${formatDate(s.calibration.at)}` : '';
      error.hidden = s.error === null;
      error.textContent = s.error ?? '';
      const c = s.calibration;
      table.hidden = c === null;
      choice.hidden = c === null;
      if (!c) return;
      const inference = c.inference[0] ?? null;
      const training = c.training[0] ?? null;
      rows.replaceChildren(...c.scores.map((sc) => {
        const chosen = [sc.backend === inference ? 'inference' : '', sc.backend === training ? 'training' : ''].filter(Boolean).join(', ');
        const name = el('td', {}, sc.backend, sc.software ? el('span', { class: 'trn-soft', title: 'A GPU backend on a software adapter (SwiftShader, llvmpipe): ranked low' }, 'software') : '');
        const tr = el('tr', { 'data-testid': 'calibration-row', 'data-backend': sc.backend, class: sc.ok ? '' : 'trn-failed' }, name);
        if (!sc.ok) {
          tr.append(el('td', { colspan: 3, class: 'trn-bad', title: sc.error ?? '' }, `failed: ${sc.error ?? 'unknown error'}`));
          return tr;
        }
        tr.append(
          el('td', { class: 'trn-num' }, sc.inferMs === undefined ? '–' : `${sig3(sc.inferMs)} ms`),
          el('td', { class: 'trn-num' }, sc.trainExamplesPerS === undefined ? '–' : formatRate(sc.trainExamplesPerS)),
          el('td', { class: chosen ? 'trn-good' : '' }, chosen || ''),
        );
        return tr;
      }));
      choice.textContent = `Inference: ${inference ?? 'none'} · training: ${training ?? 'none'}${s.forced !== 'auto' ? ` · forced: ${s.forced}` : ''}`;
    },
    dispose() {
      root.remove();
    },
  };
}
