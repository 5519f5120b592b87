// `npm test`: every check, in order, with one closing line "N passed, N failed".
// Type-check and lint count as one check each; unit and e2e tests count one per test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tmp = mkdtempSync(join(tmpdir(), 'deepsteer-test-'));
let passed = 0;
let failed = 0;
const failures = [];

function run(label, cmd, args, env = {}) {
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  console.log(`=== ${label}: exit ${r.status} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return r.status === 0;
}

function check(label, cmd, args) {
  if (run(label, cmd, args)) passed++;
  else {
    failed++;
    failures.push(label);
  }
}

function readJson(file) {
  try {
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  } catch {
    return undefined;
  }
}

check('typecheck', 'npm', ['run', '-s', 'typecheck']);
check('lint', 'npm', ['run', '-s', 'lint']);

const unitJson = join(tmp, 'unit.json');
const unitOk = run('unit', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${unitJson}`]);
const unit = readJson(unitJson);
if (unit) {
  passed += unit.numPassedTests;
  failed += unit.numFailedTests;
  if (unit.numFailedTests > 0) failures.push(`unit: ${unit.numFailedTests} failed`);
  if (!unitOk && unit.numFailedTests === 0) {
    failed++;
    failures.push('unit: runner failed outside the tests (suite error?)');
  }
} else {
  failed++;
  failures.push('unit: no report');
}

const e2eJson = join(tmp, 'e2e.json');
const e2eOk = run('e2e', 'node', ['e2e/run.mjs'], { PW_JSON_OUTPUT: e2eJson });
const e2e = readJson(e2eJson);
if (e2e) {
  const s = e2e.stats ?? {};
  passed += (s.expected ?? 0) + (s.flaky ?? 0);
  failed += s.unexpected ?? 0;
  if (s.unexpected) failures.push(`e2e: ${s.unexpected} failed`);
  if (!e2eOk && !s.unexpected) {
    failed++;
    failures.push('e2e: runner failed outside the tests');
  }
} else {
  failed++;
  failures.push('e2e: no report');
}

if (failures.length) console.log(`\nFailures: ${failures.join('; ')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
