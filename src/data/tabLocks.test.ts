// Tabs sharing one library: two stores over one database and one lock manager stand for two
// tabs. The orphan sweep of a fresh tab never deletes the records of a clip another tab is still
// writing (its lock is held), and still sweeps what a closed tab left behind.

import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { openClipStore, storeInternals } from './clipStore.ts';
import { clipLockName, pageLocks, type TabLocks, webLocks } from './tabLocks.ts';
import { framesDigest, recordSyntheticClip } from './testKit.ts';

async function twoTabs(locks: TabLocks = pageLocks()) {
  const factory = new IDBFactory();
  const a = await openClipStore({ factory, storage: null, locks });
  const b = await openClipStore({ factory, storage: null, locks });
  return { a, b, locks };
}

/** A clip as an import leaves it half way: chunks and labels written, the meta not yet. */
async function halfImported(store: Awaited<ReturnType<typeof openClipStore>>) {
  const meta = await recordSyntheticClip(store, { steps: 40, chunkSteps: 10 });
  const digest = await framesDigest(store, meta.id);
  await storeInternals(store).db.delete('clips', meta.id);
  return { meta, digest };
}

describe('tab locks', () => {
  it('the sweep leaves the chunks of a clip another tab is importing, and sweeps them once that tab is gone', async () => {
    const { a, b, locks } = await twoTabs();
    const { meta, digest } = await halfImported(a);
    const release = await locks.hold(clipLockName(meta.id)); // tab A's import is under way
    expect(await b.sweepOrphans()).toBe(0);
    // Tab A finishes: its meta lands on the chunks it wrote, all of them still there.
    await storeInternals(a).db.put('clips', meta);
    release();
    expect(await framesDigest(b, meta.id)).toBe(digest);
    expect(await b.sweepOrphans()).toBe(0);

    const left = await halfImported(a); // a tab closed mid-import: no lock, no meta
    expect(await b.sweepOrphans()).toBe(1);
    await expect(b.readChunk(left.meta.id, 0)).rejects.toThrow(/no frame chunk/);
  });

  it('a recording holds its lock until it ends: another tab sees it busy and cannot recover it', async () => {
    const { a, b } = await twoTabs();
    const w = await a.startRecording({ name: 'r', createdAt: 1, trackId: 'oval', theme: 'day', simVersion: 's', frameWidth: 16, frameHeight: 8 });
    expect(await b.busyElsewhere()).toEqual([w.clipId]);
    expect(await a.busyElsewhere()).toEqual([]); // its own recording is not "elsewhere"
    await expect(b.recover(w.clipId)).rejects.toThrow(/another tab/);
    await w.discard();
    expect(await b.busyElsewhere()).toEqual([]);
  });

  it('page locks queue holders and refuse ifFree while held', async () => {
    const locks = pageLocks();
    const r1 = await locks.hold('x');
    let second = false;
    const p2 = locks.hold('x').then((r) => {
      second = true;
      return r;
    });
    await Promise.resolve();
    expect(second).toBe(false);
    expect(await locks.ifFree('x', async () => 1)).toEqual({ ran: false });
    r1();
    (await p2)();
    expect(await locks.ifFree('x', async () => 1)).toEqual({ ran: true, value: 1 });
  });

  it('the Web Locks adapter asks for the lock only if available and reports held names', async () => {
    const held = new Set<string>();
    const manager = {
      async request(name: string, options: { ifAvailable?: boolean }, cb: (lock: unknown) => Promise<unknown>) {
        if (held.has(name)) {
          if (options.ifAvailable) return cb(null);
          throw new Error('the fake does not queue');
        }
        held.add(name);
        try {
          return await cb({ name });
        } finally {
          held.delete(name);
        }
      },
      async query() {
        return { held: [...held].map((name) => ({ name })) };
      },
    };
    const locks = webLocks(manager);
    const release = await locks.hold(clipLockName('c1'));
    expect(await locks.heldNames('deepsteer-clip:')).toEqual(['deepsteer-clip:c1']);
    expect(await locks.ifFree(clipLockName('c1'), async () => 'ran')).toEqual({ ran: false });
    release();
    await new Promise((r) => setTimeout(r, 0));
    expect(await locks.heldNames('deepsteer-clip:')).toEqual([]);
    expect(await locks.ifFree(clipLockName('c1'), async () => 'ran')).toEqual({ ran: true, value: 'ran' });
  });
});
