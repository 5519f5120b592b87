import { describe, expect, it } from 'vitest';
import { type BackendScore, calibrateBackends, rankBackends, SOFTWARE_PENALTY } from './backendChoice.ts';
import { initBackend, tf } from './tfSetup.ts';
import { tinyConfig } from './testKit.ts';

describe('backend ranking', () => {
  const scores: BackendScore[] = [
    { backend: 'cpu', ok: true, inferMs: 40, trainExamplesPerS: 2 },
    { backend: 'wasm', ok: true, inferMs: 3, trainExamplesPerS: 30 },
    { backend: 'webgl', ok: true, inferMs: 20, trainExamplesPerS: 10, software: true },
    { backend: 'webgpu', ok: false, error: 'no adapter' },
  ];

  it('ranks by measured speed, separately for inference and training, leaving failures out', () => {
    expect(rankBackends(scores, 'inference')).toEqual(['wasm', 'cpu', 'webgl']); // webgl: 20 x 4 > 40
    expect(rankBackends(scores, 'training')).toEqual(['wasm', 'webgl', 'cpu']); // 10/4 = 2.5 ex/s > 2
  });

  it('lets a hardware GPU win where it is faster', () => {
    const gpu: BackendScore[] = [...scores.slice(0, 2), { backend: 'webgpu', ok: true, inferMs: 1.5, trainExamplesPerS: 400 }];
    expect(rankBackends(gpu, 'inference')[0]).toBe('webgpu');
    expect(rankBackends(gpu, 'training')[0]).toBe('webgpu');
    const soft: BackendScore[] = [...scores.slice(0, 2), { backend: 'webgpu', ok: true, inferMs: 2.5, trainExamplesPerS: 60, software: true }];
    expect(rankBackends(soft, 'inference')[0]).toBe('wasm'); // 2.5 x SOFTWARE_PENALTY > 3
    expect(SOFTWARE_PENALTY).toBeGreaterThan(1);
  });
});

describe('calibration in Node', () => {
  it.each([false, true])('measures cpu and wasm on the actual model and ranks them (reads the speed: %s)', async (speed) => {
    const config = tinyConfig({ input: { speed } });
    await initBackend('cpu');
    const before = tf.memory().numTensors;
    const cal = await calibrateBackends({ config, candidates: ['cpu', 'wasm'], predictions: 3, trainSteps: 2, now: () => 123 });
    expect(cal.scores.map((s) => s.backend)).toEqual(['cpu', 'wasm']);
    for (const s of cal.scores) {
      expect(s.ok, s.error).toBe(true);
      expect(s.inferMs).toBeGreaterThan(0);
      expect(s.trainExamplesPerS).toBeGreaterThan(0);
    }
    expect(cal.inference).toHaveLength(2);
    expect(cal.training).toHaveLength(2);
    expect(tf.getBackend()).toBe(cal.inference[0]);
    expect(cal.at).toBe(123);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 2);
  });

  it('records a backend that cannot start as failed, with the reason', async () => {
    const cal = await calibrateBackends({ config: tinyConfig(), candidates: ['webgl', 'cpu'], predictions: 2, trainSteps: 1, now: () => 0 });
    expect(cal.scores[0]).toMatchObject({ backend: 'webgl', ok: false });
    expect(cal.scores[0].error).toContain('browser');
    expect(cal.inference).toEqual(['cpu']);
  });
});
