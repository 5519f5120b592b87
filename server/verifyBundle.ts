// Bundles the verifier (verify.ts and the simulation it re-runs) into one plain ES module for the
// verification worker threads. Under tsx every module becomes its own unit whose exports are
// getters, which the simulation's hot loop calls millions of times per lap; one bundle with its
// modules in a single scope re-simulates a lap ~1.6x faster (bench suite 'server'). Same source,
// same arithmetic: the bundle changes no result (the tests verify real laps through it). Built
// with esbuild at start into a fresh temporary folder; null (and the tsx worker) if that fails.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface VerifyBundle {
  /** file: URL of the bundle, exporting verifyAndPack. */
  url: string;
  remove(): void;
}

export async function buildVerifyBundle(): Promise<VerifyBundle | null> {
  let dir = '';
  try {
    const esbuild = await import('esbuild');
    dir = mkdtempSync(join(tmpdir(), 'deepsteer-verify-'));
    const outfile = join(dir, 'verifyWorker.bundle.mjs');
    await esbuild.build({
      entryPoints: [fileURLToPath(new URL('./verify.ts', import.meta.url))],
      bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'silent',
    });
    const d = dir;
    return { url: new URL(`file://${outfile}`).href, remove: () => rmSync(d, { recursive: true, force: true }) };
  } catch (e) {
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.warn(`verification runs through tsx (slower): the verifier could not be bundled (${(e as Error).message.split('\n')[0]})`);
    return null;
  }
}
