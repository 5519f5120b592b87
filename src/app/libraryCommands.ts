// The command layer of the clip library: the one module that changes the clip store for the
// Library panel's intents (src/ui/library/libraryIntents.ts). A deletion hides the clips at once
// and is carried out after UNDO_MS unless the player presses Undo on its notice; a tab closed
// within that window keeps the clips (nothing is deleted that the player could still undo).

import { type ClipStore, type ImageCodec, importClipsZip, importUdacityZip } from '../data/index.ts';
import type { LibraryCommands } from '../ui/library/libraryIntents.ts';
import type { NoticeAction } from '../ui/shell.ts';

/** How long a deletion can be undone, ms. */
export const UNDO_MS = 8000;

type NoticeKind = 'info' | 'ok' | 'warn' | 'error';

export interface LibraryCommandsHost {
  store: ClipStore;
  codec: ImageCodec;
  notify(text: string, kind: NoticeKind, ms?: number, action?: NoticeAction): void;
  /** The store changed: views re-read it. */
  changed(): void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

export interface LibraryCommandLayer extends LibraryCommands {
  /** Carries out every deletion still waiting for its undo window (the app is closing the panel for good). */
  flush(): Promise<void>;
}

export function createLibraryCommands(h: LibraryCommandsHost): LibraryCommandLayer {
  const { store } = h;
  const setTimer = h.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = h.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  /** Deletions waiting out their undo window: their timer and how to carry them out now. */
  const pending = new Map<unknown, () => Promise<void>>();

  function remove(ids: readonly string[], label: string): Promise<void> {
    store.hide(ids);
    h.changed();
    let timer: unknown = null;
    const commit = async (): Promise<void> => {
      pending.delete(timer);
      for (const id of ids) {
        try {
          await store.remove(id);
        } catch (e) {
          h.notify(`Could not delete a clip: ${(e as Error).message}`, 'error');
        }
      }
      // Gone (or kept after an error, then shown again): either way no longer hidden, so a clip
      // imported later under the same id is listed.
      store.unhide(ids);
      h.changed();
    };
    timer = setTimer(() => void commit(), UNDO_MS);
    pending.set(timer, commit);
    h.notify(`Deleted ${label}.`, 'ok', UNDO_MS, {
      label: 'Undo',
      run: () => {
        if (!pending.has(timer)) return; // already carried out
        clearTimer(timer);
        pending.delete(timer);
        store.unhide(ids);
        h.changed();
        h.notify(`Restored ${label}.`, 'ok');
      },
    });
    return Promise.resolve();
  }

  return {
    async rename(id, name) {
      await store.rename(id, name);
    },
    async setTag(ids, tag) {
      for (const id of ids) await store.setTag(id, tag);
    },
    remove,
    recover: (id) => store.recover(id),
    async importArchive(file, req) {
      const { layout, name, createdAt, ...transfer } = req;
      if (layout === 'udacity') return [await importUdacityZip(store, file, { ...transfer, codec: h.codec, name, createdAt })];
      return importClipsZip(store, file, transfer);
    },
    async flush() {
      for (const [timer, commit] of [...pending]) {
        clearTimer(timer);
        await commit();
      }
    },
  };
}
