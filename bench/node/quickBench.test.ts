// CI smoke of the bench's Node side: every Node suite of bench/suites.mjs runs quick through
// the same runner as `npm run bench -- --quick` (tsx bench/node/runSuite.ts) and returns
// well-formed figures, and every registered suite has its module. The browser side is
// `npm run bench -- --quick` itself (and e2e/wasmKernels.spec.ts for the kernels suite).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { markdown } from '../lib/report.mjs';
import type { SuiteResult } from '../lib/stats.ts';
import { SUITES } from '../suites.mjs';

const tmp = mkdtempSync(join(tmpdir(), 'bench-quick-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('bench suites', () => {
  it.each(SUITES.map((s) => [s.name, s.kind]))('%s (%s) has its module', (name, kind) => {
    expect(existsSync(kind === 'node' ? `bench/node/${name}.ts` : `bench/browser/suites/${name}.ts`)).toBe(true);
  });

  it.each(SUITES.filter((s) => s.kind === 'node').map((s) => s.name))('%s runs quick and reports figures', (name) => {
    const out = join(tmp, `${name}.json`);
    const r = spawnSync('npx', ['tsx', 'bench/node/runSuite.ts', name, out, '--quick'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(readFileSync(out, 'utf8')) as SuiteResult;
    expect(Object.keys(result.figures).length).toBeGreaterThan(0);
    for (const [key, f] of Object.entries(result.figures)) {
      expect(key).toMatch(/^[\w-]+(\.[\w.x-]+)+$/);
      expect(Number.isFinite(f.median) && f.min <= f.median && f.median <= f.max, `${key}: ${JSON.stringify(f)}`).toBe(true);
      expect(f.runs).toBeGreaterThan(0);
    }
    for (const [key, v] of Object.entries(result.ratios)) expect(Number.isFinite(v), key).toBe(true);
    const md = markdown({ machine: {}, figures: result.figures, ratios: result.ratios, suites: { [name]: { ranAt: 'now', quick: true, notes: result.notes } } });
    expect(md).toContain(Object.keys(result.figures)[0]);
  }, 40_000);
});
