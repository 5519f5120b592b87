// The driving worker's prediction deadline: 5 s on a quick machine, longer after a model is
// loaded and where predictions are slow, never past a minute.
import { describe, expect, it } from 'vitest';
import { BASE_MS, PredictDeadline } from './predictDeadline.ts';

describe('PredictDeadline', () => {
  it('gives the first predictions of a loaded model time to build their shaders, then 5 s where answers are quick', () => {
    const d = new PredictDeadline();
    expect(d.ms).toBe(30_000);
    for (let i = 0; i < 3; i++) d.answered(4);
    expect(d.ms).toBe(BASE_MS);
    d.loaded();
    expect(d.ms).toBe(30_000);
  });

  it('follows slow answers (a software GPU under load): 8x the slowest of the last 16, at most a minute', () => {
    const d = new PredictDeadline();
    for (let i = 0; i < 3; i++) d.answered(1000);
    expect(d.ms).toBe(8000);
    d.answered(4000);
    expect(d.ms).toBe(32_000);
    d.answered(20_000);
    expect(d.ms).toBe(60_000);
    // The slow answers age out after 16 quick ones.
    for (let i = 0; i < 16; i++) d.answered(100);
    expect(d.ms).toBe(BASE_MS);
    d.answered(Number.NaN);
    expect(d.ms).toBe(BASE_MS);
  });
});
