// The verification pool: the same verdicts as verify.ts run in-process, refusals with the
// reason, and the stored gzip is the verified text. Also: the board cache reads a page once for many concurrent readers.

import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { migrate, openDb } from './db.ts';
import { Store } from './store.ts';
import { tempDataDir } from './testDb.ts';
import { replaysByScore } from './testLaps.ts';
import { verifyLapText } from './verify.ts';
import { createVerifyPool, type VerifyPool } from './verifyPool.ts';

const laps = replaysByScore(2).map((r) => JSON.stringify(r));

describe('verification pool', () => {
  let pool: VerifyPool;
  afterAll(async () => pool?.close());

  it('gives the in-process verdicts from its threads, and gzips the verified text', async () => {
    pool = createVerifyPool({ threads: 2, timeoutMs: 5000, maxQueue: 16, maxBytes: 512 * 1024 });
    const results = await Promise.all(laps.map((t) => pool.verify(t)));
    for (const [i, r] of results.entries()) {
      const local = verifyLapText(laps[i]);
      if (!r.ok || !local.ok) throw new Error(`expected both to verify: ${JSON.stringify([r, local]).slice(0, 300)}`);
      expect({ ...r, verifyMs: 0, replayGz: null }).toEqual({ ...local, verifyMs: 0, replayGz: null });
      expect(gunzipSync(r.replayGz).toString('utf8')).toBe(laps[i]);
    }
    const forged = JSON.parse(laps[0]);
    forged.claim.ticks -= 30;
    const refused = await pool.verify(JSON.stringify(forged));
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.reason).toBe((verifyLapText(JSON.stringify(forged)) as { reason: string }).reason);
  });
});

describe('board cache', () => {
  it('reads a page once for many concurrent readers, and again after a write', async () => {
    const db = openDb({ databaseUrl: '', dataDir: tempDataDir() });
    await migrate(db);
    const store = new Store(db, 60_000);
    try {
      const v = verifyLapText(laps[0]);
      if (!v.ok) throw new Error(v.reason);
      const spy = vi.spyOn(store as unknown as { boardPage: () => Promise<unknown> }, 'boardPage');
      const q = { trackId: 'oval', cls: 'human', simVersion: v.simVersion, offset: 0, limit: 20 };
      const bodies = await Promise.all(Array.from({ length: 20 }, () => store.boardBody(q)));
      expect(spy).toHaveBeenCalledTimes(1);
      expect(new Set(bodies).size).toBe(1);
      expect(JSON.parse(bodies[0])).toMatchObject({ me: null, trackId: 'oval', class: 'human', total: 0, laps: [], offset: 0, limit: 20 });
      const p = await store.createPlayer('Kim');
      await store.submitLap(p.id, v, new Uint8Array([1]), null);
      const after = JSON.parse(await store.boardBody({ ...q, playerId: p.id }));
      expect(spy).toHaveBeenCalledTimes(2); // the write cleared the cached page
      expect(after.total).toBe(1);
      expect(after.me).toMatchObject({ name: 'Kim', rank: 1 });
    } finally {
      await db.close();
    }
  });
});
