// Deletions the player can undo for a few seconds, for any store (clips, models): the items are
// hidden at once and deleted after UNDO_MS unless Undo is pressed on the notice. Each pending
// deletion is also written to a journal (a settings-store key per deletion) until it is carried
// out or undone, so a tab closed within the window still deletes what the player asked to
// delete: the next start-up finishes it. An entry belongs to the tab that wrote it (a Web Lock
// the tab holds while it is open, src/data/tabLocks.ts); start-up finishes only the entries of
// tabs that are gone, never one that another open tab may still undo.

import { z } from 'zod';
import type { SettingsStore } from '../data/index.ts';
import type { TabLocks } from '../data/tabLocks.ts';
import type { NoticeAction } from '../ui/shell.ts';

/** How long a deletion can be undone, ms. */
export const UNDO_MS = 8000;
/** A tab holds `<prefix><tabId>` while it is open: its journal entries are its own until it closes. */
export const TAB_ALIVE_LOCK = 'deepsteer-tab:';
const KEY_PREFIX = 'pending-delete:';
/** After another tab's window closes, how long to wait before looking at its entries again, ms. */
const RECHECK_GRACE_MS = 2000;

export type DeleteKind = 'clip' | 'model';
type NoticeKind = 'info' | 'ok' | 'warn' | 'error';

export interface PendingDelete {
  readonly token: string;
  readonly kind: DeleteKind;
  readonly ids: readonly string[];
  readonly label: string;
  /** The tab that asked for it. */
  readonly tab: string;
  /** When its undo window closes, ms since the epoch. */
  readonly dueAt: number;
}

const entrySchema = z.object({
  token: z.string(),
  kind: z.enum(['clip', 'model']),
  ids: z.array(z.string()),
  label: z.string(),
  tab: z.string(),
  dueAt: z.number(),
});

/** Where pending deletions are written down until they are carried out or undone. */
export interface DeleteJournal {
  add(entry: Omit<PendingDelete, 'tab'>): Promise<void>;
  done(token: string): Promise<void>;
  /** Entries of `kind` whose tab has closed (within their undo window, or mid-deletion). */
  orphans(kind: DeleteKind): Promise<PendingDelete[]>;
  /** Entries of `kind` another open tab may still undo (or is closing: looked at again later). */
  waiting(kind: DeleteKind): Promise<PendingDelete[]>;
  /** Lets go of this tab's lock (the browser does it when the tab closes). */
  dispose(): void;
}

export interface DeleteJournalOptions {
  /** The settings store (null: no journal, a closed tab keeps what it had hidden). */
  readonly settings: Promise<SettingsStore | null> | SettingsStore | null;
  readonly locks: TabLocks;
  readonly tabId?: string;
  readonly now?: () => number;
}

export function createDeleteJournal(o: DeleteJournalOptions): DeleteJournal {
  const tab = o.tabId ?? Math.random().toString(36).slice(2);
  const now = o.now ?? (() => Date.now());
  // Held for the page's life; the browser releases it when the tab closes or crashes.
  const alive = o.locks.hold(`${TAB_ALIVE_LOCK}${tab}`);
  const settings = Promise.resolve(o.settings).catch(() => null);

  /** This kind's entries of other tabs, each with whether its tab has gone. */
  async function others(kind: DeleteKind): Promise<{ entry: PendingDelete; gone: boolean }[]> {
    const st = await settings;
    if (!st) return [];
    const live = new Set(await o.locks.heldNames(TAB_ALIVE_LOCK));
    const out: { entry: PendingDelete; gone: boolean }[] = [];
    for (const key of await st.keys()) {
      if (!key.startsWith(KEY_PREFIX)) continue;
      const e = await st.get(key, entrySchema.nullable(), null);
      if (!e) {
        await st.remove(key); // unreadable: nothing to finish
        continue;
      }
      if (e.kind !== kind || e.tab === tab) continue;
      // Page-local locks cannot see other tabs: there, an entry is taken as gone once its window is over.
      const gone = o.locks.shared ? !live.has(`${TAB_ALIVE_LOCK}${e.tab}`) : e.dueAt <= now();
      out.push({ entry: e, gone });
    }
    return out;
  }

  return {
    async add(entry) {
      await alive;
      await (await settings)?.put(`${KEY_PREFIX}${entry.token}`, { ...entry, ids: [...entry.ids], tab });
    },
    async done(token) {
      await (await settings)?.remove(`${KEY_PREFIX}${token}`);
    },
    orphans: async (kind) => (await others(kind)).filter((x) => x.gone).map((x) => x.entry),
    waiting: async (kind) => (await others(kind)).filter((x) => !x.gone).map((x) => x.entry),
    dispose() {
      void alive.then((release) => release());
    },
  };
}

