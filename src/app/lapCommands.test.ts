import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openLapStore } from '../data/index.ts';
import { verifyReplayText } from '../scoring/replay.ts';
import { createLapCommands } from './lapCommands.ts';

const SHIPPED = readFileSync('assets/replays/oval-expert.replay.json', 'utf8');

async function setup() {
  const st = await openLapStore({ factory: new IDBFactory() });
  let n = 0;
  const verified: boolean[] = [];
  const commands = createLapCommands({
    laps: Promise.resolve(st),
    verify: async (text, rankedOnly) => {
      verified.push(rankedOnly);
      return verifyReplayText(text, { rankedOnly });
    },
    newId: () => `lap-${++n}`,
  });
  return { st, commands, verified };
}

describe('lap commands', () => {
  it('an imported replay is verified (ranked laps only) and joins its board', async () => {
    const { st, commands, verified } = await setup();
    const msg = await commands.importReplay(SHIPPED);
    expect(msg).toMatch(/^Verified tick for tick: Expert, .* \(expert\), rank 1\.$/);
    expect(verified).toEqual([true]);
    const board = await st.list({ trackId: 'oval', driverClass: 'expert' });
    expect(board.map((e) => [e.id, e.lapTicks])).toEqual([['lap-1', JSON.parse(SHIPPED).claim.ticks]]);
  });

  it('a tampered replay is refused with the verifier\'s reason and nothing is written', async () => {
    const { st, commands } = await setup();
    const r = JSON.parse(SHIPPED);
    r.claim.ticks += 1;
    await expect(commands.importReplay(JSON.stringify(r))).rejects.toThrow(/./);
    expect(await st.list({ trackId: 'oval' })).toEqual([]);
  });

  it('a lap just driven is verified and added; one that does not verify is refused and not written', async () => {
    const { st, commands, verified } = await setup();
    expect(await commands.addDrivenLap(JSON.parse(SHIPPED))).toEqual({ kind: 'added', rank: 1 });
    expect(verified).toEqual([false]);
    const tampered = JSON.parse(SHIPPED);
    tampered.claim.ticks += 1;
    expect((await commands.addDrivenLap(tampered)).kind).toBe('refused');
    expect(await st.list({ trackId: 'oval' })).toHaveLength(1);
  });

  it('a lap that verifies but may not be ranked (modified car, assists) is kept off the board', async () => {
    const st = await openLapStore({ factory: new IDBFactory() });
    const unranked = async (text: string) => {
      const v = await verifyReplayText(text, { rankedOnly: false });
      return v.ok ? { ...v, ranked: false, unranked: ['it was driven on a modified car'] } : v;
    };
    const commands = createLapCommands({ laps: Promise.resolve(st), verify: unranked, newId: () => 'x' });
    expect(await commands.addDrivenLap(JSON.parse(SHIPPED))).toEqual({ kind: 'unranked' });
    await expect(commands.importReplay(SHIPPED)).rejects.toThrow('it verifies, but is not ranked: it was driven on a modified car');
    expect(await st.list({ trackId: 'oval' })).toEqual([]);
  });

  it('without a lap store a driven lap is not verified at all', async () => {
    const commands = createLapCommands({ laps: Promise.resolve(null), verify: () => Promise.reject(new Error('not called')), newId: () => 'x' });
    expect(await commands.addDrivenLap({})).toEqual({ kind: 'no-store' });
    await expect(commands.importReplay('{}')).rejects.toThrow('not called');
  });
});
