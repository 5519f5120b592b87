import { describe, expect, it } from 'vitest';
import { DEFAULT_INPUT_SETTINGS } from '../input/settings.ts';
import { appSettingsSchema, DEFAULT_SETTINGS, flattenSettings, trainingWorkersMode, withSetting } from './appSettings.ts';

describe('app settings', () => {
  it('reads a stored object back, falling back field by field', () => {
    const s = appSettingsSchema.parse({ dashSize: '100x33', recordRateHz: 7, playerName: '', backend: 'tpu', input: { steerRate: 99, gamepadDeadzone: 0.2 } });
    expect(s.dashSize).toBe('100x33');
    expect(s.recordRateHz).toBe(20);
    expect(s.playerName).toBe('Player');
    expect(s.backend).toBe('auto');
    expect(s.input.steerRate).toBe(DEFAULT_INPUT_SETTINGS.steerRate);
    expect(s.input.gamepadDeadzone).toBe(0.2);
    expect(appSettingsSchema.safeParse('garbage').success).toBe(false); // the store then gives DEFAULT_SETTINGS
  });

  it('applies panel changes with validation', () => {
    let s = withSetting(DEFAULT_SETTINGS, 'input.gamepadDeadzone', 0.3);
    expect(s.input.gamepadDeadzone).toBe(0.3);
    s = withSetting(s, 'recordRateHz', '30');
    expect(s.recordRateHz).toBe(30);
    s = withSetting(s, 'dashSize', 'huge');
    expect(s.dashSize).toBe('200x66');
    expect(flattenSettings(s)['input.gamepadDeadzone']).toBe(0.3);
  });

  it('trains on two workers by default where the device has 2+ hardware threads, on one when asked or where it has one', () => {
    expect(DEFAULT_SETTINGS.trainingWorkers).toBe('auto');
    expect(trainingWorkersMode('auto', 2)).toBe('auto');
    expect(trainingWorkersMode('auto', 8)).toBe('auto');
    expect(trainingWorkersMode('auto', 1)).toBe('one');
    expect(trainingWorkersMode('auto', undefined)).toBe('one');
    expect(trainingWorkersMode('one', 8)).toBe('one');
    expect(trainingWorkersMode('two', 8)).toBe('two');
    expect(withSetting(DEFAULT_SETTINGS, 'trainingWorkers', 'two').trainingWorkers).toBe('two');
    expect(withSetting(DEFAULT_SETTINGS, 'trainingWorkers', 'one').trainingWorkers).toBe('one');
    expect(appSettingsSchema.parse({ trainingWorkers: 'three' }).trainingWorkers).toBe('auto');
  });
});
