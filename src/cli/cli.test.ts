import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const tsx = (args: string[]) => spawnSync('npx', ['tsx', ...args], { encoding: 'utf8' });

describe('npm run verify', () => {
  it('verifies the committed example replay', () => {
    const r = tsx(['src/cli/verify.ts', 'assets/replays/oval-expert.replay.json']);
    expect(r.stdout).toContain('VERIFIED');
    expect(r.status).toBe(0);
  });

  it('rejects a tampered copy with the reason and a failing exit code', () => {
    const replay = JSON.parse(readFileSync('assets/replays/oval-expert.replay.json', 'utf8'));
    replay.claim.ticks -= 1;
    const file = join(mkdtempSync(join(tmpdir(), 'replay-')), 'tampered.replay.json');
    writeFileSync(file, JSON.stringify(replay));
    const r = tsx(['src/cli/verify.ts', file]);
    expect(r.stdout).toContain('REJECTED');
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
