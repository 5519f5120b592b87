import { describe, expect, it } from 'vitest';
import { createConfig } from './config.ts';
import { exampleWeights, steerBinWeights } from './exampleWeights.ts';

// Two frame groups of 3 and 4 frames, windows of T = 2: 2 + 3 = 5 examples, labelled by each window's last frame.
const lengths = [3, 4];
const T = 2;
// Measured speeds per frame (m/s); the windows end at frames 1, 2 | 4, 5, 6.
const speeds = new Float32Array([10, 10, 10, 20, 20, 20, 5]);
// Targets per example: steer, speed label, torque. Speed changes: +0.5, -4 | -1, +3, +3.
const targets = new Float32Array([0, 10.5, 0, 0.9, 6, 0, 0, 19, 0, 0, 23, 0, -0.9, 8, 0]);
const batch = { targets, lengths, speeds };

describe('exampleWeights', () => {
  it('is null with neither balance nor speedBalance', () => {
    expect(exampleWeights(createConfig({ balance: { kind: 'none' } }), batch, 5, T, null)).toBeNull();
  });

  it("weighs by speedBalance's factor the windows whose speed label is minChange or more from the last frame's speed", () => {
    const w = exampleWeights(createConfig({ balance: { kind: 'none' }, speedBalance: { minChange: 3, factor: 4 } }), batch, 5, T, null);
    expect(Array.from(w!)).toEqual([1, 4, 1, 4, 4]);
  });

  it('with slowerOnly, weighs only the windows whose label is minChange or more below the measured speed', () => {
    const w = exampleWeights(createConfig({ balance: { kind: 'none' }, speedBalance: { minChange: 1, factor: 4, slowerOnly: true } }), batch, 5, T, null);
    expect(Array.from(w!)).toEqual([1, 4, 4, 1, 1]);
  });

  it('multiplies the steering-bin weights', () => {
    const cfg = createConfig({ balance: { kind: 'steer-bins', bins: 2, maxWeight: 10 }, speedBalance: { minChange: 3.5, factor: 2 } });
    const bins = steerBinWeights(targets, 2, 10);
    const w = exampleWeights(cfg, batch, 5, T, bins)!;
    const left = bins[0];
    const right = bins[1];
    // Steering bins: right (>= 0) for all but the last; changes >= 3.5: the second only.
    expect(Array.from(w)).toEqual([right, right * 2, right, right, left].map(Math.fround));
  });

  it('is off at factor 1 and refuses a batch without measured speeds', () => {
    expect(exampleWeights(createConfig({ balance: { kind: 'none' }, speedBalance: { minChange: 1, factor: 1 } }), batch, 5, T, null)).toBeNull();
    expect(() => exampleWeights(createConfig({ balance: { kind: 'none' }, speedBalance: { minChange: 1, factor: 2 } }), { targets, lengths }, 5, T, null)).toThrow(/measured speeds/);
  });

  it('refuses an example count that does not match the frame groups', () => {
    expect(() => exampleWeights(createConfig({ balance: { kind: 'none' }, speedBalance: { minChange: 1, factor: 2 } }), batch, 4, T, null)).toThrow(/5 windows/);
  });
});
