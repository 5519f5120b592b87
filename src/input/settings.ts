// Input settings: how keys and gamepads turn into controls. This module owns the type, the
// defaults, the allowed ranges and the validator; storing them is the app's job (through the
// data layer), which passes whatever it loaded through `validateInputSettings` first.

/** Steering and pedal rates are in units of "full travel per second" (the controls span -1..1). */
export interface InputSettings {
  /** Keyboard: how fast a held steering key turns the wheel, full lock per second. */
  readonly steerRate: number;
  /** Keyboard: how fast the wheel returns to centre when released, full lock per second. */
  readonly steerReturnRate: number;
  /**
   * Keyboard: less steering lock at speed. 0 keeps full lock at any speed; at 1 the lock is
   * halved at 20 m/s (72 km/h); at the default 2, a third at 20 m/s and a ninth at 40 m/s.
   * See `keyboardSteerLock`. A key held at full lock at speed only slides the tyres; with the
   * default, a press-and-release driver laps every preset cleanly (keyboardLoop.test.ts).
   */
  readonly speedSensitivity: number;
  /** Keyboard: how fast throttle and brake rise while their key is held, full travel per second. */
  readonly pedalRiseRate: number;
  /** Keyboard: how fast they fall when released, full travel per second. */
  readonly pedalFallRate: number;
  /** Gamepad: stick travel (0..1) ignored around the centre, so a worn stick does not drift. */
  readonly gamepadDeadzone: number;
  /** Gamepad: steering gain after the deadzone; above 1 full lock comes before full stick. */
  readonly gamepadSensitivity: number;
  /** Gamepad: response curve exponent; 1 is linear, higher is finer near the centre. */
  readonly gamepadCurve: number;
  /** Gamepad: trigger travel (0..1) ignored, so a resting trigger neither brakes nor drives. */
  readonly triggerDeadzone: number;
  /**
   * Steering or brake input (raw, 0..1, before smoothing) above which the human is taking
   * over from the autopilot. Throttle alone never takes over.
   */
  readonly takeoverThreshold: number;
}

export const DEFAULT_INPUT_SETTINGS: InputSettings = {
  steerRate: 2.2,
  steerReturnRate: 4.5,
  speedSensitivity: 2,
  pedalRiseRate: 4,
  pedalFallRate: 8,
  gamepadDeadzone: 0.08,
  gamepadSensitivity: 1,
  gamepadCurve: 1.5,
  triggerDeadzone: 0.05,
  takeoverThreshold: 0.15,
};

export interface SettingRange {
  readonly min: number;
  readonly max: number;
  /** A sensible slider step. */
  readonly step: number;
  /** Short label for a settings panel. */
  readonly label: string;
}

/** Allowed values of each setting, also what a settings panel needs to draw its sliders. */
export const INPUT_SETTING_RANGES: { readonly [K in keyof InputSettings]: SettingRange } = {
  steerRate: { min: 0.5, max: 10, step: 0.1, label: 'Keyboard steering speed' },
  steerReturnRate: { min: 0.5, max: 20, step: 0.1, label: 'Keyboard steering return speed' },
  speedSensitivity: { min: 0, max: 4, step: 0.05, label: 'Less steering at speed' },
  pedalRiseRate: { min: 0.5, max: 30, step: 0.5, label: 'Keyboard pedal press speed' },
  pedalFallRate: { min: 0.5, max: 30, step: 0.5, label: 'Keyboard pedal release speed' },
  gamepadDeadzone: { min: 0, max: 0.5, step: 0.01, label: 'Stick deadzone' },
  gamepadSensitivity: { min: 0.25, max: 3, step: 0.05, label: 'Stick sensitivity' },
  gamepadCurve: { min: 1, max: 3, step: 0.1, label: 'Stick response curve' },
  triggerDeadzone: { min: 0, max: 0.5, step: 0.01, label: 'Trigger deadzone' },
  takeoverThreshold: { min: 0.02, max: 0.5, step: 0.01, label: 'Autopilot takeover threshold' },
};

export interface InputSettingsCheck {
  /** Usable settings: every valid stored value, defaults for the rest. */
  readonly settings: InputSettings;
  /** One line per value that was missing, not a number or out of range (empty when all fine). */
  readonly problems: readonly string[];
}

/**
 * Checks settings of unknown origin (storage, an import, an older version). Never throws:
 * a bad or missing value is replaced by its default and reported, unknown keys are ignored,
 * so a corrupted store degrades to defaults rather than locking the player out.
 */
export function validateInputSettings(input: unknown): InputSettingsCheck {
  const problems: string[] = [];
  const source = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : null;
  if (source === null && input !== undefined) problems.push(`settings must be an object, got ${describe(input)}`);
  const out: Record<string, number> = {};
  for (const key of Object.keys(DEFAULT_INPUT_SETTINGS) as (keyof InputSettings)[]) {
    const range = INPUT_SETTING_RANGES[key];
    const value = source?.[key];
    if (value === undefined) {
      out[key] = DEFAULT_INPUT_SETTINGS[key];
      if (source !== null) problems.push(`${key} is missing; using ${DEFAULT_INPUT_SETTINGS[key]}`);
    } else if (typeof value !== 'number' || !Number.isFinite(value)) {
      out[key] = DEFAULT_INPUT_SETTINGS[key];
      problems.push(`${key} must be a finite number, got ${describe(value)}; using ${DEFAULT_INPUT_SETTINGS[key]}`);
    } else if (value < range.min || value > range.max) {
      out[key] = DEFAULT_INPUT_SETTINGS[key];
      problems.push(`${key} must be within ${range.min}..${range.max}, got ${value}; using ${DEFAULT_INPUT_SETTINGS[key]}`);
    } else {
      out[key] = value;
    }
  }
  return { settings: out as unknown as InputSettings, problems };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}...` : v);
  return typeof v === 'number' ? String(v) : typeof v;
}
