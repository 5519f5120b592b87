import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { z } from 'zod';
import { createDraftSaver, DRAFT_KEY, newRunId, putRunRecord, readDraft, readRunRecord, RUN_KEY_PREFIX } from './panelStore.ts';
import type { PanelSettings, TrainRequestLike } from './trainingContract.ts';

/** A settings store in memory that parses on read as the real one does (fallback when invalid). */
function memorySettings(): PanelSettings & { readonly values: Map<string, unknown>; puts: number } {
  const values = new Map<string, unknown>();
  return {
    values,
    puts: 0,
    async get<T>(key: string, schema: z.ZodType<T>, fallback: T): Promise<T> {
      const r = schema.safeParse(values.get(key));
      return r.success ? r.data : fallback;
    },
    async put(key: string, value: unknown) {
      this.puts++;
      values.set(key, structuredClone(value));
    },
    async remove(key: string) {
      values.delete(key);
    },
  };
}

describe('run records', () => {
  it('keep the request without its resume flag, under training-run:<runId>', async () => {
    const settings = memorySettings();
    const req: TrainRequestLike = { name: 'n', config: { a: 1 }, trainClipIds: ['c1'], valClipIds: ['c2'], runId: 'run-x', resume: true, budgetSeconds: 60 };
    await putRunRecord(settings, req);
    expect(settings.values.get(`${RUN_KEY_PREFIX}run-x`)).toEqual({ name: 'n', config: { a: 1 }, trainClipIds: ['c1'], valClipIds: ['c2'], runId: 'run-x', budgetSeconds: 60 });
    expect(await readRunRecord(settings, 'run-x')).toMatchObject({ name: 'n', runId: 'run-x', trainClipIds: ['c1'] });
    expect(await readRunRecord(settings, 'run-other')).toBeNull();
  });

  it('run ids carry the time and six random base-36 digits', () => {
    expect(newRunId(1_700_000_000_000)).toMatch(new RegExp(`^run-${(1_700_000_000_000).toString(36)}-[0-9a-z]{6}$`));
  });
});

describe('draft saver', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('saves once, 400 ms after the last edit, what the draft is then', async () => {
    const settings = memorySettings();
    let excluded = new Set(['c1']);
    const saver = createDraftSaver(settings, () => ({ config: { x: 1 }, choice: { mode: 'tags', untagged: 'train' }, excluded }));
    saver.schedule();
    await vi.advanceTimersByTimeAsync(300);
    excluded = new Set(['c1', 'c2']);
    saver.schedule();
    await vi.advanceTimersByTimeAsync(399);
    expect(settings.puts).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(settings.puts).toBe(1);
    expect(settings.values.get(DRAFT_KEY)).toEqual({ config: { x: 1 }, choice: { mode: 'tags', untagged: 'train' }, excluded: ['c1', 'c2'] });
    expect(await readDraft(settings)).toEqual({ config: { x: 1 }, choice: { mode: 'tags', untagged: 'train' }, excluded: ['c1', 'c2'] });
  });

  it('dispose saves a pending draft at once, and nothing when none is pending', async () => {
    const settings = memorySettings();
    const saver = createDraftSaver(settings, () => ({ config: {}, choice: { mode: 'holdout', percent: 20, seed: 3 }, excluded: new Set() }));
    saver.schedule();
    saver.dispose();
    await vi.advanceTimersByTimeAsync(1000);
    expect(settings.puts).toBe(1);
    expect(await readDraft(settings)).toEqual({ config: {}, choice: { mode: 'holdout', percent: 20, seed: 3 }, excluded: [] });
    const idle = memorySettings();
    createDraftSaver(idle, () => ({ config: {}, choice: { mode: 'tags', untagged: 'skip' }, excluded: new Set() })).dispose();
    await vi.advanceTimersByTimeAsync(1000);
    expect(idle.puts).toBe(0);
  });

  it('a draft that does not fit the schema reads as none', async () => {
    const settings = memorySettings();
    settings.values.set(DRAFT_KEY, { config: {}, choice: { mode: 'holdout', percent: 20, seed: -1 }, excluded: [] });
    expect(await readDraft(settings)).toBeNull();
  });
});
