import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { openModelStore, type ModelMetaInput, type ModelStore } from '../data/modelStore.ts';
import { openSettingsStore } from '../data/settingsStore.ts';
import { pageLocks, type TabLocks } from '../data/tabLocks.ts';
import type { NoticeAction } from '../ui/shell.ts';
import { createModelCommands, type ModelLibrary } from './modelCommands.ts';
import { createDeleteJournal, UNDO_MS } from './undoableDelete.ts';

function meta(name: string, createdAt: number): ModelMetaInput {
  return { name, kind: 'cnn', config: { version: 1 }, normalization: {}, clipIds: [], metrics: {}, createdAt, backend: 'cpu', inputShape: [66, 200, 3] };
}

const artifacts = (seed: number) => ({ topology: { seed }, weightSpecs: [{ name: 'w', shape: [4] }], weightData: Float32Array.from([seed, 1, 2, 3]).buffer });

/** The training worker's model methods, over a real model store (fake-indexeddb). */
function libraryOf(store: ModelStore): ModelLibrary & { deletes: string[] } {
  const deletes: string[] = [];
  return {
    deletes,
    listModels: () => store.list(),
    renameModel: (id, name) => store.rename(id, name),
    deleteModel: async (id) => {
      deletes.push(id);
      await store.remove(id);
    },
    exportModel: () => Promise.reject(new Error('not used here')),
    importModel: () => Promise.reject(new Error('not used here')),
  };
}

async function setup(opts: { driving?: string } = {}) {
  const factory = new IDBFactory();
  let n = 0;
  const store = await openModelStore({ factory, newId: () => `model-${++n}` });
  const a = await store.save({ meta: meta('alpha', 1), artifacts: artifacts(1) });
  const b = await store.save({ meta: meta('beta', 2), artifacts: artifacts(2) });
  const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
  const notices: { text: string; ms?: number; action?: NoticeAction }[] = [];
  let driving: string | null = opts.driving ?? null;
  let stopped = 0;
  let changes = 0;
  const models = libraryOf(store);
  const settings = await openSettingsStore({ factory });
  const commands = (locks: TabLocks, tabId: string, lib: ModelLibrary = models, journal = createDeleteJournal({ settings, locks, tabId })) => createModelCommands({
    models: lib,
    drivingModelId: () => driving,
    stopDriving: () => {
      stopped++;
      driving = null;
    },
    notify: (text, _k, ms, action) => notices.push({ text, ...(ms ? { ms } : {}), ...(action ? { action } : {}) }),
    changed: () => changes++,
    journal,
    setTimer: (fn, ms) => {
      const t = { fn, ms, cleared: false };
      timers.push(t);
      return t;
    },
    clearTimer: (t) => ((t as { cleared: boolean }).cleared = true),
  });
  const shared = (): TabLocks => ({ ...pageLocks(), shared: true });
  const names = async (c: { list(): Promise<{ name: string }[]> }) => (await c.list()).map((m) => m.name);
  const pendingKeys = async () => (await settings.keys()).filter((k) => k.startsWith('pending-delete:'));
  return { store, a, b, timers, notices, models, commands, shared, settings, names, pendingKeys, stopped: () => stopped, changes: () => changes };
}

