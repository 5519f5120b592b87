import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { openClipStore } from '../data/clipStore.ts';
import { pageLocks, TRAINING_LOCK, type TabLocks } from '../data/tabLocks.ts';
import { workElsewhere } from './elsewhere.ts';

/** Page locks standing in for the browser's (shared between the two "tabs" of the test). */
const shared = (): TabLocks => ({ ...pageLocks(), shared: true });

describe('workElsewhere', () => {
  it('names a recording in another tab and a training run, not this tab’s own', async () => {
    const locks = shared();
    const factory = new IDBFactory();
    const here = await openClipStore({ factory, storage: null, locks });
    const there = await openClipStore({ factory, storage: null, locks });
    expect(await workElsewhere({ store: here, locks, trainingHere: false })).toBeNull();
    const w = await there.startRecording({ name: 'r', createdAt: 1, trackId: 'oval', theme: 'day', simVersion: 's', frameWidth: 16, frameHeight: 8 });
    expect(await workElsewhere({ store: here, locks, trainingHere: false })).toMatch(/a clip is being recorded or imported/);
    expect(await workElsewhere({ store: there, locks, trainingHere: false })).toBeNull();
    await w.discard();
    const release = await locks.hold(`${TRAINING_LOCK}other-tab`);
    expect(await workElsewhere({ store: here, locks, trainingHere: false })).toMatch(/a model is training/);
    expect(await workElsewhere({ store: here, locks, trainingHere: true })).toBeNull();
    release();
    expect(await workElsewhere({ store: here, locks: pageLocks(), trainingHere: false })).toBeNull();
  });
});
