// Developer preview of the Training panel in the real page frame, with a fake app
// (previewFakes.ts): clips, saved models and an interrupted run in memory, a config check that
// sizes the network, and training runs on a timer whose events look like the trainer's. Parameters
// are listed in preview.html. window.trainingPreview exposes the panel and the fakes.

import '../styles.css';
import { createShell } from '../shell.ts';
import { createFakeWorker, fakeClips, fakeValidate, memorySettings } from './previewFakes.ts';
import { createTrainingPanel, RUN_KEY_PREFIX, type TrainingPanel } from './trainingPanel.ts';

/** The model's defaults (src/model/config.ts DEFAULT_CONFIG), as the app passes them. */
const DEFAULT_CONFIG = {
  version: 1,
  seed: 1,
  input: { height: 66, width: 200, resize: 'area', speed: true },
  encoder: {
    layers: [
      { filters: 24, kernel: 5, stride: 2, padding: 'valid', activation: 'relu' },
      { filters: 36, kernel: 5, stride: 2, padding: 'valid', activation: 'relu' },
      { filters: 48, kernel: 5, stride: 2, padding: 'valid', activation: 'relu' },
      { filters: 64, kernel: 3, stride: 1, padding: 'valid', activation: 'relu' },
      { filters: 64, kernel: 3, stride: 1, padding: 'valid', activation: 'relu' },
    ],
    widthMultiplier: 1, hidden: [100], embedding: 50, activation: 'relu', dropout: 0,
  },
  sequence: { kind: 'cnn_lstm', cell: 'lstm', units: 64, window: 8, runLength: 16 },
  heads: { hidden: 0, activation: 'relu', steering: { lossWeight: 1 }, speed: { lossWeight: 0.5 }, torque: { lossWeight: 0.5 } },
  init: { kernel: 'heNormal', recurrent: 'orthogonal' },
  training: {
    optimizer: { kind: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
    learningRate: 1e-3, schedule: { kind: 'constant' }, warmupSteps: 0, gradientClip: { kind: 'global-norm', maxNorm: 5 },
    batchSize: 32, epochs: 20, earlyStopping: { patience: 3, minDelta: 0, restoreBest: true },
  },
  augmentation: { brightness: 0.2, contrast: 0.2, shadowProbability: 0.3, shadowDarkness: 0.5, flipProbability: 0.5, shiftX: 4, shiftY: 2, shiftSteerPerPixel: 0 },
  balance: { kind: 'none' },
};

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const root = document.getElementById('app') as HTMLElement;
  const shell = createShell(
    root,
    { presets: [{ id: 'oval', name: 'Oval' }], themes: ['day'], cameras: ['chase'] },
    { mode: () => {}, track: () => {}, randomTrack: () => {}, theme: () => {}, camera: () => {}, panel: (p) => shell.openPanel(p), help: () => {} },
  );
  shell.setBadge('preview');
  shell.viewport.style.background = 'linear-gradient(#1d2a3a, #0c0f14)';
  const now = (): number => Date.now();
  const empty = params.get('empty') === '1';
  const settings = memorySettings();
  const fail = params.get('fail');
  const worker = createFakeWorker({ now, stepMs: Number(params.get('step') ?? 60), failAtStep: fail === null ? null : Number(fail), settings });
  const clips = empty ? [] : fakeClips({ oddSize: params.get('odd') === '1' });
  if (!empty) {
    const day = 86_400_000;
    const t = now();
    worker.addModel('PilotNet baseline (1 frame)', 'cnn', { sequence: { kind: 'cnn' } }, 0.118, 0.214, t - 3 * day, 'wasm', 1_010_000);
    worker.addModel('LSTM T8 first try', 'cnn_lstm', { sequence: { kind: 'cnn_lstm', cell: 'lstm', window: 8 } }, 0.071, 0.214, t - 2 * day, 'webgl', 1_096_000);
    worker.addModel('Simple RNN (stalled)', 'cnn_lstm', { sequence: { kind: 'cnn_lstm', cell: 'rnn', window: 16 } }, 0.205, 0.214, t - day, 'wasm', 1_030_000);
    // A run a closed tab left with a checkpoint, whose request the panel had kept.
    worker.checkpoints.push({ runId: 'run-preview-old', savedAt: t - 3_600_000 });
    await settings.put(`${RUN_KEY_PREFIX}run-preview-old`, { name: 'GRU T12 overnight', config: DEFAULT_CONFIG, trainClipIds: ['c1', 'c2'], valClipIds: ['c6'], runId: 'run-preview-old' });
  }

  let panel: TrainingPanel | null = null;
  panel = createTrainingPanel({
    container: shell.panelBody('training'),
    deps: {
      listClips: async () => clips,
      defaultConfig: DEFAULT_CONFIG,
      validate: async (c) => {
        await new Promise((r) => setTimeout(r, 20)); // a worker round trip
        return fakeValidate(c);
      },
      startTraining: (req) => worker.train(req, (e) => panel?.onEvent(e)),
      pause: () => worker.pause(),
      resume: () => worker.resume(),
      cancel: () => worker.cancel(),
      listModels: () => worker.listModels(),
      renameModel: (id, name) => worker.renameModel(id, name),
      deleteModel: async (id) => {
        await worker.deleteModel(id);
        shell.notify('(preview) deleted: the app hides it and offers Undo on its notice', 'info');
      },
      discardModel: (id) => worker.deleteModel(id),
      exportModel: (id) => worker.exportModel(id),
      importModel: (bytes) => worker.importModel(bytes),
      listCheckpoints: () => worker.listCheckpoints(),
      driveWith: (id) => shell.notify(`(preview) the app would switch to Autopilot with model ${id}`, 'info'),
      calibrate: async () => {
        const c = await worker.calibrate();
        panel?.setBackend(worker.backend);
        return c;
      },
      lastCalibration: () => worker.lastCalibration(),
      forceBackend: (name) => worker.forceBackend(name),
      settings,
      notify: (text, kind) => shell.notify(text, kind),
      now,
    },
  });
  panel.setBackend(worker.backend);
  shell.openPanel('training');
  (window as unknown as { trainingPreview: unknown }).trainingPreview = { panel, worker, settings, ready: true };
  if (params.get('autostart') === '1') {
    const start = document.querySelector<HTMLButtonElement>('[data-testid="train-start"]');
    const tryStart = (): void => {
      if (start && !start.disabled) start.click();
      else setTimeout(tryStart, 100);
    };
    tryStart();
  }
}

main().catch((e: unknown) => {
  document.body.textContent = `Preview failed: ${String(e)}`;
  console.error(e);
});
