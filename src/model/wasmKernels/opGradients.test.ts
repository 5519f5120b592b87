// Every other gradient a training step uses, and whole optimizer steps, on wasm against cpu.
import { beforeAll, describe, expect, it } from 'vitest';
import { compareBackends, type ParityResult } from './parity.ts';
import { opGradientCases, trainingStepCases } from './parityCases.ts';

const TOLERANCE = 1e-4;
const opCases = opGradientCases();
const stepCases = trainingStepCases();
let results = new Map<string, ParityResult>();

beforeAll(async () => {
  results = new Map((await compareBackends([...opCases, ...stepCases])).map((r) => [r.name, r]));
}, 300_000);

describe('op gradients, wasm vs cpu', () => {
  it.each(opCases.map((c) => c.name))('%s', (name) => {
    expect(results.get(name)?.relError).toBeLessThan(TOLERANCE);
  });
});

describe('training steps of a small conv net change weights the same on wasm as on cpu', () => {
  it.each(stepCases.map((c) => c.name))('%s', (name) => {
    const r = results.get(name)!;
    expect(r.outputs).toBe(10); // 5 layers x (kernel, bias): every weight moved and was compared
    expect(r.relError).toBeLessThan(TOLERANCE);
  });
});
