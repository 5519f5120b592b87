// Gamepad -> controls and intents, as pure functions of one polled snapshot (the W3C
// "standard" layout: left stick X steers, right trigger drives, left trigger brakes).
// Intent buttons fire once per press: the caller keeps the previous button states.

import { clamp } from '../core/assert.ts';
import type { InputIntent } from './keymap.ts';
import { DEFAULT_INPUT_SETTINGS, type InputSettings } from './settings.ts';

/** The fields of a browser Gamepad this module reads (so tests need no browser). */
export interface GamepadSnapshot {
  readonly axes: readonly number[];
  readonly buttons: readonly { readonly pressed: boolean; readonly value: number }[];
}

/** Standard-layout indices (https://w3c.github.io/gamepad/#remapping). */
const STICK_X = 0;
const LEFT_TRIGGER = 6;
const RIGHT_TRIGGER = 7;

/** Intent buttons, standard layout (Xbox names; PlayStation: Y = triangle, X = square). */
export const GAMEPAD_INTENT_BUTTONS: readonly { readonly button: number; readonly name: string; readonly intent: InputIntent }[] = [
  { button: 9, name: 'Start / Options', intent: 'pause' },
  { button: 3, name: 'Y / Triangle', intent: 'reset' },
  { button: 2, name: 'X / Square', intent: 'recordToggle' },
  { button: 8, name: 'Back / Share', intent: 'cameraCycle' },
  { button: 5, name: 'RB / R1', intent: 'autopilotToggle' },
  { button: 4, name: 'LB / L1', intent: 'ghostToggle' },
];

export interface GamepadReading {
  /** -1..1, + is left (the stick's right is +, so this is its negation, shaped). */
  readonly steer: number;
  /** 0..1 after the trigger deadzone. */
  readonly throttle: number;
  readonly brake: number;
  /** Stick travel past the deadzone, 0..1, before sensitivity and curve: what takeover reads. */
  readonly steerActivity: number;
  /** Intent buttons newly pressed since `previous`, in GAMEPAD_INTENT_BUTTONS order. */
  readonly intents: readonly InputIntent[];
  /** Pressed state of each GAMEPAD_INTENT_BUTTONS entry, to pass back as `previous` next time. */
  readonly held: readonly boolean[];
}

/** Travel past the deadzone, rescaled so the output still spans 0..1 (no jump at the edge). */
export function pastDeadzone(value: number, deadzone: number): number {
  const a = Number.isFinite(value) ? Math.abs(value) : 0;
  if (a <= deadzone) return 0;
  return Math.min(1, (a - deadzone) / (1 - deadzone));
}

/**
 * A stick axis (-1..1) shaped for steering: deadzone, then the curve exponent (finer near the
 * centre), then the sensitivity gain, clamped to -1..1. Keeps the sign.
 */
export function shapeStick(value: number, settings: Pick<InputSettings, 'gamepadDeadzone' | 'gamepadSensitivity' | 'gamepadCurve'>): number {
  const travel = pastDeadzone(value, settings.gamepadDeadzone);
  if (travel === 0) return 0;
  return Math.sign(value) * clamp(Math.pow(travel, settings.gamepadCurve) * settings.gamepadSensitivity, 0, 1);
}

function triggerValue(pad: GamepadSnapshot, index: number): number {
  const b = pad.buttons[index];
  if (!b) return 0;
  // Digital triggers report value 0 but pressed true.
  return Number.isFinite(b.value) && b.value > 0 ? b.value : b.pressed ? 1 : 0;
}

/** Reads one snapshot. Pure: `previous` is the `held` of the last reading (or [] at first). */
export function readGamepad(
  pad: GamepadSnapshot,
  previous: readonly boolean[],
  settings: InputSettings = DEFAULT_INPUT_SETTINGS,
): GamepadReading {
  const x = pad.axes[STICK_X] ?? 0;
  const steer = -shapeStick(x, settings);
  const throttle = pastDeadzone(triggerValue(pad, RIGHT_TRIGGER), settings.triggerDeadzone);
  const brake = pastDeadzone(triggerValue(pad, LEFT_TRIGGER), settings.triggerDeadzone);
  const held = GAMEPAD_INTENT_BUTTONS.map(({ button }) => pad.buttons[button]?.pressed === true);
  const intents: InputIntent[] = [];
  for (let i = 0; i < held.length; i++) {
    if (held[i] && !previous[i]) intents.push(GAMEPAD_INTENT_BUTTONS[i].intent);
  }
  return {
    steer: steer === 0 ? 0 : steer, // no -0 in recordings
    throttle,
    brake,
    steerActivity: pastDeadzone(x, settings.gamepadDeadzone),
    intents,
    held,
  };
}
