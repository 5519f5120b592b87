// The gamepad's adapter: polls navigator.getGamepads() (browsers send no events for axis
// moves) and reads the first connected pad through gamepadMap.ts. It keeps only the previous
// button states, for press edges; it holds no listeners, so there is nothing to dispose.

import { type GamepadReading, type GamepadSnapshot, readGamepad } from './gamepadMap.ts';
import { DEFAULT_INPUT_SETTINGS, type InputSettings } from './settings.ts';

/** A connected pad as getGamepads() lists it (browser Gamepad objects fit). */
export interface PolledGamepad extends GamepadSnapshot {
  readonly id: string;
  readonly index: number;
  readonly connected: boolean;
}

export interface GamepadPollerOptions {
  /** Default: navigator.getGamepads (none when the browser has no Gamepad API). */
  getGamepads?: () => readonly (PolledGamepad | null)[];
  settings?: InputSettings;
}

export interface GamepadPoller {
  /** Reads the pad now; null when none is connected. Call once per animation frame. */
  poll(): GamepadReading | null;
  /** The id string of the pad last read, or null. */
  readonly padId: string | null;
  setSettings(settings: InputSettings): void;
}

function browserGamepads(): readonly (PolledGamepad | null)[] {
  if (typeof navigator === 'undefined' || typeof navigator.getGamepads !== 'function') return [];
  return navigator.getGamepads();
}

export function createGamepadPoller(opts: GamepadPollerOptions = {}): GamepadPoller {
  const getGamepads = opts.getGamepads ?? browserGamepads;
  let settings = opts.settings ?? DEFAULT_INPUT_SETTINGS;
  let padId: string | null = null;
  let padIndex = -1;
  let previous: readonly boolean[] = [];

  return {
    poll() {
      // Chrome lists pads only after a button press, and lists them as null slots after unplugging.
      const pads = getGamepads();
      let pad = padIndex >= 0 ? pads[padIndex] : null;
      if (!pad || !pad.connected || pad.id !== padId) pad = pads.find((p) => p !== null && p.connected) ?? null;
      if (!pad) {
        padId = null;
        padIndex = -1;
        previous = [];
        return null;
      }
      if (pad.index !== padIndex || pad.id !== padId) previous = []; // a new pad starts with no held buttons
      padId = pad.id;
      padIndex = pad.index;
      const reading = readGamepad(pad, previous, settings);
      previous = reading.held;
      return reading;
    },
    get padId() {
      return padId;
    },
    setSettings(s) {
      settings = s;
    },
  };
}
