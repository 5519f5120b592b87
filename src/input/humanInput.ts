// The human as a control source: keyboard and gamepad merged into one Controls per tick, the
// intents of both in one queue, and the takeover signal the autopilot watches.
// `combineHumanInput` is the pure merge; `createHumanInput` wires it to the two adapters.

import { clamp } from '../core/assert.ts';
import type { Controls } from '../sim/world.ts';
import { createGamepadPoller, type GamepadPollerOptions } from './gamepad.ts';
import type { GamepadReading } from './gamepadMap.ts';
import { createKeyboard, type KeyboardOptions } from './keyboard.ts';
import { CENTRED, type DriveKeys, type KeyboardDriveState, stepKeyboardDrive } from './keyboardDrive.ts';
import type { InputIntent } from './keymap.ts';
import { DEFAULT_INPUT_SETTINGS, type InputSettings } from './settings.ts';
import { mergeTouch, type TouchControls } from './touch.ts';

export type InputDevice = 'keyboard' | 'gamepad' | 'touch';

export interface HumanSample {
  /** What the human asks of the car this tick (never `reset`: that comes as an intent). */
  readonly controls: Controls;
  /**
   * How hard the human is steering or braking, 0..1, from the raw inputs before smoothing
   * (a held key counts 1 at once; a stick counts its travel past the deadzone). Throttle is
   * left out: speeding up under autopilot is not taking the wheel.
   */
  readonly activity: number;
  /** activity > settings.takeoverThreshold: the autopilot should hand over. */
  readonly takeover: boolean;
  /** The device whose controls are the larger this tick (the keyboard on a tie), or null when both are idle. */
  readonly device: InputDevice | null;
}

export interface CombineInput {
  readonly keys: DriveKeys;
  /** Keyboard state after this tick's step. */
  readonly keyboard: KeyboardDriveState;
  /** The latest gamepad reading, or null without a pad. */
  readonly gamepad: GamepadReading | null;
}

/**
 * Merges keyboard and gamepad. Steering comes from whichever device steers harder (so a
 * centred stick does not cancel a held key); throttle and brake are each the larger of the
 * two, and torque is throttle - brake.
 */
export function combineHumanInput(inp: CombineInput, settings: InputSettings = DEFAULT_INPUT_SETTINGS): HumanSample {
  const kb = inp.keyboard;
  const pad = inp.gamepad;
  const padSteer = pad?.steer ?? 0;
  const steer = Math.abs(padSteer) > Math.abs(kb.steer) ? padSteer : kb.steer;
  const throttle = Math.max(kb.throttle, pad?.throttle ?? 0);
  const brake = Math.max(kb.brake, pad?.brake ?? 0);
  const keyActivity = inp.keys.left !== inp.keys.right || inp.keys.brake ? 1 : 0;
  const padActivity = pad ? Math.max(pad.steerActivity, pad.brake) : 0;
  const activity = Math.max(keyActivity, padActivity);

  const kbMagnitude = Math.max(Math.abs(kb.steer), kb.throttle, kb.brake);
  const padMagnitude = pad ? Math.max(Math.abs(pad.steer), pad.throttle, pad.brake) : 0;
  const device: InputDevice | null = kbMagnitude === 0 && padMagnitude === 0 ? null : padMagnitude > kbMagnitude ? 'gamepad' : 'keyboard';
  return {
    controls: { steer: clamp(steer, -1, 1), torque: clamp(throttle - brake, -1, 1) },
    activity,
    takeover: activity > settings.takeoverThreshold,
    device,
  };
}

export interface HumanInputOptions {
  keyboard?: KeyboardOptions;
  gamepad?: Omit<GamepadPollerOptions, 'settings'>;
  settings?: InputSettings;
}

export interface HumanInput {
  /**
   * Once per animation frame, also while paused (the simulation does not tick then, and Start
   * must still unpause): polls the gamepad and returns the intents pressed since the last
   * call, keyboard ones first.
   */
  poll(): InputIntent[];
  /**
   * Once per simulation tick: advances the keyboard smoothing by `dt` seconds at the car's
   * `speed` (m/s), reads the gamepad, and merges the two.
   */
  sample(dt: number, speed: number): HumanSample;
  /** The device that last gave any input (for recordings' metadata and on-screen hints). */
  readonly lastDevice: InputDevice | null;
  /** The connected gamepad's id, or null. */
  readonly gamepadId: string | null;
  setSettings(settings: InputSettings): void;
  /** On-screen touch controls merged into every sample (src/input/touch.ts), or null. */
  setTouch(touch: TouchControls | null): void;
  /** Centre the wheel, lift the pedals and forget held keys (on pause, reset or a mode change). */
  clear(): void;
  dispose(): void;
}

export function createHumanInput(opts: HumanInputOptions = {}): HumanInput {
  let settings = opts.settings ?? DEFAULT_INPUT_SETTINGS;
  const keyboard = createKeyboard(opts.keyboard);
  const pads = createGamepadPoller({ ...opts.gamepad, settings });
  let kbState: KeyboardDriveState = CENTRED;
  let padReading: GamepadReading | null = null;
  let padIntents: InputIntent[] = [];
  let lastDevice: InputDevice | null = null;
  let touch: TouchControls | null = null;

  // The pad is read on every poll and every tick: ticks get the stick as it is now, and press
  // edges seen by either wait in padIntents for the next poll.
  function readPad(): void {
    padReading = pads.poll();
    if (padReading && padReading.intents.length > 0) padIntents.push(...padReading.intents);
  }

  return {
    poll() {
      readPad();
      const intents = keyboard.takeIntents();
      intents.push(...padIntents);
      padIntents = [];
      return intents;
    },
    sample(dt, speed) {
      readPad();
      const keys = keyboard.keys;
      kbState = stepKeyboardDrive(kbState, { keys, dt, speed }, settings);
      const combined = combineHumanInput({ keys, keyboard: kbState, gamepad: padReading }, settings);
      const s = touch ? mergeTouch(combined, touch.read(dt), settings.takeoverThreshold) : combined;
      if (s.device) lastDevice = s.device;
      return s;
    },
    get lastDevice() {
      return lastDevice;
    },
    get gamepadId() {
      return pads.padId;
    },
    setSettings(next) {
      settings = next;
      pads.setSettings(next);
    },
    setTouch(t) {
      touch = t;
    },
    clear() {
      keyboard.clear();
      touch?.clear();
      kbState = CENTRED;
    },
    dispose() {
      keyboard.dispose();
      padReading = null;
      padIntents = [];
    },
  };
}
