import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { openClipDb } from './clipDb.ts';
import { DataError } from './dataErrors.ts';
import type { LapEntry, LapStore, LapStoreOptions } from './lapStore.ts';
import { openLapStore } from './lapStore.ts';
import { quotaLimitedFactory, transactionLog } from './testKit.ts';

function lap(id: string, scoreS: number, more: Partial<LapEntry> = {}): LapEntry {
  return {
    id,
    trackId: 'oval',
    theme: 'day',
    driverClass: 'human',
    driverName: 'Ada',
    lapTicks: Math.round(scoreS * 60),
    scoreS,
    penaltyS: 0,
    autonomyPct: 0,
    createdAt: 1_700_000_000_000,
    verified: true,
    ...more,
  };
}

/** A replay-shaped JSON value (src/scoring's format is opaque here). */
function replay(id: string): unknown {
  return { format: 'deepsteer-replay', version: 1, track: { id: 'oval' }, ticks: 3600, controls: `AAEC${id}`, resets: [], claim: { lap: 1, scoreS: 60 } };
}

async function storeWith(options: LapStoreOptions = {}): Promise<LapStore> {
  return openLapStore({ factory: new IDBFactory(), ...options });
}

describe('lap store', () => {
  it('lists a board in leaderboard order: score, then ticks, then date, then id', async () => {
    const store = await storeWith();
    const entries = [
      lap('e', 61.5),
      lap('c', 60.25, { lapTicks: 3616 }),
      lap('b', 60.25, { lapTicks: 3615, createdAt: 20 }),
      lap('a2', 60.25, { lapTicks: 3615, createdAt: 10 }),
      lap('a1', 60.25, { lapTicks: 3615, createdAt: 10 }),
      lap('z', 59.9, { penaltyS: 2.5, scoreS: 62.4 }),
      lap('fast', 0.5),
    ];
    for (const e of entries) await store.add(e, replay(e.id));
    expect((await store.list({ trackId: 'oval', driverClass: 'human' })).map((e) => e.id)).toEqual(['fast', 'a1', 'a2', 'b', 'c', 'e', 'z']);
    expect(await store.get('z')).toEqual(entries[5]);
  });

  it('keeps boards apart by track and class; a track lists class by class', async () => {
    const store = await storeWith();
    await store.add(lap('h1', 70), replay('h1'));
    await store.add(lap('x1', 50, { driverClass: 'expert', driverName: 'expert' }), replay('x1'));
    await store.add(lap('p1', 65, { driverClass: 'autopilot', driverName: 'pilot v3', modelId: 'model-7', autonomyPct: 97.5 }), replay('p1'));
    await store.add(lap('h2', 55), replay('h2'));
    await store.add(lap('o1', 40, { trackId: 'oval-2' }), replay('o1'));
    await store.add(lap('s1', 30, { trackId: '12345' }), replay('s1'));
    expect((await store.list({ trackId: 'oval', driverClass: 'human' })).map((e) => e.id)).toEqual(['h2', 'h1']);
    expect((await store.list({ trackId: 'oval', driverClass: 'autopilot' }))[0]).toMatchObject({ modelId: 'model-7', autonomyPct: 97.5 });
    expect((await store.list({ trackId: 'oval' })).map((e) => e.id)).toEqual(['p1', 'x1', 'h2', 'h1']);
    expect((await store.list({ trackId: 'oval-2' })).map((e) => e.id)).toEqual(['o1']);
    expect(await store.list({ trackId: 'nowhere' })).toEqual([]);
  });

  it('stores each replay with its entry, apart from it, and deletes them together', async () => {
    const { factory, log } = transactionLog(new IDBFactory());
    const store = await openLapStore({ factory });
    const r = replay('a');
    await store.add(lap('a', 60), r);
    await store.add(lap('b', 61, { modelId: undefined }), replay('b'));
    expect(await store.replay('a')).toEqual(r);
    log.length = 0;
    const board = await store.list({ trackId: 'oval', driverClass: 'human' });
    expect(log).toEqual([['laps']]);
    expect('modelId' in board[1]).toBe(false); // undefined members dropped, as JSON drops them
    await store.remove('a');
    await expect(store.get('a')).rejects.toMatchObject({ code: 'not-found', message: "no lap with id 'a'" });
    await expect(store.replay('a')).rejects.toMatchObject({ code: 'not-found' });
    await expect(store.remove('a')).rejects.toMatchObject({ code: 'not-found' });
    expect(await store.replay('b')).toEqual(replay('b'));
  });

  it('keeps the best maxPerBoard laps of each board, pruning the rest with their replays', async () => {
    const factory = new IDBFactory();
    const store = await openLapStore({ factory, maxPerBoard: 3 });
    expect(await store.add(lap('60', 60), replay('60'))).toEqual({ rank: 1, prunedIds: [] });
    expect(await store.add(lap('62', 62), replay('62'))).toEqual({ rank: 2, prunedIds: [] });
    expect(await store.add(lap('64', 64), replay('64'))).toEqual({ rank: 3, prunedIds: [] });
    await store.add(lap('other-class', 99, { driverClass: 'expert' }), replay('x'));
    // Better than the worst: in at 2nd, the worst goes.
    expect(await store.add(lap('61', 61), replay('61'))).toEqual({ rank: 2, prunedIds: ['64'] });
    // Not better than the third: refused, nothing stored.
    expect(await store.add(lap('63', 63), replay('63'))).toEqual({ rank: null, prunedIds: [] });
    // A tie on score loses on ticks.
    expect(await store.add(lap('62-slow', 62, { lapTicks: 3721 }), replay('s'))).toEqual({ rank: null, prunedIds: [] });
    expect((await store.list({ trackId: 'oval', driverClass: 'human' })).map((e) => e.id)).toEqual(['60', '61', '62']);
    expect((await store.list({ trackId: 'oval', driverClass: 'expert' })).map((e) => e.id)).toEqual(['other-class']);
    await expect(store.replay('64')).rejects.toMatchObject({ code: 'not-found' });
    await expect(store.replay('63')).rejects.toMatchObject({ code: 'not-found' });
    const raw = await openClipDb({ factory });
    expect((await raw.getAllKeys('replays')).sort()).toEqual(['60', '61', '62', 'other-class']);
    raw.close();
  });

  it('prunes a board that grew past a lowered cap on the next add', async () => {
    const factory = new IDBFactory();
    const wide = await openLapStore({ factory, maxPerBoard: 5 });
    for (const s of [60, 61, 62, 63, 64]) await wide.add(lap(`${s}`, s), replay(`${s}`));
    wide.close();
    const narrow = await openLapStore({ factory, maxPerBoard: 2 });
    expect(await narrow.add(lap('59', 59), replay('59'))).toEqual({ rank: 1, prunedIds: ['64', '63', '62', '61'] });
    expect((await narrow.list({ trackId: 'oval', driverClass: 'human' })).map((e) => e.id)).toEqual(['59', '60']);
  });

  it('refuses invalid entries naming the field, duplicate ids and replays past the cap', async () => {
    const store = await storeWith({ maxReplayBytes: 200 });
    await store.add(lap('keep', 60), replay('k'));
    const cases: [unknown, unknown, RegExp][] = [
      [lap('x', -1, { lapTicks: 3600 }), replay('x'), /the lap entry is invalid: scoreS: Too small/],
      [lap('x', Number.NaN, { lapTicks: 3600 }), replay('x'), /the lap entry is invalid: scoreS:/],
      [lap('x', 60, { driverClass: 'robot' as never }), replay('x'), /the lap entry is invalid: driverClass:/],
      [lap('x', 60, { lapTicks: 12.5 }), replay('x'), /the lap entry is invalid: lapTicks:/],
      [lap('x', 60, { autonomyPct: 101 }), replay('x'), /the lap entry is invalid: autonomyPct: Too big/],
      [{ ...lap('x', 60), verified: undefined }, replay('x'), /the lap entry is invalid: verified:/],
      [{ ...lap('x', 60), seenAt: new Date(0) }, replay('x'), /the lap entry is not plain JSON at seenAt/],
      [lap('x', 60), { controls: 'A'.repeat(300) }, /the replay is 315 bytes of JSON; at most 200 are stored/],
      [lap('x', 60), { ticks: Number.POSITIVE_INFINITY }, /the replay is not plain JSON at ticks/],
      [lap('keep', 61), replay('k2'), /a lap with id 'keep' is already stored/],
    ];
    for (const [entry, r, message] of cases) {
      const err = await store.add(entry as LapEntry, r).then(() => null, (e: unknown) => e);
      expect(err, String(message)).toBeInstanceOf(DataError);
      expect(err).toMatchObject({ code: 'invalid-input', message: expect.stringMatching(message) });
    }
    expect((await store.list({ trackId: 'oval' })).map((e) => e.id)).toEqual(['keep']);
    expect(await store.replay('keep')).toEqual(replay('k'));
    await expect(openLapStore({ factory: new IDBFactory(), maxPerBoard: 0 })).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('keeps unknown entry fields (scoring may add some) as JSON', async () => {
    const store = await storeWith();
    await store.add({ ...lap('a', 60), carClass: 'kart', sectors: [20, 20.5, 19.5] } as LapEntry, replay('a'));
    expect(await store.get('a')).toMatchObject({ carClass: 'kart', sectors: [20, 20.5, 19.5] });
  });

  it('leaves the board unchanged, pruned laps included, when the quota runs out', async () => {
    for (const mode of ['throw', 'abort'] as const) {
      const quota = quotaLimitedFactory(new IDBFactory(), Infinity, mode);
      const store = await openLapStore({ factory: quota.factory, maxPerBoard: 2 });
      await store.add(lap('60', 60), replay('60'));
      await store.add(lap('62', 62), replay('62'));
      quota.budgetBytes = quota.usedBytes + 100; // room for the entry, not for its replay too
      const err = await store.add(lap('61', 61), replay('61')).then(() => null, (e: unknown) => e);
      expect(err).toMatchObject({ name: 'StorageFullError', code: 'storage-full', message: "saving the lap: the browser's storage for this site is full" });
      quota.budgetBytes = Infinity;
      expect((await store.list({ trackId: 'oval' })).map((e) => e.id)).toEqual(['60', '62']);
      expect(await store.replay('62')).toEqual(replay('62'));
      await expect(store.get('61')).rejects.toMatchObject({ code: 'not-found' });
    }
  });
});
