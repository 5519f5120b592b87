// Runs one Node bench suite and writes its result as JSON: `tsx bench/node/runSuite.ts <name> <out.json> [--quick]`.
import { writeFileSync } from 'node:fs';
import type { SuiteModule } from '../lib/stats.ts';

const [name, out] = process.argv.slice(2);
if (!name || !out) throw new Error('usage: runSuite.ts <suite> <out.json> [--quick]');
const suite = (await import(`./${name}.ts`)) as SuiteModule;
const result = await suite.run({ quick: process.argv.includes('--quick') });
writeFileSync(out, JSON.stringify(result));
