import { describe, expect, it } from 'vitest';
import { DEFAULT_INPUT_SETTINGS, INPUT_SETTING_RANGES, type InputSettings, validateInputSettings } from './settings.ts';

describe('input settings', () => {
  it('defaults lie within their own ranges, and keyboard steering returns faster than it turns', () => {
    for (const key of Object.keys(DEFAULT_INPUT_SETTINGS) as (keyof InputSettings)[]) {
      const r = INPUT_SETTING_RANGES[key];
      expect(DEFAULT_INPUT_SETTINGS[key], key).toBeGreaterThanOrEqual(r.min);
      expect(DEFAULT_INPUT_SETTINGS[key], key).toBeLessThanOrEqual(r.max);
    }
    expect(DEFAULT_INPUT_SETTINGS.steerReturnRate).toBeGreaterThan(DEFAULT_INPUT_SETTINGS.steerRate);
    expect(Object.keys(INPUT_SETTING_RANGES).sort()).toEqual(Object.keys(DEFAULT_INPUT_SETTINGS).sort());
  });

  it('accepts valid settings unchanged', () => {
    const mine = { ...DEFAULT_INPUT_SETTINGS, gamepadDeadzone: 0.2, steerRate: 5 };
    const { settings, problems } = validateInputSettings(mine);
    expect(problems).toEqual([]);
    expect(settings).toEqual(mine);
  });

  it('nothing stored yet gives the defaults without complaint', () => {
    expect(validateInputSettings(undefined)).toEqual({ settings: DEFAULT_INPUT_SETTINGS, problems: [] });
  });

  it('replaces each bad value by its default and says why', () => {
    const { settings, problems } = validateInputSettings({
      ...DEFAULT_INPUT_SETTINGS,
      gamepadDeadzone: 0.9,
      steerRate: 'fast',
      pedalRiseRate: Number.NaN,
      extra: 1,
    });
    expect(settings.gamepadDeadzone).toBe(DEFAULT_INPUT_SETTINGS.gamepadDeadzone);
    expect(settings.steerRate).toBe(DEFAULT_INPUT_SETTINGS.steerRate);
    expect(settings.pedalRiseRate).toBe(DEFAULT_INPUT_SETTINGS.pedalRiseRate);
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/gamepadDeadzone must be within 0\.\.0\.5, got 0\.9/);
    expect(problems.join('\n')).toMatch(/steerRate must be a finite number, got "fast"/);
    expect(problems.join('\n')).toMatch(/pedalRiseRate must be a finite number, got NaN/);
  });

  it('fills missing keys from an older version and reports each', () => {
    const { settings, problems } = validateInputSettings({ steerRate: 3 });
    expect(settings).toEqual({ ...DEFAULT_INPUT_SETTINGS, steerRate: 3 });
    expect(problems).toHaveLength(Object.keys(DEFAULT_INPUT_SETTINGS).length - 1);
  });

  it('a non-object gives the defaults and one problem', () => {
    for (const bad of [null, 42, 'x', true]) {
      const { settings, problems } = validateInputSettings(bad);
      expect(settings).toEqual(DEFAULT_INPUT_SETTINGS);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/must be an object/);
    }
  });
});
