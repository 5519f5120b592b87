// The Training panel: where the player picks the clips, shapes the network, trains it, watches
// it learn, and keeps the models. It holds view state only (the draft config and split, the run
// as reported, plot series); clips, models and checkpoints are read through the app's deps, and
// everything that trains, saves or switches backends is an intent the app carries out. The draft
// and each run's request are kept in the settings store so a reloaded tab can resume a run.
//
// Layout for a newcomer: Quick train (quickTrain.ts: default network, hold-out split, time
// budget) then the Run section (Start) come first, under the status line; the model's settings
// are folded under "Advanced"; the plots follow the run.
//
// Ownership: owns its DOM, three uPlot plots (plotsView.ts), a redraw timer and a save timer;
// dispose() frees them. It does not own the run: dispose() leaves a training run going.
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
import { z } from 'zod';
import { createBackendView } from './backendView.ts';
import { createConfigEditor } from './configEditor.ts';
import { type FieldSpec, type FieldValue, type FormMemory, framesPerExample, getAt, isObject, type Json, writeField } from './configForm.ts';
import { DEFAULT_SPLIT, planSplit, type SplitChoice, type SplitPlan } from './dataSplit.ts';
import { createDataView } from './dataView.ts';
import { downloadBytes, el, messageOf } from '../dom.ts';
import { MODEL_ZIP_MAX_BYTES } from '../../data/untrusted/limits.ts';
import { formatBytes, formatDate, formatPercent, modelFileName } from './format.ts';
import { createModelsView, kindLabel, type ResumableRun } from './modelsView.ts';
import { createThrottle, TrainingSeries } from './plotSeries.ts';
import { createPlotsView } from './plotsView.ts';
import { createQuickTrainView, QUICK_BUDGET_S, quickPlan } from './quickTrain.ts';
import { applyEvent, failed, finished, IDLE_RUN, isActive, paused, type RunState, startRun, stopping } from './runState.ts';
import { createRunView } from './runView.ts';
import type {
  BackendInfo, CalibrationLike, CheckpointInfoLike, ClipInfo, ConfigCheck, ModelInfo, TrainEventLike, TrainingPanelDeps, TrainRequestLike,
} from './trainingContract.ts';

export type * from './trainingContract.ts';

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
  dispose(): void;
}

/** Redraws of plots and progress per second, at most. */
const REDRAW_MS = 250;
const SAVE_DRAFT_MS = 400;
export const DRAFT_KEY = 'training-panel-draft';
export const RUN_KEY_PREFIX = 'training-run:';
export const DEFAULT_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

const choiceSchema = z.union([
  z.object({ mode: z.literal('tags'), untagged: z.enum(['train', 'val', 'skip']) }),
  z.object({ mode: z.literal('holdout'), percent: z.number(), seed: z.number().int().min(0) }),
]);
const draftSchema = z.object({ config: z.record(z.string(), z.unknown()), choice: choiceSchema, excluded: z.array(z.string()) }).nullable();
const runRecordSchema = z.object({
  name: z.string(), config: z.unknown(), trainClipIds: z.array(z.string()), valClipIds: z.array(z.string()), runId: z.string(),
}).nullable();

