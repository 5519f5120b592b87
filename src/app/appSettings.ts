// The player's settings: their shape and defaults, how they are read back (anything invalid or
// from an older version falls back field by field), and the form the Settings panel draws.

import { z } from 'zod';
import { DEFAULT_INPUT_SETTINGS, INPUT_SETTING_RANGES, type InputSettings, validateInputSettings } from '../input/settings.ts';
import type { SettingSection } from '../ui/settingsPanel.ts';
import { SPEED_CONTROL_CHOICES } from './autopilot.ts';

export const DASH_SIZES = ['200x66', '100x33', '128x48', '160x64'] as const;
export type DashSize = (typeof DASH_SIZES)[number];
export const RECORD_RATES = [10, 12, 15, 20, 30] as const;
export const BACKEND_CHOICES = ['auto', 'cpu', 'wasm', 'webgl', 'webgpu'] as const;

export const appSettingsSchema = z.object({
  input: z.unknown().transform((v) => validateInputSettings(v).settings).catch(DEFAULT_INPUT_SETTINGS),
  dashSize: z.enum(DASH_SIZES).catch('200x66'),
  recordRateHz: z.union(RECORD_RATES.map((r) => z.literal(r))).catch(20),
  autopilotTiming: z.enum(['realtime', 'lockstep']).catch('realtime'),
  throttleSource: z.enum(['torque', 'speed', 'both']).catch('speed'),
  recordTakeovers: z.boolean().catch(false),
  speedGovernor: z.boolean().catch(false),
  /** How the speed head's prediction becomes throttle (src/app/autopilot.ts SPEED_CONTROLS). */
  speedControl: z.enum(SPEED_CONTROL_CHOICES).catch('cruise'),
  playerName: z.string().trim().min(1).max(40).catch('Player'),
  backend: z.enum(BACKEND_CHOICES).catch('auto'),
  ghosts: z.boolean().catch(true),
  /** A side panel (Library, Leaderboard, Settings) pauses the game while open (src/app/panelPause.ts). */
  pausePanels: z.boolean().catch(true),
  /**
   * 'auto': where the device has 2+ hardware threads, one or two training workers (half of every
   * batch each), whichever this device measured faster (src/model/workerChoice.ts); 'one', 'two': as said.
   */
  trainingWorkers: z.enum(['auto', 'one', 'two']).catch('auto'),
});

export type AppSettings = z.infer<typeof appSettingsSchema> & { input: InputSettings };

export const DEFAULT_SETTINGS: AppSettings = appSettingsSchema.parse({}) as AppSettings;

/** How a training run picks its workers: 'auto' only where the device has 2+ hardware threads (else one). */
export function trainingWorkersMode(choice: AppSettings['trainingWorkers'], hardwareThreads: number | undefined): 'one' | 'auto' | 'two' {
  return choice === 'auto' && (hardwareThreads ?? 1) < 2 ? 'one' : choice;
}

export function dashSizeOf(s: DashSize): { width: number; height: number } {
  const [w, h] = s.split('x').map(Number);
  return { width: w, height: h };
}

/** Flat key -> value view for the Settings panel (input settings as `input.<name>`). */
export function flattenSettings(s: AppSettings): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'input') for (const [ik, iv] of Object.entries(v as InputSettings)) out[`input.${ik}`] = iv;
    else out[k] = v as number | string | boolean;
  }
  return out;
}

/** Applies one panel change; returns the new settings, validated. */
export function withSetting(s: AppSettings, key: string, value: number | string | boolean): AppSettings {
  if (key.startsWith('input.')) {
    const input = validateInputSettings({ ...s.input, [key.slice(6)]: value }).settings;
    return { ...s, input };
  }
  const raw: Record<string, unknown> = { ...s, [key]: key === 'recordRateHz' ? Number(value) : value };
  return appSettingsSchema.parse(raw) as AppSettings;
}

export const SETTINGS_FORM: readonly SettingSection[] = [
  {
    title: 'Player',
    fields: [
      { kind: 'text', key: 'playerName', label: 'Name on the leaderboard', maxLength: 40 },
      { kind: 'checkbox', key: 'pausePanels', label: 'Pause the game while a side panel is open' },
    ],
  },
  {
    title: 'Dash camera and recording',
    fields: [
      {
        kind: 'select', key: 'dashSize', label: 'Dash camera (pixels)', help: 'Clips record at this size; a model trains on clips of one size.',
        options: DASH_SIZES.map((s) => ({ value: s, label: s === '200x66' ? `${s} (PilotNet)` : s })),
      },
      { kind: 'select', key: 'recordRateHz', label: 'Recording rate', options: RECORD_RATES.map((r) => ({ value: String(r), label: `${r} Hz` })) },
    ],
  },
  {
    title: 'Autopilot',
    fields: [
      {
        kind: 'select', key: 'autopilotTiming', label: 'Timing',
        help: 'Real time: the car never waits for the model. Lockstep: it waits for every prediction (same result on any machine; scored laps).',
        options: [{ value: 'realtime', label: 'Real time' }, { value: 'lockstep', label: 'Lockstep' }],
      },
      { kind: 'select', key: 'throttleSource', label: 'Throttle from', options: [{ value: 'speed', label: 'Speed head' }, { value: 'torque', label: 'Torque head' }, { value: 'both', label: 'Both heads' }] },
      {
        kind: 'select', key: 'speedControl', label: 'Speed control',
        help: "How the speed head's prediction becomes throttle. Cruise: the force that reaches the predicted speed in half a second against drag, from the car's own engine and brakes. Proportional: throttle in proportion to the gap (it settles below the speed asked for; the default before).",
        options: [{ value: 'cruise', label: 'Cruise (the car holds the predicted speed)' }, { value: 'proportional', label: 'Proportional' }],
      },
      { kind: 'checkbox', key: 'recordTakeovers', label: 'Record my takeovers as training clips' },
      {
        kind: 'checkbox', key: 'speedGovernor', label: 'Speed governor (assist)',
        help: "Off by default: the model's speed head drives the throttle alone. On, it brakes when the model's own steering asks for more grip than the tyres have at this speed (it reads the car's true grip); the HUD and the lap's replay then say so.",
      },
      {
        kind: 'select', key: 'backend', label: 'ML backend',
        options: BACKEND_CHOICES.map((b) => ({ value: b, label: b === 'auto' ? 'Fastest (measured)' : b })),
      },
      {
        kind: 'select', key: 'trainingWorkers', label: 'Training workers',
        help: 'Two: each trains on half of every batch, on its own core (the same training; faster only where the second core is free). Auto times both over the first steps of a run and keeps the faster, once per model size on this device. One: leaves a core to other work.',
        options: [{ value: 'auto', label: 'Faster of one and two (measured)' }, { value: 'one', label: 'One' }, { value: 'two', label: 'Two' }],
      },
    ],
  },
  {
    title: 'Race',
    fields: [{ kind: 'checkbox', key: 'ghosts', label: 'Show the ghost of the best lap' }],
  },
  {
    title: 'Controls',
    fields: (Object.keys(INPUT_SETTING_RANGES) as (keyof InputSettings)[]).map((k) => ({
      kind: 'range' as const,
      key: `input.${k}`,
      label: INPUT_SETTING_RANGES[k].label,
      min: INPUT_SETTING_RANGES[k].min,
      max: INPUT_SETTING_RANGES[k].max,
      step: INPUT_SETTING_RANGES[k].step,
    })),
  },
];
