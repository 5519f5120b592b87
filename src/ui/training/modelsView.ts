// The Models section's view: the saved models (name, kind, date, backend, validation steering
// RMSE against the constant predictor's, and in its tooltip the speed RMSE against holding the
// present speed where the model was saved with it, size) with Drive, Rename (inline), Export, Delete (asks
// first, in the row), Import; and the interrupted runs a reload left with a checkpoint, each
// with Resume. Shows what it is given; reports intents.

import { getAt, isObject } from './configForm.ts';
import { el } from '../dom.ts';
import { formatBytes, formatDate, formatVsBaseline, formatVsSpeedometer, steeringVerdict } from './format.ts';
import type { CheckpointInfoLike, ModelInfo } from './trainingContract.ts';

export interface ResumableRun {
  readonly checkpoint: CheckpointInfoLike;
  /** The run's name, when the panel kept its request; null: it cannot be resumed from here. */
  readonly name: string | null;
}

export interface ModelsViewState {
  readonly models: readonly ModelInfo[];
  readonly runs: readonly ResumableRun[];
  readonly renaming: string | null;
  readonly confirmingDelete: string | null;
  /** Ids with an action under way. */
  readonly busy: ReadonlySet<string>;
  readonly importing: boolean;
  /** A run is going (no resume, no delete of anything). */
  readonly training: boolean;
  readonly loading: boolean;
}

export interface ModelsViewIntents {
  drive(id: string): void;
  /** DAgger round (shown only when given). */
  improve?(id: string): void;
  startRename(id: string | null): void;
  rename(id: string, name: string): void;
  export(id: string): void;
  askDelete(id: string | null): void;
  confirmDelete(id: string): void;
  import(file: File): void;
  resumeRun(runId: string): void;
}

export interface ModelsView {
  update(state: ModelsViewState): void;
  dispose(): void;
}

/** The steering RMSE of a model's metrics and its baseline: validation if it had one, else training. */
export function steeringFigures(metrics: unknown): { rmse: number | null; baseline: number | null; on: 'val' | 'train' | null } {
  if (!isObject(metrics)) return { rmse: null, baseline: null, on: null };
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const val = num(getAt(metrics, 'valRmse.steering'));
  if (val !== null) return { rmse: val, baseline: num(getAt(metrics, 'baselineRmseVal.steering')), on: 'val' };
  const train = num(getAt(metrics, 'trainRmse.steering'));
  if (train !== null) return { rmse: train, baseline: num(getAt(metrics, 'baselineRmseTrain.steering')), on: 'train' };
  return { rmse: null, baseline: null, on: null };
}

/**
 * A model that reads the speed, saved with the speedometer baseline: its validation speed RMSE
 * and holding the present speed's (m/s). Null otherwise (models saved before the baseline).
 */
export function speedFigures(metrics: unknown): { rmse: number; speedometer: number } | null {
  if (!isObject(metrics)) return null;
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const rmse = num(getAt(metrics, 'valRmse.speed'));
  const speedometer = num(getAt(metrics, 'speedometerRmse'));
  return rmse !== null && speedometer !== null ? { rmse, speedometer } : null;
}

/** "CNN+LSTM (LSTM, T=8)" from a model's kind and config. */
export function kindLabel(kind: string, config: unknown): string {
  if (kind === 'cnn') return 'CNN (1 frame)';
  if (kind !== 'cnn_lstm') return kind;
  const cell = getAt(config, 'sequence.cell');
  const t = getAt(config, 'sequence.window');
  const cellName = ({ lstm: 'LSTM', gru: 'GRU', rnn: 'RNN' } as Record<string, string>)[String(cell)] ?? 'RNN';
  return typeof t === 'number' ? `CNN+${cellName}, T=${t}` : `CNN+${cellName}`;
}

