// Fuzzing the model zip import (importModelZip): random bytes, byte-mutated and truncated real
// exports, files of the right names holding random or nasty JSON, and bombs. Each ends within
// 2 s with a ModelError, never another exception.

import fc from 'fast-check';
import { strToU8, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { bombZip } from '../data/untrusted/nastyKit.ts';
import { exportModelZip, importModelZip, saveModel } from './artifacts.ts';
import { createSteeringNet } from './factory.ts';
import { isModelError } from './modelErrors.ts';
import { tinyConfig } from './testKit.ts';
import { initBackend } from './tfSetup.ts';

let valid: Uint8Array;
const stats = { cases: 0, slowestMs: 0 };

beforeAll(async () => {
  await initBackend('cpu');
  const net = createSteeringNet(tinyConfig({ heads: { hidden: 3 } }));
  valid = exportModelZip(await saveModel(net, {
    normalization: { mean: { steering: 0, speed: 10, torque: 0 }, std: { steering: 0.3, speed: 4, torque: 0.25 } },
    metadata: { name: 'fuzz', createdAt: 0, clips: [], metrics: { epochs: 1, valLoss: 0.1, valRmse: { steering: 0.1, speed: 1, torque: 0.1 }, bestEpoch: null }, backend: 'cpu' },
  }));
  net.model.dispose();
});

function refused(bytes: Uint8Array, mayImport = false): void {
  const t0 = performance.now();
  let err: unknown = null;
  try {
    importModelZip(bytes);
  } catch (e) {
    err = e;
  }
  const ms = performance.now() - t0;
  stats.cases++;
  stats.slowestMs = Math.max(stats.slowestMs, ms);
  expect(ms).toBeLessThan(2000);
  if (err || !mayImport) {
    expect(isModelError(err, 'bad-model-file')).toBe(true);
    expect((err as Error).message.length).toBeGreaterThan(10);
  }
}

describe('fuzz: model zips', () => {
  it('random bytes, mutated and truncated exports', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 500 }), (b) => refused(b)), { numRuns: 60 });
    fc.assert(fc.property(fc.nat({ max: 100_000 }), fc.integer({ min: 0, max: 255 }), fc.nat(), (at, v, cut) => {
      const b = valid.slice();
      b[at % b.length] = v;
      refused(b, true); // a flip in a byte nothing reads still imports
      refused(valid.subarray(0, cut % valid.length));
    }), { numRuns: 60 });
  });

  it('the right file names holding random or nasty JSON, and bombs', () => {
    const nasty = fc.oneof(fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'), fc.constantFrom('1e999', '{"modelTopology":1e999}', '['.repeat(50_000) + ']'.repeat(50_000)));
    fc.assert(fc.property(nasty, nasty, fc.uint8Array({ maxLength: 64 }), (manifest, model, weights) => {
      refused(zipSync({ 'deepsteer.json': strToU8(manifest), 'model.json': strToU8(model), 'weights.bin': weights }));
    }), { numRuns: 60 });
    refused(bombZip('model.json', 2_000_000));
    refused(bombZip('weights.bin', 2_000_000, 1000));
    console.log(`fuzz model zip: ${stats.cases} cases, slowest ${stats.slowestMs.toFixed(1)} ms`);
  });
});
