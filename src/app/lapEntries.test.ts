import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openLapStore } from '../data/index.ts';
import { verifyReplayText } from '../scoring/replay.ts';
import { seedShippedExpert, SHIPPED_EXPERT_ID } from './lapEntries.ts';

const SHIPPED = readFileSync('assets/replays/oval-expert.replay.json', 'utf8');
const verify = async (t: string) => verifyReplayText(t, { rankedOnly: true });

describe('the shipped expert lap on the local board', () => {
  it('is verified, put on the oval expert board once, and marked as shipped', async () => {
    const st = await openLapStore({ factory: new IDBFactory() });
    let loads = 0;
    const deps = { load: async () => (loads++, SHIPPED), verify };
    expect(await seedShippedExpert(st, deps)).toEqual({ kind: 'seeded' });
    const board = await st.list({ trackId: 'oval', driverClass: 'expert' });
    expect(board.map((e) => e.id)).toEqual([SHIPPED_EXPERT_ID]);
    expect(board[0].driverName).toBe('Expert');
    expect(board[0].lapTicks).toBe(JSON.parse(SHIPPED).claim.ticks);
    expect(await seedShippedExpert(st, deps)).toEqual({ kind: 'present' });
    expect(loads).toBe(1); // present: not fetched or verified again
    expect(await st.list({ trackId: 'oval' })).toHaveLength(1);
    st.close();
  });

  it('skips a replay that does not verify, or one not driven by the expert, with the reason', async () => {
    const st = await openLapStore({ factory: new IDBFactory() });
    const r = JSON.parse(SHIPPED);
    r.claim.ticks += 1;
    const tampered = await seedShippedExpert(st, { load: async () => JSON.stringify(r), verify });
    expect(tampered.kind).toBe('skipped');
    expect((tampered as { reason: string }).reason).toMatch(/does not verify/);
    const human = JSON.parse(SHIPPED);
    human.drivers = [[0, 'human']];
    const notExpert = await seedShippedExpert(st, { load: async () => JSON.stringify(human), verify });
    expect(notExpert.kind).toBe('skipped');
    const failed = await seedShippedExpert(st, { load: async () => Promise.reject(new Error('HTTP 404')), verify });
    expect(failed).toEqual({ kind: 'skipped', reason: 'HTTP 404' });
    expect(await st.list({ trackId: 'oval' })).toEqual([]);
    st.close();
  });
});
