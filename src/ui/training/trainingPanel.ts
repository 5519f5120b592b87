// The Training panel: where the player picks the clips, shapes the network, trains it, watches
// it learn, and keeps the models. It holds view state only (the draft config and split, the run
// as reported, plot series); clips, models and checkpoints are read through the app's deps, and
// everything that trains, saves or switches backends is an intent the app carries out. The draft
// and each run's request are kept in the settings store so a reloaded tab can resume a run.
// This file holds the draft (clips, split, config and its check) and wires the sections; the
// run and its plots are runSection.ts, the saved models modelsSection.ts, the backend
// backendSection.ts, what is kept in the settings store panelStore.ts.
//
// Layout for a newcomer: Quick train (quickTrain.ts: default network, hold-out split, time
// budget) then the Run section (Start) come first, under the status line; the model's settings
// are folded under "Advanced"; the plots follow the run.
//
// Ownership: owns its DOM, three uPlot plots (plotsView.ts), a redraw timer and a save timer
// (through its sections and panelStore.ts); dispose() frees them. It does not own the run:
// dispose() leaves a training run going.
//
// Test ids (stable, for e2e):
//   training-panel          the panel's root
//   train-backend           the active backend (always visible, in the sticky status line);
//                           train-state: the run's phase there (data-phase)
//   Data:   split-tags, split-holdout (radios), split-untagged (select), split-percent,
//           split-seed, split-clips (table) with split-clip-row (data-clip-id, data-role
//           train | val | unused) and its clip-include checkbox, split-summary, split-error,
//           split-warning
//   Model:  cfg-<field id> for each form field (configForm.ts FORM_FIELDS: cfg-model-kind,
//           cfg-cell, cfg-window, cfg-units, cfg-optimizer, cfg-learning-rate, cfg-schedule,
//           cfg-clip, cfg-clip-threshold, cfg-batch-size, cfg-epochs, cfg-patience, ...),
//           config-json (the JSON textarea; config-json-open is its <summary>), config-reset,
//           config-error (the validation message, naming the field), config-params (parameter
//           count and multiply-adds per frame, shown only while the config is valid),
//           config-layers (per-layer table; config-layers-open is its <summary>)
//   Quick:  train-quick, train-quick-note
//   Run:    train-name, train-start, train-pause, train-resume, train-cancel, train-blocked
//           (why Start is off), train-message (preparing / outcome), train-progress (text
//           "NN%", aria-valuenow), train-epoch, train-rate, train-last-epoch, train-notices
//   Plots:  plot-loss, plot-rmse, plot-grad, plots-empty
//   Models: model-list (table), model-row (data-model-id) with model-rmse, model-drive,
//           model-rename -> model-rename-input (Enter saves, Escape cancels), model-export,
//           model-delete -> model-delete-prompt with model-delete-confirm / model-delete-cancel;
//           model-import (the <input type=file>); resume-list with resume-run (data-run-id)
//           and its run-resume button
//   Backend: backend-select ('auto' + backends), calibrate, calibrate-status, calibration
//           (table) with calibration-row (data-backend), calibration-choice, backend-error

import './training.css';
import { createBackendSection } from './backendSection.ts';
import { createConfigEditor } from './configEditor.ts';
import { type FieldSpec, type FieldValue, type FormMemory, framesPerExample, getAt, isObject, type Json, writeField } from './configForm.ts';
import { DEFAULT_SPLIT, planSplit, type SplitChoice, type SplitPlan } from './dataSplit.ts';
import { createDataView } from './dataView.ts';
import { el, messageOf } from '../dom.ts';
import { formatDate, formatPercent } from './format.ts';
import { createModelsSection } from './modelsSection.ts';
import { kindLabel } from './modelsView.ts';
import { createDraftSaver, newRunId, readDraft, readRunRecord } from './panelStore.ts';
import { createQuickTrainView, fineTuneRequestConfig, QUICK_BUDGET_S, quickPlan } from './quickTrain.ts';
import { createRunSection } from './runSection.ts';
import { isActive, type RunState } from './runState.ts';
import type { BackendInfo, ClipInfo, ConfigCheck, QuickBase, TrainEventLike, TrainingPanelDeps, TrainRequestLike } from './trainingContract.ts';

