import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { exportClipsZip, importClipsZip } from '../data/clipArchive.ts';
import { openClipStore } from '../data/clipStore.ts';
import { openSettingsStore } from '../data/settingsStore.ts';
import { pageLocks, type TabLocks } from '../data/tabLocks.ts';
import { recordSyntheticClip } from '../data/testKit.ts';
import type { NoticeAction } from '../ui/shell.ts';
import { createLibraryCommands, UNDO_MS } from './libraryCommands.ts';
import { createDeleteJournal } from './undoableDelete.ts';

async function until(cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 10));
}

async function setup() {
  const store = await openClipStore({ factory: new IDBFactory(), storage: null });
  const a = await recordSyntheticClip(store, { steps: 12, seed: 0, name: 'a' });
  const b = await recordSyntheticClip(store, { steps: 12, seed: 1, name: 'b' });
  const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
  const notices: { text: string; action?: NoticeAction; ms?: number }[] = [];
  let changes = 0;
  const commands = createLibraryCommands({
    store,
    codec: null as never,
    notify: (text, _k, ms, action) => notices.push({ text, ms, ...(action ? { action } : {}) }),
    changed: () => changes++,
    setTimer: (fn, ms) => {
      const t = { fn, ms, cleared: false };
      timers.push(t);
      return t;
    },
    clearTimer: (t) => ((t as { cleared: boolean }).cleared = true),
  });
  const names = async () => (await store.list()).map((m) => m.name);
  return { store, a, b, timers, notices, commands, names, changes: () => changes };
}

describe('library commands', () => {
  it('a deleted clip leaves the list at once and comes back with Undo, untouched', async () => {
    const { store, a, notices, timers, commands, names, changes } = await setup();
    await commands.remove([a.id], '“a”');
    expect(await names()).toEqual(['b']);
    expect(changes()).toBe(1);
    const n = notices.at(-1)!;
    expect(n.text).toBe('Deleted “a”.');
    expect(n.ms).toBe(UNDO_MS);
    expect(n.action?.label).toBe('Undo');
    n.action!.run();
    expect(timers[0].cleared).toBe(true);
    expect(await names()).toEqual(['a', 'b']);
    expect((await store.labels(a.id)).count).toBe(12);
    expect(notices.at(-1)!.text).toBe('Restored “a”.');
  });

  it('without Undo the clips are deleted when the window closes; Undo afterwards does nothing', async () => {
    const { store, a, b, notices, timers, commands, names } = await setup();
    await commands.remove([a.id, b.id], '2 clips');
    expect(timers[0].ms).toBe(UNDO_MS);
    timers[0].fn();
    await until(async () => (await store.findMeta(b.id)) === undefined);
    expect(await store.findMeta(a.id)).toBeUndefined();
    expect(await store.findMeta(b.id)).toBeUndefined();
    notices.find((x) => x.action)!.action!.run();
    expect(await names()).toEqual([]);
  });

  it('a clip imported again under the id of a deleted one is listed', async () => {
    const { store, a, timers, commands, names } = await setup();
    const zip = await exportClipsZip(store, [a.id]);
    await commands.remove([a.id], '“a”');
    timers[0].fn();
    await until(async () => (await store.findMeta(a.id)) === undefined);
    await new Promise((r) => setTimeout(r, 0)); // the commit unhides right after the removal
    const [back] = await importClipsZip(store, zip);
    expect(back.id).toBe(a.id);
    expect(await names()).toEqual(['a', 'b']);
  });

  it('flush carries out pending deletions now', async () => {
    const { store, a, commands, names } = await setup();
    await commands.remove([a.id], '“a”');
    await commands.flush();
    expect(await store.findMeta(a.id)).toBeUndefined();
    expect(await names()).toEqual(['b']);
  });
});

/** Two tabs on one database: each with its own page (clip store, timers, journal). */
async function twoTabs(opts: { firstStillOpen: boolean }) {
  const factory = new IDBFactory();
  const st1 = await openClipStore({ factory, storage: null });
  const a = await recordSyntheticClip(st1, { steps: 12, seed: 0, name: 'a' });
  await recordSyntheticClip(st1, { steps: 12, seed: 1, name: 'b' });
  const settings = await openSettingsStore({ factory });
  // Locks as the browser's are: seen by every tab. A closed tab's locks are gone, which is what
  // a second, separate lock table looks like to the other tab.
  const shared = (): TabLocks => ({ ...pageLocks(), shared: true });
  const locks1 = shared();
  const locks2 = opts.firstStillOpen ? locks1 : shared();
  const notices: { text: string; action?: NoticeAction }[] = [];
  const page = (store: typeof st1, locks: TabLocks, tabId: string) => createLibraryCommands({
    store,
    codec: null as never,
    notify: (text, _k, _ms, action) => notices.push({ text, ...(action ? { action } : {}) }),
    changed: () => {},
    setTimer: () => ({}), // the window never closes on its own here
    clearTimer: () => {},
    journal: createDeleteJournal({ settings, locks, tabId }),
  });
  const tab1 = page(st1, locks1, 'one');
  const st2 = await openClipStore({ factory, storage: null });
  const pendingKeys = async () => (await settings.keys()).filter((k) => k.startsWith('pending-delete:'));
  return { a, st1, st2, tab1, tab2: () => page(st2, locks2, 'two'), notices, pendingKeys };
}

describe('library commands when a tab closes within the undo window', () => {
  it('the next start-up finishes the deletion the player asked for', async () => {
    const { a, st2, tab1, tab2, pendingKeys } = await twoTabs({ firstStillOpen: false });
    await tab1.remove([a.id], '“a”');
    expect(await pendingKeys()).toHaveLength(1);
    // Tab one closes here, its timer never fires. Before the sweep the clip is still stored:
    expect((await st2.list()).map((m) => m.name)).toEqual(['a', 'b']);
    expect(await tab2().finishOrphans()).toBe(1);
    expect(await st2.findMeta(a.id)).toBeUndefined();
    expect((await st2.list()).map((m) => m.name)).toEqual(['b']);
    expect(await pendingKeys()).toEqual([]);
  });

  it('a deletion another open tab can still undo is left to that tab', async () => {
    const { a, st2, tab1, tab2, notices, pendingKeys } = await twoTabs({ firstStillOpen: true });
    await tab1.remove([a.id], '“a”');
    expect(await tab2().finishOrphans()).toBe(0);
    expect(await st2.findMeta(a.id)).toBeDefined();
    notices.find((n) => n.action)!.action!.run();
    await until(async () => (await pendingKeys()).length === 0);
    expect(await pendingKeys()).toEqual([]);
    expect((await st2.labels(a.id)).count).toBe(12);
  });

  it('a deletion carried out in its own tab leaves nothing for the next start-up', async () => {
    const { a, st2, tab1, tab2, pendingKeys } = await twoTabs({ firstStillOpen: false });
    await tab1.remove([a.id], '“a”');
    await tab1.flush();
    expect(await pendingKeys()).toEqual([]);
    expect(await st2.findMeta(a.id)).toBeUndefined();
    expect(await tab2().finishOrphans()).toBe(0);
  });
});
