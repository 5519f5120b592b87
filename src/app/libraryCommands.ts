// The command layer of the clip library: the one module that changes the clip store for the
// Library panel's intents (src/ui/library/libraryIntents.ts). A deletion hides the clips at once
// and is carried out after UNDO_MS unless the player presses Undo on its notice
// (undoableDelete.ts); a tab closed within that window leaves it in the journal, and the next
// start-up finishes it (finishOrphans), so a clip the player deleted does not come back.

import { type ClipStore, type ImageCodec, importClipsZip, importUdacityZip } from '../data/index.ts';
import type { LibraryCommands } from '../ui/library/libraryIntents.ts';
import type { NoticeAction } from '../ui/shell.ts';
import { createUndoableDeletes, type DeleteJournal } from './undoableDelete.ts';

export { UNDO_MS } from './undoableDelete.ts';

type NoticeKind = 'info' | 'ok' | 'warn' | 'error';

export interface LibraryCommandsHost {
  store: ClipStore;
  codec: ImageCodec;
  notify(text: string, kind: NoticeKind, ms?: number, action?: NoticeAction): void;
  /** The store changed: views re-read it. */
  changed(): void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
  /** Where pending deletions are written down (null or absent: a closed tab keeps them). */
  journal?: DeleteJournal | null;
}

export interface LibraryCommandLayer extends LibraryCommands {
  /** Carries out every deletion still waiting for its undo window (the app is closing the panel for good). */
  flush(): Promise<void>;
  /** Finishes the deletions closed tabs left within their undo window (at start-up, before the list is shown). */
  finishOrphans(): Promise<number>;
}

export function createLibraryCommands(h: LibraryCommandsHost): LibraryCommandLayer {
  const { store } = h;
  const deletes = createUndoableDeletes({
    kind: 'clip',
    hide: (ids) => store.hide(ids),
    unhide: (ids) => store.unhide(ids),
    erase: async (id) => {
      if (await store.findMeta(id)) await store.remove(id);
    },
    notify: h.notify,
    changed: h.changed,
    journal: h.journal ?? null,
    ...(h.setTimer ? { setTimer: h.setTimer } : {}),
    ...(h.clearTimer ? { clearTimer: h.clearTimer } : {}),
  });

  return {
    async rename(id, name) {
      await store.rename(id, name);
    },
    async setTag(ids, tag) {
      for (const id of ids) await store.setTag(id, tag);
    },
    remove: deletes.remove,
    recover: (id) => store.recover(id),
    async importArchive(file, req) {
      const { layout, name, createdAt, ...transfer } = req;
      if (layout === 'udacity') return [await importUdacityZip(store, file, { ...transfer, codec: h.codec, name, createdAt })];
      return importClipsZip(store, file, transfer);
    },
    flush: deletes.flush,
    finishOrphans: deletes.finishOrphans,
  };
}
