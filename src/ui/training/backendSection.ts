// The Training panel's Backend section: which tfjs backend the steering worker runs on (as the
// app reports it), the player's forced choice ('auto': the calibrated one), and calibration (the
// cached one at start, a new one on Calibrate, measured on the model about to be trained). Both
// switching and calibrating are intents the app carries out; a failure shows in the section.
// The drawing is backendView.ts.
//
// Ownership: owns the section's view; dispose() frees it.

import { createBackendView } from './backendView.ts';
import { messageOf } from '../dom.ts';
import type { BackendInfo, CalibrationLike, TrainingPanelDeps } from './trainingContract.ts';

export const DEFAULT_BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;

export interface BackendSectionOptions {
  readonly container: HTMLElement;
  readonly deps: TrainingPanelDeps;
  /** A run is going (switching and calibrating wait meanwhile). */
  training(): boolean;
  /** The config Calibrate measures (a copy): the draft's when it is valid, else the default. */
  calibrationConfig(): unknown;
  /** The backend changed; the panel's status line shows it. */
  changed(): void;
}

export interface BackendSection {
  /** The worker's backend as last reported; null before the first report. */
  readonly info: BackendInfo | null;
  /** The worker's backend now (after init, calibrate, a forced switch); ignored once disposed. */
  setInfo(info: BackendInfo): void;
  /** Shows the cached calibration, unless one was measured meanwhile. */
  loadLastCalibration(): void;
  render(): void;
  dispose(): void;
}

export function createBackendSection(opts: BackendSectionOptions): BackendSection {
  const { deps } = opts;
  const backends = deps.backends ?? DEFAULT_BACKENDS;
  let backend: BackendInfo | null = null;
  let forced = 'auto';
  let calibration: CalibrationLike | null = null;
  let calibrating = false;
  let error: string | null = null;
  let disposed = false;

  const view = createBackendView(opts.container, {
    force(name) {
      const before = forced;
      forced = name;
      error = null;
      render();
      void (async () => {
        try {
          const info = await deps.forceBackend(name);
          if (info) setInfo(info);
        } catch (e) {
          forced = before;
          error = `Could not switch to ${name}: ${messageOf(e)}`;
        }
        if (!disposed) render();
      })();
    },
    calibrate() {
      calibrating = true;
      error = null;
      render();
      void (async () => {
        try {
          calibration = await deps.calibrate(opts.calibrationConfig());
          forced = 'auto';
          const best = calibration.inference[0];
          deps.notify(`Calibrated: ${best ?? 'no backend'} for driving, ${calibration.training[0] ?? 'none'} for training`, 'ok');
        } catch (e) {
          error = `Calibration failed: ${messageOf(e)}`;
        } finally {
          calibrating = false;
          if (!disposed) render();
        }
      })();
    },
  });

  function setInfo(info: BackendInfo): void {
    if (disposed) return;
    backend = info;
    if (info.chosenBy !== undefined) forced = info.chosenBy === 'forced' && info.backend ? info.backend : 'auto';
    opts.changed();
    render();
  }

  function render(): void {
    view.update({ backends, forced, calibration, calibrating, training: opts.training(), error });
  }

  return {
    get info() {
      return backend;
    },
    setInfo,
    loadLastCalibration() {
      void deps.lastCalibration?.().then((c) => {
        if (c && !calibration && !disposed) {
          calibration = c;
          render();
        }
      }).catch(() => undefined);
    },
    render,
    dispose() {
      disposed = true;
      view.dispose();
    },
  };
}
