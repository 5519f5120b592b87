// The command layer of the saved models: the one module that changes the model library for the
// Training panel's intents (rename, delete with Undo, discard, import, export). The models live
// behind the training worker (trainingController.ts); this module decides what a change means
// for the rest of the app. A deletion hides the model at once, stops the autopilot driving with
// it, and is carried out after UNDO_MS unless the player presses Undo (undoableDelete.ts; a tab
// closed within the window leaves it to the next start-up, finishOrphans).

import type { ModelMeta } from '../data/index.ts';
import type { NoticeAction } from '../ui/shell.ts';
import { createUndoableDeletes, type DeleteJournal } from './undoableDelete.ts';

type NoticeKind = 'info' | 'ok' | 'warn' | 'error';

/** The model library's door (TrainingController fits). */
export interface ModelLibrary {
  listModels(): Promise<ModelMeta[]>;
  renameModel(id: string, name: string): Promise<ModelMeta>;
  deleteModel(id: string): Promise<void>;
  exportModel(id: string): Promise<Uint8Array>;
  importModel(bytes: Uint8Array): Promise<ModelMeta>;
}

export interface ModelCommandsHost {
  models: ModelLibrary;
  /** The model the autopilot drives with, or null. */
  drivingModelId(): string | null;
  /** The autopilot lets go of its model (and Autopilot mode gives way to Drive). */
  stopDriving(): void;
  notify(text: string, kind: NoticeKind, ms?: number, action?: NoticeAction): void;
  /** The model list changed: views re-read it. */
  changed(): void;
  journal?: DeleteJournal | null;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

export interface ModelCommands {
  /** The saved models, without those deleted and still undoable. */
  list(): Promise<ModelMeta[]>;
  isHidden(id: string): boolean;
  rename(id: string, name: string): Promise<ModelMeta>;
  /** Deletes a model the player chose: gone from the list at once, Undo on the notice for a few seconds. */
  remove(id: string): Promise<void>;
  /** Deletes now, with no Undo (the partial model of a run the player cancelled and chose to discard). */
  discard(id: string): Promise<void>;
  exportModel(id: string): Promise<Uint8Array>;
  importModel(bytes: Uint8Array): Promise<ModelMeta>;
  /** Carries out every deletion still in its undo window. */
  flush(): Promise<void>;
  /** Finishes the deletions closed tabs left within their undo window. */
  finishOrphans(): Promise<number>;
}

export function createModelCommands(h: ModelCommandsHost): ModelCommands {
  const { models } = h;
  const hidden = new Set<string>();
  const exists = async (id: string): Promise<boolean> => (await models.listModels()).some((m) => m.id === id);
  const deletes = createUndoableDeletes({
    kind: 'model',
    hide: (ids) => ids.forEach((id) => hidden.add(id)),
    unhide: (ids) => ids.forEach((id) => hidden.delete(id)),
    erase: async (id) => {
      if (await exists(id)) await models.deleteModel(id);
    },
    notify: h.notify,
    changed: h.changed,
    journal: h.journal ?? null,
    ...(h.setTimer ? { setTimer: h.setTimer } : {}),
    ...(h.clearTimer ? { clearTimer: h.clearTimer } : {}),
  });
  const letGo = (id: string): void => {
    if (h.drivingModelId() === id) h.stopDriving();
  };

  return {
    async list() {
      return (await models.listModels()).filter((m) => !hidden.has(m.id));
    },
    isHidden: (id) => hidden.has(id),
    rename: (id, name) => models.renameModel(id, name),
    async remove(id) {
      const meta = (await models.listModels()).find((m) => m.id === id);
      if (!meta) throw new Error('that model is no longer saved');
      letGo(id);
      await deletes.remove([id], `'${meta.name}'`);
    },
    async discard(id) {
      letGo(id);
      await models.deleteModel(id);
      h.changed();
    },
    exportModel: (id) => models.exportModel(id),
    importModel: (bytes) => models.importModel(bytes),
    flush: deletes.flush,
    finishOrphans: deletes.finishOrphans,
  };
}
