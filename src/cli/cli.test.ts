import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReplayRecorder } from '../scoring/replay.ts';
import { DEFAULT_CAR } from '../sim/car.ts';
import { createExpert } from '../sim/expert.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { createWorld, stepWorld } from '../sim/world.ts';

const tsx = (args: string[]) => spawnSync('npx', ['tsx', ...args], { encoding: 'utf8' });

describe('npm run verify', () => {
  it('verifies the committed example replay, printing track, car, drivers and result', () => {
    const r = tsx(['src/cli/verify.ts', 'assets/replays/oval-expert.replay.json']);
    expect(r.stdout).toContain('VERIFIED');
    expect(r.stdout).toContain('track: Oval (oval)');
    expect(r.stdout).toContain('car: default');
    expect(r.stdout).toMatch(/driver: Expert; expert 2532 ticks; 0 interventions; autonomy 100\.0%; class expert/);
    expect(r.stdout).toContain('ranked on the expert board');
    expect(r.status).toBe(0);
  });

  it('says what changed on a modified car, and exits 2 on an unreadable file', () => {
    const track = resolveTrack('oval');
    const params = { ...DEFAULT_CAR, power: 90000 };
    const expert = createExpert(track);
    const rec = new ReplayRecorder();
    let w = createWorld(track, { params });
    while (w.laps.completed.length < 1) {
      const c = expert.control(w);
      rec.push(w, c, 'expert');
      w = stepWorld(w, c);
    }
    const dir = mkdtempSync(join(tmpdir(), 'replay-'));
    const file = join(dir, 'modified.replay.json');
    writeFileSync(file, JSON.stringify(rec.replayOf(w, w.laps.completed[0], { theme: 'day', driver: { name: 'Expert' }, createdAt: '2026-12-04T00:00:00.000Z' })));
    const r = tsx(['src/cli/verify.ts', file]);
    expect(r.stdout).toContain('VERIFIED');
    expect(r.stdout).toContain('car: MODIFIED (power 60000 -> 90000)');
    expect(r.stdout).toContain('not ranked: modified car');
    expect(r.status).toBe(0);
    const missing = tsx(['src/cli/verify.ts', join(dir, 'nope.json')]);
    expect(missing.stdout).toContain('ERROR: cannot read the file');
    expect(missing.status).toBe(2);
  });

  it('rejects a tampered copy with the reason and a failing exit code', () => {
    const replay = JSON.parse(readFileSync('assets/replays/oval-expert.replay.json', 'utf8'));
    replay.claim.ticks -= 1;
    const file = join(mkdtempSync(join(tmpdir(), 'replay-')), 'tampered.replay.json');
    writeFileSync(file, JSON.stringify(replay));
    const r = tsx(['src/cli/verify.ts', file]);
    expect(r.stdout).toContain('REFUSED (mismatch)');
    expect(r.stdout).toContain('claimed');
    expect(r.status).toBe(1);
  });
});

describe('npm run sim', () => {
  it('prints the same JSON byte for byte for the same arguments', () => {
    const args = ['src/cli/sim.ts', '--track', '31', '--laps', '1', '--noise', '0.05', '--json'];
    const a = execFileSync('npx', ['tsx', ...args], { encoding: 'utf8' });
    const b = execFileSync('npx', ['tsx', ...args], { encoding: 'utf8' });
    expect(a).toBe(b);
    const out = JSON.parse(a);
    expect(out.laps).toHaveLength(1);
    expect(out.laps[0].ticks).toBeGreaterThan(0);
    expect(out.laps[0].sectorTicks.reduce((s: number, t: number) => s + t, 0)).toBe(out.laps[0].ticks);
    expect(out.stateHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('refuses an unknown track with a usage message', () => {
    const r = tsx(['src/cli/sim.ts', '--track', 'atlantis']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('atlantis');
  });
});
