// The expert seed is tolerant: a missing, broken, old-format or non-expert replay is skipped
// with a reason, never fatal; a good one lands once however often the server starts.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openDb } from './db.ts';
import { seedExpertLaps } from './seed.ts';
import { Store } from './store.ts';
import { tempDataDir } from './testDb.ts';
import { driveReplay } from './testLaps.ts';

const dir = tempDataDir();
const db = openDb({ databaseUrl: '', dataDir: dir });
const store = new Store(db, 0);
afterAll(() => db.close());

describe('seeding the expert board', () => {
  it('skips what it cannot use, with the reason, and seeds a good expert lap once', async () => {
    await migrate(db);
    const logs: string[] = [];
    const log = (m: string) => logs.push(m);
    expect(await seedExpertLaps(store, join(dir, 'missing.json'), log)).toBe(false);
    writeFileSync(join(dir, 'broken.json'), '{"format":"deepsteer-replay","version":1');
    expect(await seedExpertLaps(store, join(dir, 'broken.json'), log)).toBe(false);
    writeFileSync(join(dir, 'human.json'), JSON.stringify(driveReplay({ driver: 'human', seed: 4 })));
    expect(await seedExpertLaps(store, join(dir, 'human.json'), log)).toBe(false);
    expect(logs).toHaveLength(3);
    expect(logs[1]).toMatch(/does not verify/);
    expect(logs[2]).toMatch(/human lap/);
    const expert = driveReplay({ driver: 'expert', seed: 5, noise: 0 });
    writeFileSync(join(dir, 'expert.json'), JSON.stringify(expert, null, 2));
    expect(await seedExpertLaps(store, join(dir, 'expert.json'), log)).toBe(true);
    expect(await seedExpertLaps(store, join(dir, 'expert.json'), log)).toBe(true);
    const board = await store.board({ trackId: 'oval', cls: 'expert', simVersion: expert.simVersion, offset: 0, limit: 10 });
    expect(board.total).toBe(1);
    expect(board.laps[0]).toMatchObject({ name: 'Expert', lapTicks: expert.claim.ticks });
  });
});
