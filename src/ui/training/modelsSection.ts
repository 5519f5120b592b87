// The Training panel's Saved models section: the list of saved models and of the interrupted
// runs that kept a checkpoint, read through the app's deps, and the player's actions on them
// (drive, improve, rename, export, delete, import), each carried out by the app's model commands
// with the model's row marked busy meanwhile; a failure becomes a notice. Resume is handed to
// the panel, which owns the run. The drawing is modelsView.ts.
//
// Ownership: owns the section's view; dispose() frees it.

import { downloadBytes, messageOf } from '../dom.ts';
import { MODEL_ZIP_MAX_BYTES } from '../../data/untrusted/limits.ts';
import { formatBytes, modelFileName } from './format.ts';
import { createModelsView, type ResumableRun } from './modelsView.ts';
import { readRunRecord } from './panelStore.ts';
import type { CheckpointInfoLike, ModelInfo, TrainingPanelDeps } from './trainingContract.ts';

export interface ModelsSectionOptions {
  readonly container: HTMLElement;
  readonly deps: TrainingPanelDeps;
  /** A run is going (the view offers no resume and no delete meanwhile). */
  training(): boolean;
  /** Resume pressed on an interrupted run. */
  resumeRun(runId: string): void;
}

export interface ModelsSection {
  /** Re-reads the saved models. */
  loadModels(): Promise<void>;
  /** Re-reads the checkpoints of interrupted runs, with the names their kept requests give them. */
  loadRuns(): Promise<void>;
  /** The interrupted runs as last read. */
  readonly runs: readonly ResumableRun[];
  render(): void;
  dispose(): void;
}

export function createModelsSection(opts: ModelsSectionOptions): ModelsSection {
  const { deps } = opts;
  let models: readonly ModelInfo[] = [];
  let modelsLoading = true;
  let runs: readonly ResumableRun[] = [];
  let renaming: string | null = null;
  let confirmingDelete: string | null = null;
  const busy = new Set<string>();
  let importing = false;
  let disposed = false;

  const view = createModelsView(opts.container, {
    drive: (id) => void act(id, async () => deps.driveWith(id), 'Could not drive with this model'),
    ...(deps.improveModel ? { improve: (id: string) => void act(id, async () => {
      await deps.improveModel!(id);
      await loadModels();
    }, 'Could not improve this model') } : {}),
    startRename(id) {
      renaming = id;
      confirmingDelete = null;
      render();
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
      render();
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
      render();
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
          if (!disposed) render();
        }
      })();
    },
    resumeRun: (runId) => opts.resumeRun(runId),
  });

  /** Runs an action on a model with its row marked busy; failures become a notice. */
  async function act(id: string, fn: () => Promise<unknown>, what: string): Promise<void> {
    busy.add(id);
    render();
    try {
      await fn();
    } catch (e) {
      deps.notify(`${what}: ${messageOf(e)}`, 'error');
    } finally {
      busy.delete(id);
      if (!disposed) render();
    }
  }

  async function loadModels(): Promise<void> {
    try {
      models = await deps.listModels();
    } catch (e) {
      deps.notify(`Could not read the saved models: ${messageOf(e)}`, 'error');
    }
    modelsLoading = false;
    if (!disposed) render();
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
      const record = await readRunRecord(deps.settings, c.runId).catch(() => null);
      return { checkpoint: c, name: record?.name ?? null };
    }));
    if (!disposed) render();
  }

  function render(): void {
    view.update({ models, runs, renaming, confirmingDelete, busy, importing, training: opts.training(), loading: modelsLoading });
  }

  return {
    loadModels,
    loadRuns,
    get runs() {
      return runs;
    },
    render,
    dispose() {
      disposed = true;
      view.dispose();
    },
  };
}
