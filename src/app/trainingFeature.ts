// The Training panel's wiring: clips from the store, configs checked by the model layer's
// validator, runs on the training worker, models driven by the autopilot, backend choices
// passed on to both workers.

import type { ClipStore, SettingsStore } from '../data/index.ts';
import { DEFAULT_CONFIG, describeModel, parseModelConfig } from '../model/config.ts';
import type { ModeName, Shell } from '../ui/shell.ts';
import { createTrainingPanel, type TrainingPanel } from '../ui/training/trainingPanel.ts';
import type { AutopilotController } from './autopilotController.ts';
import type { TrainingController } from './trainingController.ts';

export interface TrainingFeatureHost {
  store: Promise<ClipStore | null>;
  settingsStore: Promise<SettingsStore | null>;
  shell: Shell;
  training: TrainingController;
  autopilot: AutopilotController;
  mode(): ModeName;
  setMode(m: ModeName): void;
  /** Forces a backend ('auto' to measure) for both workers, and remembers it. */
  setBackend(name: string): void;
}

export function createTrainingFeature(host: TrainingFeatureHost): TrainingPanel {
  const { store, settingsStore, shell, training, autopilot } = host;
  const panel = createTrainingPanel({
    container: shell.panelBody('training'),
    deps: {
      listClips: async () => (await store)?.list() ?? [],
      defaultConfig: DEFAULT_CONFIG,
      validate: (c) => {
        try {
          return { ok: true, description: describeModel(parseModelConfig(c)) };
        } catch (e) {
          return { ok: false, message: (e as Error).message };
        }
      },
      startTraining: (req) => training.train(req),
      pause: () => training.pause(),
      resume: () => training.resume(),
      cancel: () => training.cancel(),
      listModels: () => training.listModels(),
      renameModel: (id, name) => training.renameModel(id, name),
      deleteModel: async (id) => {
        if (autopilot.model?.id === id) {
          if (host.mode() === 'autopilot') host.setMode('drive');
          autopilot.model = null;
        }
        await training.deleteModel(id);
      },
      exportModel: (id) => training.exportModel(id),
      importModel: (bytes) => training.importModel(bytes),
      listCheckpoints: () => training.listCheckpoints(),
      driveWith: async (id) => {
        try {
          await autopilot.loadModel(id);
          host.setMode('autopilot');
        } catch (e) {
          shell.notify((e as Error).message, 'error');
        }
      },
      calibrate: async (config) => {
        const c = await training.calibrate(config);
        panel.setBackend(training.status ?? { backend: null });
        // The driving worker picks the new ranking up on its next start.
        autopilot.dispose();
        autopilot.model = null;
        return c;
      },
      lastCalibration: () => training.lastCalibration(),
      forceBackend: async (name) => {
        host.setBackend(name);
        training.restart();
        await training.ensureWorker();
        return training.status ?? undefined;
      },
      settings: {
        get: async (key, schema, fallback) => (await settingsStore)?.get(key, schema, fallback) ?? fallback,
        put: async (key, value) => {
          await (await settingsStore)?.put(key, value);
        },
        remove: async (key) => {
          await (await settingsStore)?.remove(key);
        },
      },
      notify: (t, k) => shell.notify(t, k),
      now: () => Date.now(),
    },
  });
  training.onEvent((e) => panel.onEvent(e));
  return panel;

}
