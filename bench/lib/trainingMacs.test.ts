import { describe, expect, it } from 'vitest';
import { createConfig } from '../../src/model/config.ts';
import { comparableCnnConfig } from './convnet.ts';
import { gmacPerSecond, trainingMacs } from './trainingMacs.ts';

describe('trainingMacs', () => {
  it('counts the default-width plain CNN at 33x100 by hand: forward, weight and input gradients, none into the frame', () => {
    const m = trainingMacs(comparableCnnConfig());
    const byName = Object.fromEntries(m.layers.map((l) => [l.name, l]));
    // conv1: 5x5/2 valid over 33x100x3 -> 15x48x12; conv2: 5x5/2 -> 6x22x18.
    expect(byName.conv1).toEqual({ name: 'conv1', forward: 15 * 48 * 25 * 3 * 12, weightGradient: 15 * 48 * 25 * 3 * 12, inputGradient: 0, total: 2 * 15 * 48 * 25 * 3 * 12 });
    expect(byName.conv2.forward).toBe(6 * 22 * 25 * 12 * 18);
    expect(byName.conv2.total).toBe(3 * 6 * 22 * 25 * 12 * 18);
    expect(m.forward).toBe(m.layers.reduce((s, l) => s + l.forward, 0));
    expect(m.total).toBe(3 * m.forward - byName.conv1.forward);
  });

  it('grows with the width: width 1 is over 3x the default width', () => {
    const half = trainingMacs(comparableCnnConfig());
    const full = trainingMacs(comparableCnnConfig({ encoder: { widthMultiplier: 1 } }));
    expect(full.total / half.total).toBeGreaterThan(3);
  });

  it('turns examples/s into GMAC/s', () => {
    const m = trainingMacs(comparableCnnConfig());
    expect(gmacPerSecond(m, 1000)).toBeCloseTo((m.total * 1000) / 1e9, 12);
  });

  it('refuses a sequence model (its examples are windows, not frames)', () => {
    expect(() => trainingMacs(createConfig({}))).toThrow(/single-frame/);
  });
});