export function createModelsView(container: HTMLElement, intents: ModelsViewIntents): ModelsView {
  const fileInput = el('input', { type: 'file', accept: '.zip,application/zip', class: 'trn-file', 'data-testid': 'model-import' });
  fileInput.addEventListener('change', () => {
    const f = fileInput.files?.[0];
    fileInput.value = '';
    if (f) intents.import(f);
  });
  const importLabel = el('label', { class: 'ds-btn trn-import', title: 'A .deepsteer-model.zip exported from DeepSteer' }, fileInput, 'Import model…');
  const rows = el('tbody');
  const table = el('table', { class: 'ds-table trn-models', 'data-testid': 'model-list' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Model'), el('th', { title: 'Steering RMSE on the validation clips, against always predicting the mean' }, 'Steering RMSE'), el('th', {}, ''))),
    rows);
  const runsBox = el('div', { class: 'trn-runs', 'data-testid': 'resume-list' });
  const root = el('div', { class: 'trn-models-box' }, runsBox, table, el('div', { class: 'ds-row' }, importLabel));
  container.append(root);

  function row(m: ModelInfo, s: ModelsViewState): HTMLElement[] {
    const busy = s.busy.has(m.id);
    const fig = steeringFigures(m.metrics);
    const nameCell = el('td', { class: 'trn-model-main' });
    if (s.renaming === m.id) {
      const input = el('input', { type: 'text', class: 'trn-rename', value: m.name, maxlength: 200, 'data-testid': 'model-rename-input', 'aria-label': 'New name' });
      let done = false;
      const finish = (save: boolean): void => {
        if (done) return;
        done = true;
        const v = input.value.trim();
        if (save && v && v !== m.name) intents.rename(m.id, v);
        else intents.startRename(null);
      };
      input.addEventListener('keydown', (e) => {
        e.stopPropagation();
        if (e.key === 'Enter') finish(true);
        if (e.key === 'Escape') finish(false);
      });
      input.addEventListener('keyup', (e) => e.stopPropagation());
      // Clicking elsewhere saves; a re-render that removes the box does not.
      input.addEventListener('blur', () => {
        if (input.isConnected) finish(true);
      });
      nameCell.append(input);
      queueMicrotask(() => {
        input.focus();
        input.select();
      });
    } else {
      nameCell.append(el('div', { class: 'trn-model-name', title: m.name }, m.name));
    }
    nameCell.append(el('div', { class: 'ds-muted trn-model-sub' }, `${kindLabel(m.kind, m.config)} · ${formatDate(m.createdAt)} · ${m.backend} · ${formatBytes(m.weightBytes)}`));
    const speed = speedFigures(m.metrics);
    const where = fig.on === 'train' ? 'on the training clips (no validation set)' : 'on the validation clips';
    const metric = el('td', { class: 'trn-model-metric', 'data-testid': 'model-rmse', title: speed ? `${where} · speed ${formatVsSpeedometer(speed.rmse, speed.speedometer)}` : where },
      fig.rmse === null ? '–' : formatVsBaseline(fig.rmse, fig.baseline), fig.on === 'train' ? el('span', { class: 'ds-muted' }, ' (train)') : '');
    if (fig.rmse !== null && fig.baseline !== null) metric.classList.add(fig.rmse < fig.baseline * 0.8 ? 'trn-good' : fig.rmse < fig.baseline ? 'trn-meh' : 'trn-bad');
    // A model that steers worse than driving straight is flagged, and Drive is not offered as for any model.
    const worse = steeringVerdict(fig.rmse, fig.baseline) === 'worse';
    if (worse) metric.append(el('div', { class: 'trn-verdict-note', 'data-testid': 'model-verdict' }, 'Worse than driving straight: not ready to drive'));
    const btn = (label: string, testId: string, onClick: () => void, extra: Record<string, string | boolean> = {}): HTMLButtonElement => {
      const b = el('button', { type: 'button', class: 'ds-btn trn-small', 'data-testid': testId, disabled: busy, ...extra }, label);
      b.addEventListener('click', onClick);
      return b;
    };
    const actions = el('td', {}, el('div', { class: 'trn-model-actions' },
      worse
        ? btn('Drive anyway', 'model-drive', () => intents.drive(m.id), { class: 'ds-btn trn-small trn-drive-anyway', title: 'Its steering error is above the constant predictor\'s: expect it to leave the road' })
        : btn('Drive', 'model-drive', () => intents.drive(m.id), { class: 'ds-btn primary trn-small', title: 'Autopilot with this model' }),
      ...(intents.improve ? [btn('Improve', 'model-improve', () => intents.improve!(m.id), {
        disabled: busy || s.training,
        title: 'DAgger: the model drives four new generated tracks, the expert labels what it sees, and a fine-tuned copy is saved',
      })] : []),
      btn('Rename', 'model-rename', () => intents.startRename(m.id)),
      btn('Export', 'model-export', () => intents.export(m.id), { title: 'Save as .deepsteer-model.zip' }),
      btn('Delete', 'model-delete', () => intents.askDelete(m.id), { class: 'ds-btn danger trn-small', disabled: busy || s.training })));
    const tr = el('tr', { 'data-testid': 'model-row', 'data-model-id': m.id, class: busy ? 'trn-busy' : '' }, nameCell, metric, actions);
    if (s.confirmingDelete !== m.id) return [tr];
    const yes = btn('Delete', 'model-delete-confirm', () => intents.confirmDelete(m.id), { class: 'ds-btn danger-solid trn-small' });
    const no = btn('Keep', 'model-delete-cancel', () => intents.askDelete(null));
    queueMicrotask(() => no.focus());
    return [tr, el('tr', { class: 'trn-confirm-row', 'data-testid': 'model-delete-prompt' },
      el('td', { colspan: 3 }, el('div', { class: 'trn-confirm' }, el('span', {}, `Delete '${m.name}'? Its weights are gone for good (export it first to keep a copy).`), yes, no)))];
  }

  return {
    update(s) {
      if (s.loading && s.models.length === 0) rows.replaceChildren(el('tr', {}, el('td', { colspan: 3, class: 'ds-muted' }, 'Reading saved models…')));
      else if (s.models.length === 0) rows.replaceChildren(el('tr', {}, el('td', { colspan: 3, class: 'ds-muted' }, 'No saved models yet: train one above, or import one.')));
      else rows.replaceChildren(...[...s.models].sort((a, b) => b.createdAt - a.createdAt).flatMap((m) => row(m, s)));
      importLabel.classList.toggle('disabled', s.importing);
      fileInput.disabled = s.importing;
      runsBox.hidden = s.runs.length === 0;
      runsBox.replaceChildren(
        el('div', { class: 'trn-runs-head' }, 'Interrupted runs (a checkpoint after every epoch):'),
        ...s.runs.map((r) => {
          const b = el('button', {
            type: 'button', class: 'ds-btn trn-small', 'data-testid': 'run-resume', 'data-run-id': r.checkpoint.runId,
            disabled: s.training || r.name === null, title: r.name === null ? 'This run was started elsewhere; its clips are not known here' : 'Continue from the last epoch',
          }, 'Resume');
          b.addEventListener('click', () => intents.resumeRun(r.checkpoint.runId));
          return el('div', { class: 'trn-run-item', 'data-testid': 'resume-run', 'data-run-id': r.checkpoint.runId },
            el('span', {}, r.name ?? r.checkpoint.runId), el('span', { class: 'ds-muted' }, ` saved ${formatDate(r.checkpoint.savedAt)}`), b);
        }),
      );
    },
    dispose() {
      root.remove();
    },
  };
}