export type * from './trainingContract.ts';
export { DEFAULT_BACKENDS } from './backendSection.ts';
export { DRAFT_KEY, RUN_KEY_PREFIX } from './panelStore.ts';

export interface TrainingPanelOptions {
  readonly container: HTMLElement;
  readonly deps: TrainingPanelDeps;
}

export interface TrainingPanel {
  /** Re-reads clips, models and checkpoints (call after recording, or when the panel opens). */
  refresh(): Promise<void>;
  /** One event of the run the panel started (the worker's train onEvent). */
  onEvent(e: TrainEventLike): void;
  /** The worker's backend now (after init, calibrate, a forced switch). */
  setBackend(info: BackendInfo): void;
  /**
   * Runs a request built elsewhere (training while auto-record records) as the panel's own run:
   * progress, messages and outcome show here. False if a run is already active (nothing starts).
   */
  runRequest(req: TrainRequestLike, baseName?: string): boolean;
  dispose(): void;
}

export function createTrainingPanel(opts: TrainingPanelOptions): TrainingPanel {
  const { deps } = opts;
  const defaults = (): Json => (isObject(deps.defaultConfig) ? structuredClone(deps.defaultConfig) : {});

  // ---- view state: the draft ----
  let clips: readonly ClipInfo[] = [];
  let clipsLoading = true;
  let excluded: ReadonlySet<string> = new Set();
  let choice: SplitChoice = DEFAULT_SPLIT;
  let config: Json = defaults();
  let check: ConfigCheck | 'pending' = 'pending';
  let jsonError: string | null = null;
  let edited = false;
  const memory: FormMemory = new Map();
  let disposed = false;
  let validation = 0;
  let planCache: { key: unknown[]; plan: SplitPlan } | null = null;
  /** Quick train is finding its base model (the button is off meanwhile). */
  let quickStarting = false;
  const draftSaver = createDraftSaver(deps.settings, () => ({ config, choice, excluded }));

  // ---- layout ----
  const section = (title: string, testId: string): { root: HTMLElement; body: HTMLElement } => {
    const body = el('div');
    const root = el('section', { class: 'ds-section trn-section', 'data-testid': testId }, el('h3', {}, title), body);
    return { root, body };
  };
  const backendName = el('b', { 'data-testid': 'train-backend' }, '–');
  const backendHow = el('span', { class: 'ds-muted' });
  const stateText = el('span', { class: 'trn-state', 'data-testid': 'train-state', 'data-phase': 'idle' });
  const header = el('div', { class: 'trn-header' }, el('span', { class: 'trn-backend-line', title: 'The tfjs backend the steering worker runs on' }, 'Backend ', backendName, ' ', backendHow), stateText);
  const data = section('Data', 'training-data');
  const model = section('Model', 'training-model');
  const runSec = section('Run', 'training-run');
  const plotsSec = section('Live plots', 'training-plots');
  const modelsSec = section('Saved models', 'training-models');
  const backendSec = section('Backend', 'training-backend');
  const modelFold = el('details', { class: 'trn-fold', 'data-testid': 'training-advanced' }, el('summary', { 'data-testid': 'training-advanced-open' }, 'Advanced: the network, optimiser and epochs'), model.root);
  const quickRow = el('div');
  const root = el('div', { class: 'trn-panel', 'data-testid': 'training-panel' }, header, quickRow, runSec.root, plotsSec.root, data.root, modelFold, modelsSec.root, backendSec.root);
  opts.container.append(root);

  const dataView = createDataView(data.body, {
    choice(c) {
      choice = c;
      edited = true;
      renderData();
      renderRun();
      draftSaver.schedule();
    },
    include(id, on) {
      const next = new Set(excluded);
      if (on) next.delete(id);
      else next.add(id);
      excluded = next;
      edited = true;
      renderData();
      renderRun();
      draftSaver.schedule();
    },
  });
  const editor = createConfigEditor(model.body, {
    field(field: FieldSpec, value: FieldValue) {
      setConfig(writeField(config, field, value, memory, deps.defaultConfig));
    },
    json(c) {
      jsonError = null;
      setConfig(c);
    },
    jsonInvalid(message) {
      jsonError = message;
      renderConfig();
      renderRun();
    },
    reset() {
      jsonError = null;
      memory.clear();
      setConfig(defaults());
    },
  });
  // Quick train: the default network, a hold-out split and a time budget (quickTrain.ts).
  const quickView = createQuickTrainView(quickRow, () => void quickTrain());
  async function quickTrain(): Promise<void> {
    if (isActive(runSection.state) || clipsLoading || quickStarting) return;
    quickStarting = true;
    renderRun();
    try {
      // Fine-tune the starter when the app offers it (quickTrain.ts says why), else from scratch.
      let base: QuickBase | null = null;
      try {
        base = (await deps.quickBase?.()) ?? null;
      } catch (e) {
        deps.notify(`The starter model could not be used (${messageOf(e)}): Quick train starts the default network from random weights.`, 'warn');
      }
      const start = base && isObject(base.config) ? fineTuneRequestConfig(base.config) : defaults();
      choice = quickPlan(clips, framesPerExample(start)).choice;
      excluded = new Set();
      memory.clear();
      jsonError = null;
      setConfig(start);
      await validate();
      await startTraining(`Quick ${formatDate(deps.now())}`, null, { budgetSeconds: QUICK_BUDGET_S, ...(base ? { fromModelId: base.id } : {}) }, base ? 'the starter model' : undefined);
    } finally {
      quickStarting = false;
      if (!disposed) renderRun();
    }
  }
  const runSection = createRunSection({
    section: runSec,
    plotsContainer: plotsSec.body,
    deps,
    startPressed: (name) => void startTraining(name, null),
    renderRun: () => renderRun(),
    renderAll: () => renderAllButPlots(),
    reload: async () => {
      await Promise.all([modelsSection.loadModels(), modelsSection.loadRuns()]);
    },
    hasCheckpoint: (runId) => modelsSection.runs.some((r) => r.checkpoint.runId === runId),
  });
  const training = (): boolean => isActive(runSection.state);
  const modelsSection = createModelsSection({ container: modelsSec.body, deps, training, resumeRun: (runId) => void resumeRun(runId) });
  const backendSection = createBackendSection({
    container: backendSec.body,
    deps,
    training,
    // Measure the model about to be trained, if its config is valid.
    calibrationConfig: () => (check !== 'pending' && check.ok && !jsonError ? structuredClone(config) : structuredClone(deps.defaultConfig)),
    changed: () => renderHeader(),
  });

  // ---- state changes ----
  function setConfig(next: Json): void {
    config = next;
    edited = true;
    renderConfig();
    renderData();
    renderRun();
    void validate();
    draftSaver.schedule();
  }

  async function validate(): Promise<void> {
    const gen = ++validation;
    const snapshot = config;
    let result: ConfigCheck;
    try {
      const r = deps.validate(snapshot);
      if (r instanceof Promise) {
        check = 'pending';
        renderConfig();
        renderRun();
      }
      result = await r;
    } catch (e) {
      result = { ok: false, message: messageOf(e) };
    }
    if (gen !== validation || disposed) return;
    check = result;
    renderConfig();
    renderRun();
  }

  function currentPlan(): SplitPlan {
    const T = framesPerExample(config);
    const key = [clips, excluded, choice, T];
    if (!planCache || planCache.key.some((k, i) => k !== key[i])) planCache = { key, plan: planSplit({ clips, excluded, choice, framesPerExample: T }) };
    return planCache.plan;
  }

  function blockedReason(): string | null {
    if (clipsLoading) return 'Reading the library…';
    if (jsonError) return 'The JSON config does not parse (see Model).';
    if (check === 'pending') return 'Checking the model config…';
    if (!check.ok) return 'The model config is invalid (see Model).';
    return currentPlan().error;
  }

  function defaultName(): string {
    return `${kindLabel(String(getAt(config, 'sequence.kind')), config)} ${formatDate(deps.now())}`;
  }

  /** A new run from the draft (or the kept request of an interrupted one, resumed). */
  async function startTraining(name: string, resumeFrom: TrainRequestLike | null, quick?: { budgetSeconds: number; fromModelId?: string }, baseName?: string): Promise<void> {
    if (isActive(runSection.state) || disposed) return;
    let req: TrainRequestLike;
    if (resumeFrom) {
      req = { ...resumeFrom, resume: true };
    } else {
      if (blockedReason() !== null) return;
      const plan = currentPlan();
      req = { name, config: structuredClone(config), trainClipIds: [...plan.trainClipIds], valClipIds: [...plan.valClipIds], runId: newRunId(deps.now()), ...quick };
    }
    await runSection.start(req, baseName);
  }

  async function resumeRun(runId: string): Promise<void> {
    try {
      const record = await readRunRecord(deps.settings, runId);
      if (!record) {
        deps.notify('This run cannot be resumed here: its clips and settings were not kept', 'warn');
        return;
      }
      await startTraining(record.name, record);
    } catch (e) {
      deps.notify(`Could not resume: ${messageOf(e)}`, 'error');
    }
  }

  async function loadClips(): Promise<void> {
    try {
      clips = await deps.listClips();
    } catch (e) {
      deps.notify(`Could not read the clips: ${messageOf(e)}`, 'error');
    }
    clipsLoading = false;
    if (disposed) return;
    renderData();
    renderRun();
  }

  async function loadDraft(): Promise<void> {
    try {
      const draft = await readDraft(deps.settings);
      if (!draft || edited || disposed) return;
      choice = draft.choice;
      excluded = new Set(draft.excluded);
      config = draft.config;
      renderAllButPlots();
      await validate();
    } catch (e) {
      console.warn('training panel: the draft was not read', e);
    }
  }

  // ---- rendering: each section from the state ----
  function renderHeader(): void {
    const run = runSection.state;
    const backend = backendSection.info;
    const name = (isActive(run) && run.backend) || backend?.backend || null;
    backendName.textContent = name ?? '–';
    const how = isActive(run) && run.backend ? 'training' : backend?.chosenBy ?? '';
    backendHow.textContent = how ? `(${how})` : '';
    const phaseText: Record<RunState['phase'], string> = {
      idle: 'Idle', starting: 'Starting…', running: `Training ${formatPercent(run.fraction)}`, paused: `Paused at ${formatPercent(run.fraction)}`,
      stopping: 'Stopping…', done: 'Done', failed: 'Failed',
    };
    stateText.textContent = phaseText[run.phase];
    stateText.dataset.phase = run.phase;
  }

  function renderData(): void {
    dataView.update({ clips, excluded, choice, plan: currentPlan(), locked: training(), loading: clipsLoading });
  }

  function renderConfig(): void {
    editor.update({ config, check, jsonError, locked: training() });
    if (jsonError || (check !== 'pending' && !check.ok)) modelFold.open = true; // the error must be in view
  }

  function renderRun(): void {
    runSection.render(blockedReason(), defaultName());
    quickView.update({ plan: clipsLoading ? null : quickPlan(clips, framesPerExample(defaults()), deps.quickBase !== undefined), active: training() || quickStarting });
    renderHeader();
  }

  function renderAllButPlots(): void {
    renderData();
    renderConfig();
    renderRun();
    modelsSection.render();
    backendSection.render();
  }

  renderAllButPlots();
  void validate();
  void loadDraft();
  backendSection.loadLastCalibration();

  const panel: TrainingPanel = {
    async refresh() {
      await Promise.all([loadClips(), modelsSection.loadModels(), modelsSection.loadRuns()]);
    },
    onEvent(e) {
      if (!disposed) runSection.onEvent(e);
    },
    setBackend(info) {
      if (!disposed) backendSection.setInfo(info);
    },
    runRequest(req, baseName) {
      if (disposed || isActive(runSection.state) || quickStarting) return false;
      void runSection.start(req, baseName);
      return true;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      draftSaver.dispose();
      dataView.dispose();
      editor.dispose();
      runSection.dispose();
      quickView.dispose();
      modelsSection.dispose();
      backendSection.dispose();
      root.remove();
    },
  };
  void panel.refresh();
  return panel;
}
