// The player's settings: the Settings panel, loading and saving them (debounced), and what a
// change does to the running app (input, autopilot timing, the dash camera's size, the ML
// backend: a change that invalidates the loaded model leaves Autopilot for Drive).

import type { SettingsStore } from '../data/index.ts';
import type { Renderer } from '../render/index.ts';
import { createSettingsPanel } from '../ui/settingsPanel.ts';
import { type AppSettings, appSettingsSchema, DEFAULT_SETTINGS, dashSizeOf, flattenSettings, SETTINGS_FORM, withSetting } from './appSettings.ts';
import { SPEED_CONTROLS, type SpeedControl } from './autopilot.ts';
import type { ModeName } from './modes/mode.ts';

const SETTINGS_KEY = 'app-settings';

/** The parts a settings change reaches. */
export interface SettingsTargets {
  setInput(input: AppSettings['input']): void;
  setPlayerName(name: string): void;
  autopilot(): {
    model: { id: string } | null;
    recordTakeovers: boolean;
    autopilot: { opts: { timing: AppSettings['autopilotTiming']; throttle: AppSettings['throttleSource']; governor: boolean; speedControl: SpeedControl } };
    loadModel(id: string): Promise<void>;
    dispose(): void;
  };
  /** The lockstep loop picks up a timing change. */
  resumeLockstep(): void;
  renderer(): Pick<Renderer, 'dashWidth' | 'dashHeight' | 'setDashSize'> | null;
  /** The dash camera's size changed: cached frames are stale. */
  dashChanged(): void;
  mode(): ModeName;
  setMode(m: ModeName): void;
  notify(text: string, kind: 'info' | 'ok' | 'warn' | 'error'): void;
  /** Settings > Training workers changed: forget the measured one-or-two verdicts, so 'auto' times them again. */
  trainingWorkersChanged?(): void;
}

/** What `next` changes in the running app, given the settings in force before (null at start-up). */
export function applySettings(next: AppSettings, prev: AppSettings | null, t: SettingsTargets): void {
  t.setInput(next.input);
  t.setPlayerName(next.playerName);
  const ap = t.autopilot();
  ap.recordTakeovers = next.recordTakeovers;
  ap.autopilot.opts = { ...ap.autopilot.opts, timing: next.autopilotTiming, throttle: next.throttleSource, governor: next.speedGovernor, speedControl: SPEED_CONTROLS[next.speedControl] };
  t.resumeLockstep();
  const renderer = t.renderer();
  if (renderer && (!prev || next.dashSize !== prev.dashSize)) {
    const d = dashSizeOf(next.dashSize);
    if (renderer.dashWidth !== d.width || renderer.dashHeight !== d.height) {
      renderer.setDashSize(d.width, d.height);
      t.dashChanged();
      if (ap.model) {
        // The model reads frames of the old size: reload it (refused with a reason if it no longer fits).
        const id = ap.model.id;
        ap.model = null;
        if (t.mode() === 'autopilot') t.setMode('drive');
        void ap.loadModel(id).catch((e: Error) => t.notify(e.message, 'warn'));
      }
    }
  }
  if (prev && next.trainingWorkers !== prev.trainingWorkers) t.trainingWorkersChanged?.();
  if (prev && next.backend !== prev.backend) {
    ap.dispose();
    ap.model = null;
    if (t.mode() === 'autopilot') t.setMode('drive');
    t.notify(`ML backend: ${next.backend === 'auto' ? 'the fastest measured' : next.backend}. The model will reload on the next drive.`, 'info');
  }
}

export interface SettingsFeature {
  readonly current: AppSettings;
  update(key: string, value: number | string | boolean): void;
  /** Applies the defaults, then the saved settings once read; call when every target exists. */
  start(): void;
  dispose(): void;
}

export function createSettingsFeature(o: { container: HTMLElement; store: Promise<SettingsStore | null>; targets: SettingsTargets }): SettingsFeature {
  let settings: AppSettings = DEFAULT_SETTINGS;
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  const panel = createSettingsPanel(o.container, SETTINGS_FORM, (key, value) => feature.update(key, value));
  const set = (next: AppSettings, prev: AppSettings | null): void => {
    settings = next;
    applySettings(next, prev, o.targets);
    panel.setValues(flattenSettings(next));
  };
  const feature: SettingsFeature = {
    get current() {
      return settings;
    },
    update(key, value) {
      const next = withSetting(settings, key, value);
      set(next, settings);
      clearTimeout(saveTimer);
      saveTimer = setTimeout(() => {
        void o.store.then((st) => st?.put(SETTINGS_KEY, next)).catch((e: Error) => o.targets.notify(`Settings not saved: ${e.message}`, 'warn'));
      }, 300);
    },
    start() {
      set(settings, null);
      void o.store.then(async (st) => {
        if (!st) return;
        const loaded = (await st.get(SETTINGS_KEY, appSettingsSchema, DEFAULT_SETTINGS).catch(() => DEFAULT_SETTINGS)) as AppSettings;
        set(loaded, settings);
      });
    },
    dispose() {
      clearTimeout(saveTimer);
      panel.dispose();
    },
  };
  return feature;
}
