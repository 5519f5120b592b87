// The Training panel's Run section and live plots: one run from Start to its outcome. Keeps the
// run's request (panelStore.ts) so a reload can resume it, passes Pause / Resume / Cancel to the
// app, folds the worker's events into the run state (runState.ts) and the plot series
// (plotSeries.ts), redrawn at most every REDRAW_MS, and ends with the outcome's notice; a run
// cancelled with "discard" has its partial model deleted. The panel builds each request from its
// draft; the drawing is runView.ts and plotsView.ts (uPlot).
//
// Ownership: owns the Run view, the plots and the redraw timer; dispose() frees them. It does not
// own the run: dispose() leaves a training run going.

import { messageOf } from '../dom.ts';
import { putRunRecord, removeRunRecord } from './panelStore.ts';
import { createThrottle, TrainingSeries } from './plotSeries.ts';
import { createPlotsView } from './plotsView.ts';
import { applyEvent, failed, finished, IDLE_RUN, isActive, paused, type RunState, startRun, stopping } from './runState.ts';
import { createRunView } from './runView.ts';
import type { TrainEventLike, TrainingPanelDeps, TrainRequestLike } from './trainingContract.ts';

/** Redraws of plots and progress per second, at most. */
const REDRAW_MS = 250;

export interface RunSectionOptions {
  /** The Run section: the view goes in its body; its root is scrolled into view when a run starts. */
  readonly section: { readonly root: HTMLElement; readonly body: HTMLElement };
  readonly plotsContainer: HTMLElement;
  readonly deps: TrainingPanelDeps;
  /** Start pressed: the panel builds the request from its draft (with this name) and calls start. */
  startPressed(name: string): void;
  /** The Run section, Quick train and the status line render again (the panel's renderRun). */
  renderRun(): void;
  /** Every section but the plots renders again: a run starts or ends, and the locks follow it. */
  renderAll(): void;
  /** A run ended: the saved models and the interrupted runs are read again. */
  reload(): Promise<void>;
  /** An interrupted run with this id is listed (it kept a checkpoint, so its request is kept). */
  hasCheckpoint(runId: string): boolean;
}

export interface RunSection {
  /** The run as reported; IDLE_RUN before the first. */
  readonly state: RunState;
  /** Runs `req` to its end (the panel checks first that no run is going). */
  /** `baseName`: a fine-tune's base model as the verdict names it ("the starter model"). */
  start(req: TrainRequestLike, baseName?: string): Promise<void>;
  /** One event of the run started here; ignored when no run is going. */
  onEvent(e: TrainEventLike): void;
  /** Draws the Run view: why Start is off, and the name an empty box stands for. */
  render(blocked: string | null, defaultName: string): void;
  dispose(): void;
}

export function createRunSection(opts: RunSectionOptions): RunSection {
  const { deps } = opts;
  let run: RunState = IDLE_RUN;
  /** Cancel pressed with "discard": the model the stopped run saves is deleted. */
  let discardOnCancel = false;
  let disposed = false;
  const series = new TrainingSeries();

  const view = createRunView(opts.section.body, {
    start: (name) => opts.startPressed(name),
    pause() {
      run = paused(run, true);
      opts.renderRun();
      void call(() => deps.pause(), 'Pausing failed');
    },
    resume() {
      run = paused(run, false);
      opts.renderRun();
      void call(() => deps.resume(), 'Resuming failed');
    },
    cancel(keep) {
      discardOnCancel = !keep;
      run = stopping(run);
      opts.renderRun();
      void call(() => deps.cancel(), 'Cancelling failed');
    },
  });
  const plots = createPlotsView(opts.plotsContainer);
  const throttle = createThrottle({
    intervalMs: REDRAW_MS,
    run: () => {
      if (disposed) return;
      plots.draw(series);
      opts.renderRun();
    },
    now: () => performance.now(),
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  });
  plots.draw(series);

  async function call(fn: () => unknown, what: string): Promise<void> {
    try {
      await fn();
    } catch (e) {
      deps.notify(`${what}: ${messageOf(e)}`, 'error');
    }
  }

  async function start(req: TrainRequestLike, baseName?: string): Promise<void> {
    series.reset();
    plots.draw(series);
    run = startRun({ runId: req.runId, name: req.name, resume: Boolean(req.resume), hasValidation: req.valClipIds.length > 0, baseName: baseName ?? null });
    discardOnCancel = false;
    opts.renderAll();
    opts.section.root.scrollIntoView({ block: 'start', behavior: 'smooth' });
    try {
      await putRunRecord(deps.settings, req);
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
    opts.renderAll();
    await opts.reload();
    if (!opts.hasCheckpoint(req.runId)) await removeRunRecord(deps.settings, req.runId).catch(() => undefined);
  }

  return {
    get state() {
      return run;
    },
    start,
    onEvent(e) {
      if (disposed || !isActive(run)) return;
      // Backend switches show in the Run section (the app raises its own notice for failures).
      run = applyEvent(run, e);
      // Steps and epochs: progress and plots, throttled; the rest (preparing, backend, paused,
      // resumed) at once.
      if (series.push(e)) throttle.request();
      else opts.renderRun();
    },
    render(blocked, defaultName) {
      view.update({ run, blocked, defaultName });
    },
    dispose() {
      disposed = true;
      throttle.cancel();
      view.dispose();
      plots.dispose();
    },
  };
}