export function createTrainingPanel(opts: TrainingPanelOptions): TrainingPanel {
  const { deps } = opts;
  const backends = deps.backends ?? DEFAULT_BACKENDS;
  const defaults = (): Json => (isObject(deps.defaultConfig) ? structuredClone(deps.defaultConfig) : {});

  // ---- view state ----
  let clips: readonly ClipInfo[] = [];
  let clipsLoading = true;
  let excluded: ReadonlySet<string> = new Set();
  let choice: SplitChoice = DEFAULT_SPLIT;
  let config: Json = defaults();
  let check: ConfigCheck | 'pending' = 'pending';
  let jsonError: string | null = null;
  let edited = false;
  const memory: FormMemory = new Map();
  let run: RunState = IDLE_RUN;
  let models: readonly ModelInfo[] = [];
  let modelsLoading = true;
  let runs: readonly ResumableRun[] = [];
  let renaming: string | null = null;
  let confirmingDelete: string | null = null;
  const busy = new Set<string>();
  let importing = false;
  let backend: BackendInfo | null = null;
  let forced = 'auto';
  let calibration: CalibrationLike | null = null;
  let calibrating = false;
  let backendError: string | null = null;
  let disposed = false;
  let validation = 0;
  let saveTimer: ReturnType<typeof setTimeout> | null = null;
  const series = new TrainingSeries();
  let planCache: { key: unknown[]; plan: SplitPlan } | null = null;

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
  /** Cancel pressed with "discard": the model the stopped run saves is deleted. */
  let discardOnCancel = false;
  opts.container.append(root);

  const dataView = createDataView(data.body, {
    choice(c) {
      choice = c;
      edited = true;
      renderData();
      renderRun();
      scheduleSave();
    },
    include(id, on) {
      const next = new Set(excluded);
      if (on) next.delete(id);
      else next.add(id);
      excluded = next;
      edited = true;
      renderData();
      renderRun();
      scheduleSave();
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
  const runView = createRunView(runSec.body, {
    start: (name) => void startTraining(name, null),
    pause() {
      run = paused(run, true);
      renderRun();
      void call(() => deps.pause(), 'Pausing failed');
    },
    resume() {
      run = paused(run, false);
      renderRun();
      void call(() => deps.resume(), 'Resuming failed');
    },
    cancel(keep) {
      discardOnCancel = !keep;
      run = stopping(run);
      renderRun();
      void call(() => deps.cancel(), 'Cancelling failed');
    },
  });
  // Quick train: the default network, a hold-out split and a time budget (quickTrain.ts).
  const quickView = createQuickTrainView(quickRow, () => void quickTrain());
  async function quickTrain(): Promise<void> {
    if (isActive(run) || clipsLoading) return;
    choice = quickPlan(clips, framesPerExample(defaults())).choice;
    excluded = new Set();
    memory.clear();
    jsonError = null;
    setConfig(defaults());
    await validate();
    await startTraining(`Quick ${formatDate(deps.now())}`, null, QUICK_BUDGET_S);
  }
  const plots = createPlotsView(plotsSec.body);
  const modelsView = createModelsView(modelsSec.body, {
    drive: (id) => void act(id, async () => deps.driveWith(id), 'Could not drive with this model'),
    ...(deps.improveModel ? { improve: (id: string) => void act(id, async () => {
      await deps.improveModel!(id);
      await loadModels();
    }, 'Could not improve this model') } : {}),
    startRename(id) {
      renaming = id;
      confirmingDelete = null;
      renderModels();
    },
    rename(id, name) {
      renaming = null;
      void act(id, async () => {
        await deps.renameModel(id, name);
        await loadModels();
      }, 'Renaming failed');
    },
    export(id) {
      const m = models.find((x) => x.id === id);
      void act(id, async () => {
        const bytes = await deps.exportModel(id);
        downloadBytes(bytes, modelFileName(m?.name ?? id));
        deps.notify(`Exported '${m?.name ?? id}' (${formatBytes(bytes.byteLength)})`, 'ok');
      }, 'Export failed');
    },
    askDelete(id) {
      confirmingDelete = id;
      renaming = null;
      renderModels();
    },
    confirmDelete(id) {
      confirmingDelete = null;
      void act(id, async () => {
        await deps.deleteModel(id); // the app's notice says so, with Undo
        await loadModels();
      }, 'Delete failed');
    },
    import(file) {
      importing = true;
      renderModels();
      void (async () => {
        try {
          if (file.size > MODEL_ZIP_MAX_BYTES) throw new Error(`'${file.name}' is ${file.size} bytes; a model zip is at most ${MODEL_ZIP_MAX_BYTES}`);
          const meta = await deps.importModel(new Uint8Array(await file.arrayBuffer()));
          deps.notify(`Imported '${meta.name}'`, 'ok');
          await loadModels();
        } catch (e) {
          deps.notify(`Import of ${file.name} failed: ${messageOf(e)}`, 'error');
        } finally {
          importing = false;
          if (!disposed) renderModels();
        }
      })();
    },
    resumeRun: (runId) => void resumeRun(runId),
  });
  const backendView = createBackendView(backendSec.body, {
    force(name) {
      const before = forced;
      forced = name;
      backendError = null;
      renderBackend();
      void (async () => {
        try {
          const info = await deps.forceBackend(name);
          if (info && !disposed) setBackendInfo(info);
        } catch (e) {
          forced = before;
          backendError = `Could not switch to ${name}: ${messageOf(e)}`;
        }
        if (!disposed) renderBackend();
      })();
    },
    calibrate() {
      calibrating = true;
      backendError = null;
      renderBackend();
      void (async () => {
        try {
          // Measure the model about to be trained, if its config is valid.
          calibration = await deps.calibrate(check !== 'pending' && check.ok && !jsonError ? structuredClone(config) : structuredClone(deps.defaultConfig));
          forced = 'auto';
          const best = calibration.inference[0];
          deps.notify(`Calibrated: ${best ?? 'no backend'} for driving, ${calibration.training[0] ?? 'none'} for training`, 'ok');
        } catch (e) {
          backendError = `Calibration failed: ${messageOf(e)}`;
        } finally {
          calibrating = false;
          if (!disposed) renderBackend();
        }
      })();
    },
  });

  const throttle = createThrottle({
    intervalMs: REDRAW_MS,
    run: () => {
      if (disposed) return;
      plots.draw(series);
      renderRun();
    },
    now: () => performance.now(),
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  });

  // ---- state changes ----
  function setConfig(next: Json): void {
    config = next;
    edited = true;
    renderConfig();
    renderData();
    renderRun();
    void validate();
    scheduleSave();
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

  function scheduleSave(): void {
    if (saveTimer !== null) clearTimeout(saveTimer);
    saveTimer = setTimeout(() => {
      saveTimer = null;
      deps.settings.put(DRAFT_KEY, { config, choice, excluded: [...excluded] }).catch((e) => console.warn('training panel: the draft was not saved', e));
    }, SAVE_DRAFT_MS);
  }

  function newRunId(): string {
    return `run-${deps.now().toString(36)}-${Math.floor(Math.random() * 36 ** 6).toString(36).padStart(6, '0')}`;
  }

  async function startTraining(name: string, resumeFrom: TrainRequestLike | null, budgetSeconds?: number): Promise<void> {
    if (isActive(run) || disposed) return;
    let req: TrainRequestLike;
    if (resumeFrom) {
      req = { ...resumeFrom, resume: true };
    } else {
      if (blockedReason() !== null) return;
      const plan = currentPlan();
      req = { name, config: structuredClone(config), trainClipIds: [...plan.trainClipIds], valClipIds: [...plan.valClipIds], runId: newRunId(), ...(budgetSeconds ? { budgetSeconds } : {}) };
    }
    series.reset();
    plots.draw(series);
    run = startRun({ runId: req.runId, name: req.name, resume: Boolean(req.resume), hasValidation: req.valClipIds.length > 0 });
    discardOnCancel = false;
    renderAllButPlots();
    runSec.root.scrollIntoView({ block: 'start', behavior: 'smooth' });
    try {
      const { resume: _resume, ...record } = req;
      await deps.settings.put(RUN_KEY_PREFIX + req.runId, record);
    } catch (e) {
      deps.notify(`This run cannot be resumed after a reload (${messageOf(e)})`, 'warn');
    }
    try {
      let outcome = await deps.startTraining(req);
      if (disposed) return;
      throttle.flush();
      if (discardOnCancel && outcome.status === 'cancelled' && outcome.modelId) {
        await deps.discardModel(outcome.modelId).catch((e: unknown) => deps.notify(`The partial model was not discarded: ${messageOf(e)}`, 'warn'));
        outcome = { ...outcome, modelId: null };
        run = { ...finished(run, outcome), message: `Cancelled after ${outcome.epochsDone} epoch${outcome.epochsDone === 1 ? '' : 's'}; the partial model was discarded.` };
      } else {
        run = finished(run, outcome);
      }
      deps.notify(run.message ?? 'Training ended', outcome.status === 'diverged' ? 'warn' : outcome.modelId ? 'ok' : 'info');
    } catch (e) {
      if (disposed) return;
      throttle.flush();
      run = failed(run, messageOf(e));
      deps.notify(run.message ?? 'Training failed', 'error');
    }
    renderAllButPlots();
    await Promise.all([loadModels(), loadRuns()]);
    if (!runs.some((r) => r.checkpoint.runId === req.runId)) await deps.settings.remove(RUN_KEY_PREFIX + req.runId).catch(() => undefined);
  }

  async function resumeRun(runId: string): Promise<void> {
    try {
      const record = await deps.settings.get(RUN_KEY_PREFIX + runId, runRecordSchema, null);
      if (!record) {
        deps.notify('This run cannot be resumed here: its clips and settings were not kept', 'warn');
        return;
      }
      await startTraining(record.name, record);
    } catch (e) {
      deps.notify(`Could not resume: ${messageOf(e)}`, 'error');
    }
  }

  /** Runs an action on a model with its row marked busy; failures become a notice. */
  async function act(id: string, fn: () => Promise<unknown>, what: string): Promise<void> {
    busy.add(id);
    renderModels();
    try {
      await fn();
    } catch (e) {
      deps.notify(`${what}: ${messageOf(e)}`, 'error');
    } finally {
      busy.delete(id);
      if (!disposed) renderModels();
    }
  }

  async function call(fn: () => unknown, what: string): Promise<void> {
    try {
      await fn();
    } catch (e) {
      deps.notify(`${what}: ${messageOf(e)}`, 'error');
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

  async function loadModels(): Promise<void> {
    try {
      models = await deps.listModels();
    } catch (e) {
      deps.notify(`Could not read the saved models: ${messageOf(e)}`, 'error');
    }
    modelsLoading = false;
    if (!disposed) renderModels();
  }

  async function loadRuns(): Promise<void> {
    let checkpoints: readonly CheckpointInfoLike[];
    try {
      checkpoints = await deps.listCheckpoints();
    } catch (e) {
      deps.notify(`Could not read the training checkpoints: ${messageOf(e)}`, 'error');
      return;
    }
    runs = await Promise.all(checkpoints.map(async (c) => {
      const record = await deps.settings.get(RUN_KEY_PREFIX + c.runId, runRecordSchema, null).catch(() => null);
      return { checkpoint: c, name: record?.name ?? null };
    }));
    if (!disposed) renderModels();
  }

  async function loadDraft(): Promise<void> {
    try {
      const draft = await deps.settings.get(DRAFT_KEY, draftSchema, null);
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

  function setBackendInfo(info: BackendInfo): void {
    backend = info;
    if (info.chosenBy !== undefined) forced = info.chosenBy === 'forced' && info.backend ? info.backend : 'auto';
    renderHeader();
    renderBackend();
  }

  // ---- rendering: each section from the state ----
  function renderHeader(): void {
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
    dataView.update({ clips, excluded, choice, plan: currentPlan(), locked: isActive(run), loading: clipsLoading });
  }

  function renderConfig(): void {
    editor.update({ config, check, jsonError, locked: isActive(run) });
    if (jsonError || (check !== 'pending' && !check.ok)) modelFold.open = true; // the error must be in view
  }

  function renderRun(): void {
    runView.update({ run, blocked: blockedReason(), defaultName: defaultName() });
    quickView.update({ plan: clipsLoading ? null : quickPlan(clips, framesPerExample(defaults())), active: isActive(run) });
    renderHeader();
  }

  function renderModels(): void {
    modelsView.update({ models, runs, renaming, confirmingDelete, busy, importing, training: isActive(run), loading: modelsLoading });
  }

  function renderBackend(): void {
    backendView.update({ backends, forced, calibration, calibrating, training: isActive(run), error: backendError });
  }

  function renderAllButPlots(): void {
    renderData();
    renderConfig();
    renderRun();
    renderModels();
    renderBackend();
  }

  renderAllButPlots();
  plots.draw(series);
  void validate();
  void loadDraft();
  void deps.lastCalibration?.().then((c) => {
    if (c && !calibration && !disposed) {
      calibration = c;
      renderBackend();
    }
  }).catch(() => undefined);

  const panel: TrainingPanel = {
    async refresh() {
      await Promise.all([loadClips(), loadModels(), loadRuns()]);
    },
    onEvent(e) {
      if (disposed || !isActive(run)) return;
      // Backend switches show in the Run section (the app raises its own notice for failures).
      run = applyEvent(run, e);
      // Steps and epochs: progress and plots, throttled; the rest (preparing, backend, paused,
      // resumed) at once.
      if (series.push(e)) throttle.request();
      else renderRun();
    },
    setBackend(info) {
      if (!disposed) setBackendInfo(info);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      throttle.cancel();
      if (saveTimer !== null) {
        clearTimeout(saveTimer);
        deps.settings.put(DRAFT_KEY, { config, choice, excluded: [...excluded] }).catch(() => undefined);
      }
      dataView.dispose();
      editor.dispose();
      runView.dispose();
      quickView.dispose();
      plots.dispose();
      modelsView.dispose();
      backendView.dispose();
      root.remove();
    },
  };
  void panel.refresh();
  return panel;
}
