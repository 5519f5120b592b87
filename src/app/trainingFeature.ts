// The Training panel's wiring: clips from the store, configs checked by the model layer's
// validator, runs on the training worker, models driven by the autopilot, backend choices
// passed on to both workers. Training while auto-record records (overlapTraining.ts) runs a
// Quick train through the panel, so its progress and the clips joining it show there.

import type { ClipStore, SettingsStore } from '../data/index.ts';
import { DEFAULT_CONFIG, parseModelConfig } from '../model/config.ts';
import { describeModel } from '../model/describe.ts';
import type { ModeName, Shell } from '../ui/shell.ts';
import type { TrainedCheck } from '../ui/guide.ts';
import { steeringVerdict } from '../ui/training/format.ts';
import { createTrainingPanel, type TrainingPanel } from '../ui/training/trainingPanel.ts';
import { CENTER_CAMERA } from '../data/index.ts';
import type { AutoRecordPlan, AutoRecordProgress, AutoRecordResult, Learner } from './autoRecord.ts';
import { overlapDepsOf, type OverlapStop, recordAndTrain, settledOutcome } from './overlapTraining.ts';
import type { TrainOutcome, TrainRequest } from '../../workers/steeringApi.ts';
import { fineTuneRequestConfig, QUICK_BUDGET_S } from '../ui/training/quickTrain.ts';
import type { AutopilotController } from './autopilotController.ts';
import { daggerRoundPlan, improveRound, nextDaggerRound } from './improve.ts';
import { createModelCommands, type ModelCommands } from './modelCommands.ts';
import { STARTER_MODEL_URL } from './modes/autopilotModels.ts';
import { createStarterBase } from './starterBase.ts';
import type { TrainingController } from './trainingController.ts';
import type { DeleteJournal } from './undoableDelete.ts';

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
  /**
   * A run saved a model, with its steering verdict (as the panel shows it), whether it was
   * measured on held-out clips, and the figures (a fine-tune's base alone too): the first-run
   * guide moves on only for a model that drives, and says how it did against the starter.
   */
  onTrained?(modelId: string, check: TrainedCheck): void;
  /** Where the starter model zip is (default: the shipped one); Quick train fine-tunes it. */
  starterUrl?: string;
  /** Auto-record (the library's), here for DAgger rollouts with a learner and for training while recording. */
  runAutoRecord(plan: AutoRecordPlan, onProgress?: (p: AutoRecordProgress) => void, signal?: AbortSignal, learner?: Learner, onClipStarted?: (clipId: string, index: number) => Promise<void>): Promise<AutoRecordResult>;
  /** Where pending deletions are written down, so a tab closed within the undo window still deletes. */
  journal?: DeleteJournal | null;
}

export interface TrainingFeature extends TrainingPanel {
  /** Every change to the saved models goes through here (modelCommands.ts). */
  readonly models: ModelCommands;
  /**
   * Records `plan` and trains at once (overlapTraining.ts): a Quick train (the starter fine-tuned,
   * its time budget) starts on the first clips and shows in the panel. Resolves when the recording
   * ends; the run goes on and ends as the panel shows.
   */
  trainWhileRecording(plan: AutoRecordPlan, onProgress?: (p: AutoRecordProgress) => void, signal?: AbortSignal): Promise<AutoRecordResult>;
}

/** Fine-tuning budget of one Improve round from the panel, s. */
const IMPROVE_BUDGET_S = 90;
/** Simulated minutes the model drives in one Improve round from the panel (as bench:autonomy's rounds). */
const IMPROVE_MINUTES = 3;

