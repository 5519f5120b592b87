import { describe, expect, it } from 'vitest';
// The preview's stand-in must size networks as src/model does, or the preview misleads.
import { createConfig, DEFAULT_CONFIG } from '../../model/config.ts';
import { describeModel } from '../../model/describe.ts';
import { fakeValidate } from './previewFakes.ts';

describe('fakeValidate', () => {
  it.each([
    ['default', {}],
    ['gru, wide', { sequence: { cell: 'gru', units: 128, window: 12, runLength: 24 }, encoder: { widthMultiplier: 0.5 } }],
    ['simple rnn, small input', { sequence: { cell: 'rnn' }, input: { height: 33, width: 100 } }],
    ['cnn', { sequence: { kind: 'cnn' } }],
  ] as const)('describes %s like describeModel', (_name, overrides) => {
    const config = createConfig(overrides as never);
    const fake = fakeValidate(structuredClone(config));
    expect(fake.ok).toBe(true);
    const real = describeModel(config);
    if (!fake.ok) return;
    expect(fake.description.params).toEqual(real.params);
    expect(fake.description.macsPerFrame).toEqual(real.macsPerFrame);
    expect(fake.description.naiveMacsPerFrame).toBe(real.naiveMacsPerFrame);
    expect(fake.description.layers.map((l) => [l.name, l.params])).toEqual(real.layers.map((l) => [l.name, l.params]));
  });

  it('names the wrong field as the model does', () => {
    const bad = { ...structuredClone(DEFAULT_CONFIG), training: { ...structuredClone(DEFAULT_CONFIG.training), learningRate: 50 } };
    expect(fakeValidate(bad)).toEqual({ ok: false, message: 'invalid model config: training.learningRate must be 1e-7..10' });
  });
});