export interface UndoableDeleteHost {
  readonly kind: DeleteKind;
  /** Leaves the items out of every list in this page (a deletion still undoable). */
  hide(ids: readonly string[]): void;
  unhide(ids: readonly string[]): void;
  /** Deletes one item for good; resolves too when it was already gone. */
  erase(id: string): Promise<void>;
  notify(text: string, kind: NoticeKind, ms?: number, action?: NoticeAction): void;
  /** The store changed: views re-read it. */
  changed(): void;
  readonly journal?: DeleteJournal | null;
  readonly now?: () => number;
  readonly setTimer?: (fn: () => void, ms: number) => unknown;
  readonly clearTimer?: (t: unknown) => void;
}

export interface UndoableDeletes {
  /** Hides `ids` now and deletes them after UNDO_MS; the notice (naming `label`) has Undo. */
  remove(ids: readonly string[], label: string): Promise<void>;
  /** Carries out every deletion still in its undo window (the page is going away for good). */
  flush(): Promise<void>;
  /** Finishes the deletions of this kind that closed tabs left in the journal; the number of items deleted. */
  finishOrphans(): Promise<number>;
}

export function createUndoableDeletes(h: UndoableDeleteHost): UndoableDeletes {
  const setTimer = h.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = h.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  const now = h.now ?? (() => Date.now());
  const journal = h.journal ?? null;
  /** Deletions waiting out their undo window: their timer and how to carry them out now. */
  const pending = new Map<unknown, () => Promise<void>>();
  const forget = (token: string): Promise<void> => journal?.done(token).catch(() => undefined) ?? Promise.resolve();

  async function erase(ids: readonly string[]): Promise<number> {
    let n = 0;
    for (const id of ids) {
      try {
        await h.erase(id);
        n++;
      } catch (e) {
        h.notify(`Could not delete a ${h.kind}: ${(e as Error).message}`, 'error');
      }
    }
    // Gone (or kept after an error, then shown again): either way no longer hidden, so an item
    // imported later under the same id is listed.
    h.unhide(ids);
    h.changed();
    return n;
  }

  async function remove(ids: readonly string[], label: string): Promise<void> {
    h.hide(ids);
    h.changed();
    const token = `${h.kind}-${now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    // Written before the notice offers Undo: from here on a closed tab still deletes them.
    await journal?.add({ token, kind: h.kind, ids: [...ids], label, dueAt: now() + UNDO_MS }).catch((e: unknown) => {
      console.warn('pending deletion not journalled: a tab closed within the undo window keeps it', e);
    });
    let timer: unknown = null;
    const commit = async (): Promise<void> => {
      pending.delete(timer);
      await erase(ids);
      await forget(token);
    };
    timer = setTimer(() => void commit(), UNDO_MS);
    pending.set(timer, commit);
    h.notify(`Deleted ${label}.`, 'ok', UNDO_MS, {
      label: 'Undo',
      run: () => {
        if (!pending.has(timer)) return; // already carried out
        clearTimer(timer);
        pending.delete(timer);
        h.unhide(ids);
        h.changed();
        void forget(token);
        h.notify(`Restored ${label}.`, 'ok');
      },
    });
  }

  /**
   * Finishes what closed tabs left. Entries of tabs that still look open are looked at once more
   * after their window (plus a grace): a page being reloaded may hold its lock a moment longer.
   */
  async function finishOrphans(recheck: boolean): Promise<number> {
    if (!journal) return 0;
    const entries = await journal.orphans(h.kind).catch(() => []);
    let n = 0;
    for (const e of entries) h.hide(e.ids);
    if (entries.length) h.changed();
    for (const e of entries) {
      n += await erase(e.ids);
      await forget(e.token);
    }
    if (recheck) {
      const waiting = await journal.waiting(h.kind).catch(() => []);
      if (waiting.length) {
        const due = Math.max(...waiting.map((e) => e.dueAt));
        setTimer(() => void finishOrphans(false), Math.max(0, due - now()) + RECHECK_GRACE_MS);
      }
    }
    return n;
  }

  return {
    remove,
    async flush() {
      for (const [timer, commit] of [...pending]) {
        clearTimer(timer);
        await commit();
      }
    },
    async finishOrphans() {
      return finishOrphans(true);
    },
  };
}