export function createTrainingFeature(host: TrainingFeatureHost): TrainingFeature {
  const { store, settingsStore, shell, training, autopilot } = host;
  let shown: TrainingPanel | null = null;
  const models = createModelCommands({
    models: training,
    drivingModelId: () => autopilot.model?.id ?? null,
    stopDriving: () => {
      if (host.mode() === 'autopilot') host.setMode('drive');
      autopilot.model = null;
    },
    notify: (t, k, ms, action) => shell.notify(t, k, ms, action),
    changed: () => void shown?.refresh(),
    journal: host.journal ?? null,
  });
  // Quick train's base: the starter model, imported if the library lacks it (starterBase.ts).
  let starterId: string | null = null;
  const starterBase = createStarterBase({
    fetchStarter: async () => {
      const res = await fetch(host.starterUrl ?? STARTER_MODEL_URL);
      if (!res.ok) throw new Error(`the starter model could not be fetched (HTTP ${res.status})`);
      return new Uint8Array(await res.arrayBuffer());
    },
    listModels: () => training.listModels(),
    importModel: (bytes) => training.importModel(bytes),
    hidden: (id) => models.isHidden(id),
  });
  // Deletions a closed tab left within their undo window (hidden before the panel's first list).
  void models.finishOrphans();
  /** Runs started by trainWhileRecording, by runId: the outcome goes back to it (settled: a stop by its rule is a budget's). */
  const following = new Map<string, { resolve(o: TrainOutcome): void; reject(e: unknown): void; settle(o: TrainOutcome): TrainOutcome }>();
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
      startTraining: async (req) => {
        const follow = following.get(req.runId);
        let out: TrainOutcome;
        try {
          out = follow ? follow.settle(await training.train(req as TrainRequest)) : await training.train(req as TrainRequest);
        } catch (e) {
          follow?.reject(e);
          throw e;
        } finally {
          following.delete(req.runId);
        }
        follow?.resolve(out);
        if (out.modelId) {
          host.onTrained?.(out.modelId, {
            verdict: steeringVerdict(out.rmse?.steering, out.baselineRmse?.steering),
            heldOut: req.valClipIds.length > 0,
            steering: { rmse: out.rmse?.steering, baseline: out.baselineRmse?.steering },
            base: out.before ? { rmse: out.before.rmse.steering, baseline: out.before.baselineRmse.steering, starter: req.fromModelId === starterId } : null,
          });
        }
        return out;
      },
      pause: () => training.pause(),
      resume: () => training.resume(),
      cancel: () => training.cancel(),
      listModels: () => models.list(),
      quickBase: async () => {
        const m = await starterBase();
        starterId = m.id;
        void shown?.refresh(); // it may have just been imported
        return { id: m.id, name: m.name, config: m.config };
      },
      renameModel: (id, name) => models.rename(id, name),
      deleteModel: (id) => models.remove(id),
      discardModel: (id) => models.discard(id),
      exportModel: (id) => models.exportModel(id),
      importModel: (bytes) => models.importModel(bytes),
      listCheckpoints: () => training.listCheckpoints(),
      driveWith: async (id) => {
        try {
          await autopilot.loadModel(id);
          host.setMode('autopilot');
        } catch (e) {
          shell.notify((e as Error).message, 'error');
        }
      },
      improveModel: async (id) => {
        const st = await store;
        if (!st) throw new Error('Improve needs the clip library (IndexedDB)');
        const meta = (await training.listModels()).find((m) => m.id === id);
        if (!meta) throw new Error('that model is not in the library');
        const clips = (await st.list()).filter((c) => meta.clipIds.includes(c.id));
        if (clips.length === 0) throw new Error(`the clips "${meta.name}" was trained on are gone: DAgger drives the tracks of the model's training clips`);
        const train = clips.filter((c) => c.tag !== 'val');
        const round = nextDaggerRound(meta.name);
        const plan = daggerRoundPlan([...new Set(train.map((c) => c.trackId))], [...new Set(train.map((c) => c.theme))], round);
        const r = await improveRound({
          model: meta,
          round,
          ...plan,
          minutes: IMPROVE_MINUTES,
          trainClipIds: train.map((c) => c.id),
          valClipIds: clips.filter((c) => c.tag === 'val').map((c) => c.id),
          recording: { cameras: [CENTER_CAMERA], rateHz: clips[0].rateHz, frameWidth: clips[0].frameWidth, frameHeight: clips[0].frameHeight },
          budgetSeconds: IMPROVE_BUDGET_S,
        }, {
          learner: (modelId) => autopilot.learner(modelId),
          record: (plan, learner) => host.runAutoRecord(plan, undefined, undefined, learner),
          train: (req) => training.train(req),
          onMessage: (t) => shell.notify(t, 'info'),
        });
        shell.notify(`DAgger round ${round}: the model drove at ${r.rollout.autonomyPct.toFixed(1)}% autonomy; ${r.outcome.modelId ? 'the fine-tuned copy is saved' : 'no model was saved'} (drive it to see the difference).`, r.outcome.modelId ? 'ok' : 'warn');
        return r;
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
  shown = panel;
  training.onEvent((e) => panel.onEvent(e));

  async function trainWhileRecording(plan: AutoRecordPlan, onProgress?: (p: AutoRecordProgress) => void, signal?: AbortSignal): Promise<AutoRecordResult> {
    if (training.running) throw new Error('a model is already training: wait for it, or auto-record without training');
    // Quick train's base and request (quickTrain.ts): the starter fine-tuned, else the default network.
    let base: { id: string; config: unknown } | null = null;
    try {
      base = await starterBase();
      starterId = base.id;
    } catch (e) {
      shell.notify(`The starter model could not be used (${(e as Error).message}): training starts the default network from random weights.`, 'warn');
    }
    const config = base && typeof base.config === 'object' && base.config !== null ? fineTuneRequestConfig(base.config as Record<string, unknown>) : structuredClone(DEFAULT_CONFIG) as unknown as Record<string, unknown>;
    const now = Date.now();
    const stop: OverlapStop = { kind: 'budget', seconds: QUICK_BUDGET_S };
    let recorded: (r: AutoRecordResult) => void = () => {};
    let failed: (e: unknown) => void = () => {};
    const recording = new Promise<AutoRecordResult>((res, rej) => {
      recorded = res;
      failed = rej;
    });
    const deps = overlapDepsOf({ runAutoRecord: host.runAutoRecord, store, training }, {
      plan,
      request: { name: `Quick (while recording) ${new Date(now).toISOString().slice(0, 16).replace('T', ' ')}`, config, runId: `run-${now}`, ...(base ? { fromModelId: base.id } : {}) },
      // The panel runs it (startTraining above), so the player sees it; the outcome comes back here.
      train: (req) => new Promise<TrainOutcome>((resolve, reject) => {
        following.set(req.runId, { resolve, reject, settle: (o) => settledOutcome(o, stoppedByRule(), stop) });
        if (!panel.runRequest(req, base ? 'the starter model' : undefined)) {
          following.delete(req.runId);
          reject(new Error('a model is already training'));
        }
      }),
      ...(onProgress ? { onProgress } : {}),
      ...(signal ? { signal } : {}),
      onNote: (t) => shell.notify(t, 'info'),
    });
    let ruleStopped = false;
    const stoppedByRule = (): boolean => ruleStopped;
    const record = deps.record;
    void recordAndTrain({
      ...deps,
      record: (onClipStarted) => {
        const r = record(onClipStarted);
        r.then(recorded, failed);
        return r;
      },
      cancelTraining: () => {
        ruleStopped = true;
        return deps.cancelTraining();
      },
    }, stop).catch((e: unknown) => {
      failed(e);
      shell.notify(`Training while recording failed: ${(e as Error).message}`, 'error');
    });
    void shown?.refresh();
    return recording;
  }

  return {
    trainWhileRecording,
    models,
    refresh: () => panel.refresh(),
    onEvent: (e) => panel.onEvent(e),
    setBackend: (info) => panel.setBackend(info),
    runRequest: (req, baseName) => panel.runRequest(req, baseName),
    dispose() {
      void models.flush();
      panel.dispose();
    },
  };
}
