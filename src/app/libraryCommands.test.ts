import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { exportClipsZip, importClipsZip } from '../data/clipArchive.ts';
import { openClipStore } from '../data/clipStore.ts';
import { recordSyntheticClip } from '../data/testKit.ts';
import type { NoticeAction } from '../ui/shell.ts';
import { createLibraryCommands, UNDO_MS } from './libraryCommands.ts';

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
