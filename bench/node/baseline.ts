// A bench's 'before': the tree of a git ref extracted into a temp dir (git archive, read-only for
// this checkout), sharing this checkout's node_modules, so a suite can run that commit's code
// beside this tree's in one run, under the same machine load.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Baseline {
  root: string;
  /** The short commit the ref named. */
  commit: string;
  remove(): void;
}

export function checkout(ref: string): Baseline {
  const commit = execFileSync('git', ['rev-parse', '--short', ref], { encoding: 'utf8' }).trim();
  const root = mkdtempSync(join(tmpdir(), `bench-${commit}-`));
  execFileSync('bash', ['-c', `git archive ${commit} | tar -x -C ${root}`]);
  symlinkSync(resolve('node_modules'), join(root, 'node_modules'), 'dir');
  return { root, commit, remove: () => rmSync(root, { recursive: true, force: true }) };
}
