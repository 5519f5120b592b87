// Runs one Node bench suite and writes its result as JSON:
// `tsx bench/node/runSuite.ts <name> <out.json> [--quick] [--param key=value]...`.
import { writeFileSync } from 'node:fs';
import type { SuiteModule } from '../lib/stats.ts';

const [name, out] = process.argv.slice(2);
if (!name || !out) throw new Error('usage: runSuite.ts <suite> <out.json> [--quick] [--param key=value]...');
const suite = (await import(`./${name}.ts`)) as SuiteModule;
const params: Record<string, string> = {};
for (const [i, a] of process.argv.entries()) {
  if (a !== '--param') continue;
  const [k, ...v] = (process.argv[i + 1] ?? '').split('=');
  params[k] = v.join('=');
}
const result = await suite.run({ quick: process.argv.includes('--quick'), params });
writeFileSync(out, JSON.stringify(result));
