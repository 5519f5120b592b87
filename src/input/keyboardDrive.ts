// Keyboard driving as a pure step: (state, held keys, dt, speed) -> state. Keys are on/off,
// but the controls they produce are analog: a held key turns the wheel at a limited rate, a
// released one lets it return to centre (faster), and the pedals ramp the same way. Recorded
// steering is then a smooth signal, not the -1/0/+1 square wave that makes keyboard data from
// driving simulators (Udacity's most of all) hard to learn from.

import { assert, clamp } from '../core/assert.ts';
import type { Controls } from '../sim/world.ts';
import { DEFAULT_INPUT_SETTINGS, type InputSettings } from './settings.ts';

/** Which driving keys are held (arrows or WASD; see keymap.ts). */
export interface DriveKeys {
  readonly left: boolean;
  readonly right: boolean;
  readonly throttle: boolean;
  readonly brake: boolean;
}

export const NO_KEYS: DriveKeys = { left: false, right: false, throttle: false, brake: false };

/** The smoothed controls the keys have built up so far. */
export interface KeyboardDriveState {
  /** -1..1, + is left (as Controls.steer). */
  readonly steer: number;
  /** 0..1 each; torque is throttle - brake. */
  readonly throttle: number;
  readonly brake: number;
}

export const CENTRED: KeyboardDriveState = { steer: 0, throttle: 0, brake: 0 };

export interface KeyboardStepInput {
  readonly keys: DriveKeys;
  /** Time since the last step, s (one simulation tick when stepped per tick). */
  readonly dt: number;
  /** Speed of the car, m/s (the sign is ignored); 0 if unknown. */
  readonly speed?: number;
}

/** Speed at which a speedSensitivity of 1 halves the lock, m/s. */
const SENSITIVITY_SPEED = 20;

/**
 * Largest steering a held key reaches at `speed` (m/s), 0..1:
 * 1 / (1 + sensitivity * (speed / 20 m/s)^2). A keyboard cannot hold half lock, so less lock
 * at speed is what lets a key press mean "a bit left" on a fast straight.
 */
export function keyboardSteerLock(speed: number, sensitivity: number): number {
  const v = Number.isFinite(speed) ? Math.abs(speed) / SENSITIVITY_SPEED : 0;
  return 1 / (1 + Math.max(0, sensitivity) * v * v);
}

/**
 * Moves `x` toward `target` over `dt` seconds: at `awayRate` while |x| grows, at `backRate`
 * while it shrinks. A target across zero is reached by first returning to zero at `backRate`,
 * then going out at `awayRate` for the time left: exact for any dt, so a long step equals many
 * short ones.
 */
export function approach(x: number, target: number, awayRate: number, backRate: number, dt: number): number {
  let t = dt;
  if (x !== 0 && Math.sign(target) !== Math.sign(x)) {
    const back = Math.abs(x) / backRate;
    if (back >= t || target === 0) return x > 0 ? Math.max(target, x - backRate * t) : Math.min(target, x + backRate * t);
    t -= back;
    x = 0;
  }
  const rate = Math.abs(target) > Math.abs(x) ? awayRate : backRate;
  const step = rate * t;
  return x < target ? Math.min(target, x + step) : Math.max(target, x - step);
}

/** Advances the keyboard controls by one step. Pure. */
export function stepKeyboardDrive(
  state: KeyboardDriveState,
  input: KeyboardStepInput,
  settings: InputSettings = DEFAULT_INPUT_SETTINGS,
): KeyboardDriveState {
  const { keys, dt } = input;
  assert(Number.isFinite(dt) && dt >= 0, `dt must be a finite number of seconds >= 0, got ${dt}`);
  if (dt === 0) return state;
  const dir = (keys.left ? 1 : 0) - (keys.right ? 1 : 0);
  const lock = keyboardSteerLock(input.speed ?? 0, settings.speedSensitivity);
  const steer = approach(state.steer, dir * lock, settings.steerRate, settings.steerReturnRate, dt);
  // Brake wins over throttle when both are held: the safe reading of a panicked hand.
  const throttleTarget = keys.throttle && !keys.brake ? 1 : 0;
  const brakeTarget = keys.brake ? 1 : 0;
  const throttle = approach(state.throttle, throttleTarget, settings.pedalRiseRate, settings.pedalFallRate, dt);
  const brake = approach(state.brake, brakeTarget, settings.pedalRiseRate, settings.pedalFallRate, dt);
  if (steer === state.steer && throttle === state.throttle && brake === state.brake) return state;
  return { steer: clamp(steer, -1, 1), throttle: clamp(throttle, 0, 1), brake: clamp(brake, 0, 1) };
}

/** The keyboard state as simulation controls. */
export function keyboardControls(state: KeyboardDriveState): Controls {
  return { steer: state.steer, torque: clamp(state.throttle - state.brake, -1, 1) };
}
