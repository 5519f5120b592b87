import { describe, expect, it } from 'vitest';
import { DASH_SIZES, DEFAULT_SETTINGS, dashSizeOf, withSetting } from './appSettings.ts';
import { CRUISE_SPEED_CONTROL, PROPORTIONAL_SPEED_CONTROL } from './autopilot.ts';
import type { ModeName } from './modes/mode.ts';
import { applySettings, type SettingsTargets } from './settingsFeature.ts';

function targets(mode: ModeName) {
  const log: string[] = [];
  const dash = dashSizeOf(DEFAULT_SETTINGS.dashSize);
  const renderer = {
    dashWidth: dash.width,
    dashHeight: dash.height,
    setDashSize(w: number, h: number) {
      renderer.dashWidth = w;
      renderer.dashHeight = h;
      log.push(`dash ${w}x${h}`);
    },
  };
  const autopilot: ReturnType<SettingsTargets['autopilot']> = {
    model: { id: 'm1' },
    recordTakeovers: false,
    autopilot: { opts: { timing: 'realtime', throttle: 'speed', governor: false, speedControl: PROPORTIONAL_SPEED_CONTROL } },
    loadModel: async (id) => void log.push(`load ${id}`),
    dispose: () => void log.push('dispose worker'),
  };
  let current = mode;
  const t: SettingsTargets = {
    setInput: () => {},
    setPlayerName: (n) => log.push(`name ${n}`),
    autopilot: () => autopilot,
    resumeLockstep: () => log.push('lockstep?'),
    renderer: () => renderer,
    dashChanged: () => log.push('dash changed'),
    mode: () => current,
    setMode: (m) => {
      current = m;
      log.push(`mode ${m}`);
    },
    notify: (text) => log.push(`notice ${text.slice(0, 20)}`),
    trainingWorkersChanged: () => log.push('forget workers verdicts'),
  };
  return { t, log, autopilot, mode: () => current };
}

describe('applySettings', () => {
  it('a new ML backend while the model drives: the worker goes, Autopilot hands back to Drive', () => {
    const { t, log, autopilot, mode } = targets('autopilot');
    applySettings(withSetting(DEFAULT_SETTINGS, 'backend', 'cpu'), DEFAULT_SETTINGS, t);
    expect(log).toContain('dispose worker');
    expect(autopilot.model).toBeNull();
    expect(mode()).toBe('drive');
  });

  it('a new dash size reloads the model for the new frames and leaves Autopilot; start-up changes nothing it need not', () => {
    const first = targets('drive');
    applySettings(DEFAULT_SETTINGS, null, first.t);
    expect(first.log.filter((l) => l.startsWith('dash') || l.startsWith('load') || l.startsWith('mode'))).toEqual([]);

    const { t, log, mode } = targets('autopilot');
    const other = DASH_SIZES.find((s) => s !== DEFAULT_SETTINGS.dashSize)!;
    const next = withSetting(DEFAULT_SETTINGS, 'dashSize', other);
    applySettings(next, DEFAULT_SETTINGS, t);
    const d = dashSizeOf(next.dashSize);
    expect(log).toEqual(expect.arrayContaining([`dash ${d.width}x${d.height}`, 'dash changed', 'mode drive', 'load m1']));
    expect(mode()).toBe('drive');
  });

  it("a change of Training workers forgets the measured verdicts (so 'auto' times again); other changes do not", () => {
    const { t, log } = targets('drive');
    applySettings(withSetting(DEFAULT_SETTINGS, 'ghosts', false), DEFAULT_SETTINGS, t);
    applySettings(DEFAULT_SETTINGS, null, t);
    expect(log).not.toContain('forget workers verdicts');
    applySettings(withSetting(DEFAULT_SETTINGS, 'trainingWorkers', 'one'), DEFAULT_SETTINGS, t);
    expect(log.filter((l) => l === 'forget workers verdicts')).toHaveLength(1);
  });

  it("Speed control reaches the autopilot: cruise by default, proportional when chosen, and an unknown value reads back as the default", () => {
    const { t, autopilot } = targets('drive');
    applySettings(DEFAULT_SETTINGS, null, t);
    expect(autopilot.autopilot.opts.speedControl).toEqual(CRUISE_SPEED_CONTROL);
    applySettings(withSetting(DEFAULT_SETTINGS, 'speedControl', 'proportional'), DEFAULT_SETTINGS, t);
    expect(autopilot.autopilot.opts.speedControl).toEqual(PROPORTIONAL_SPEED_CONTROL);
    expect(withSetting(DEFAULT_SETTINGS, 'speedControl', 'turbo').speedControl).toBe('cruise');
  });
});