async function until(cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('model commands', () => {
  it('a deleted model leaves the list at once and comes back with Undo, its weights untouched', async () => {
    const { store, a, timers, notices, models, commands, shared, names, pendingKeys } = await setup();
    const c = commands(shared(), 'one');
    await c.remove(a);
    expect(await names(c)).toEqual(['beta']);
    expect(c.isHidden(a)).toBe(true);
    expect(models.deletes).toEqual([]);
    expect(await pendingKeys()).toHaveLength(1);
    const n = notices.at(-1)!;
    expect(n.text).toBe("Deleted 'alpha'.");
    expect(n.ms).toBe(UNDO_MS);
    expect(n.action?.label).toBe('Undo');
    n.action!.run();
    expect(timers[0].cleared).toBe(true);
    expect(await names(c)).toEqual(['alpha', 'beta']);
    expect(new Float32Array((await store.load(a)).artifacts.weightData)[0]).toBe(1);
    expect(notices.at(-1)!.text).toBe("Restored 'alpha'.");
    await until(async () => (await pendingKeys()).length === 0);
    expect(await pendingKeys()).toEqual([]);
  });

  it('without Undo the model is deleted when the window closes; Undo afterwards does nothing', async () => {
    const { store, a, timers, notices, models, commands, shared, names, pendingKeys } = await setup();
    const c = commands(shared(), 'one');
    await c.remove(a);
    expect(timers[0].ms).toBe(UNDO_MS);
    timers[0].fn();
    await until(async () => (await store.list()).length === 1);
    expect(models.deletes).toEqual([a]);
    await until(async () => (await pendingKeys()).length === 0);
    expect(await pendingKeys()).toEqual([]);
    notices.find((x) => x.action)!.action!.run();
    expect(await names(c)).toEqual(['beta']);
    expect(c.isHidden(a)).toBe(false);
  });

  it('deleting the model the autopilot drives with stops the autopilot first; another model does not', async () => {
    const { a, b, commands, shared, stopped } = await setup({ driving: 'model-1' });
    const c = commands(shared(), 'one');
    await c.remove(b);
    expect(stopped()).toBe(0);
    await c.remove(a);
    expect(stopped()).toBe(1);
  });

  it('discard deletes at once with no Undo', async () => {
    const { store, a, notices, commands, shared, pendingKeys } = await setup();
    const c = commands(shared(), 'one');
    await c.discard(a);
    expect((await store.list()).map((m) => m.id)).not.toContain(a);
    expect(notices.filter((n) => n.action)).toEqual([]);
    expect(await pendingKeys()).toEqual([]);
  });

  it('a tab closed within the undo window: the next start-up deletes the model', async () => {
    const { store, a, commands, shared, names } = await setup();
    await commands(shared(), 'one').remove(a);
    // Tab one is gone (its locks with it); a new tab starts:
    const next = commands(shared(), 'two');
    expect(await next.finishOrphans()).toBe(1);
    expect(await names(next)).toEqual(['beta']);
    expect((await store.list()).map((m) => m.name)).toEqual(['beta']);
  });

  it('a deletion another open tab can still undo is left alone', async () => {
    const { a, commands, shared, names } = await setup();
    const locks = shared();
    await commands(locks, 'one').remove(a);
    const other = commands(locks, 'two');
    expect(await other.finishOrphans()).toBe(0);
    expect(await names(other)).toEqual(['alpha', 'beta']);
  });

  it('a tab that still looked open at start-up (the old page of a reload) is looked at again after its window', async () => {
    const { store, a, timers, commands, shared, settings, names } = await setup();
    const locks = shared();
    const journal1 = createDeleteJournal({ settings, locks, tabId: 'one' });
    await commands(locks, 'one', undefined, journal1).remove(a);
    const next = commands(locks, 'two');
    const before = timers.length;
    expect(await next.finishOrphans()).toBe(0);
    expect(timers.length).toBe(before + 1);
    const recheck = timers.at(-1)!;
    expect(recheck.ms).toBeGreaterThan(UNDO_MS - 1000);
    journal1.dispose(); // the old page is gone now
    await new Promise((r) => setTimeout(r, 0));
    recheck.fn();
    await until(async () => (await store.list()).length === 1);
    expect(await names(next)).toEqual(['beta']);
  });

  it('a deletion finished by the next start-up does not fail on a model already gone', async () => {
    const { store, a, commands, shared, notices, pendingKeys } = await setup();
    await commands(shared(), 'one').remove(a);
    await store.remove(a); // tab one had deleted it, then closed before clearing its journal entry
    expect(await commands(shared(), 'two').finishOrphans()).toBe(1);
    expect(notices.filter((n) => /Could not/.test(n.text))).toEqual([]);
    expect(await pendingKeys()).toEqual([]);
  });
});
