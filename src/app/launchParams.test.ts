import { describe, expect, it } from 'vitest';
import { parseLaunchParams, shareLink } from './launchParams.ts';

const choices = {
  themes: ['day', 'dusk', 'night'],
  backends: ['cpu', 'wasm', 'webgl', 'webgpu'],
  defaults: { track: 'oval', theme: 'day', mode: 'drive' as const },
};

describe('launch parameters', () => {
  it('opens exactly the track, theme and mode in the link', () => {
    const { params, notices } = parseLaunchParams('?track=12345&theme=dusk&mode=race&backend=wasm', choices);
    expect(params).toEqual({ track: '12345', theme: 'dusk', mode: 'race', backend: 'wasm' });
    expect(notices).toEqual([]);
    expect(parseLaunchParams('?track=Kidney', choices).params.track).toBe('kidney');
  });

  it('falls back to defaults with a notice for each bad parameter', () => {
    const { params, notices } = parseLaunchParams('?track=moon&theme=purple&mode=fly&backend=tpu', choices);
    expect(params).toEqual(choices.defaults);
    expect(notices).toHaveLength(4);
    expect(notices[0]).toContain('moon');
    expect(notices[1]).toContain('purple');
    expect(notices[2]).toContain('fly');
    expect(notices[3]).toContain('tpu');
  });

  it('uses defaults when nothing is given', () => {
    expect(parseLaunchParams('', choices)).toEqual({ params: choices.defaults, notices: [] });
  });

  it('round-trips through a share link', () => {
    const p = { track: '77', theme: 'night', mode: 'autopilot' as const };
    const link = shareLink('http://localhost:5173/?x=1', p);
    expect(parseLaunchParams(new URL(link).search, choices).params).toEqual(p);
  });
});
