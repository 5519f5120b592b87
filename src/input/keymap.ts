// Which key does what. Driving keys are matched by physical position (KeyboardEvent.code), so
// WASD sits under the left hand on AZERTY or Dvorak too; intent keys are matched by the letter
// printed on them (KeyboardEvent.key), so "P for pause" holds on any layout. Where both could
// claim a key (Colemak prints R on the physical S), driving wins.

import type { DriveKeys } from './keyboardDrive.ts';

/**
 * Things the player asks of the game that are not driving. Input reports them; the app acts.
 * - pause: pause or resume the game
 * - reset: put the car back on the road (the app sets Controls.reset on the next tick)
 * - recordToggle: start or stop recording training data
 * - cameraCycle: next camera (chase, dash, top)
 * - autopilotToggle: hand the wheel to the model, or take it back
 * - hudToggle: show or hide the HUD
 * - ghostToggle: show or hide ghost cars
 * - fullscreen: enter or leave full screen
 * - help: show the key map
 * - saliencyToggle, layersToggle, gatesToggle: the model overlays (what it looks at, its conv
 *   feature maps, its recurrent gates)
 */
export type InputIntent =
  | 'pause'
  | 'reset'
  | 'recordToggle'
  | 'cameraCycle'
  | 'autopilotToggle'
  | 'hudToggle'
  | 'ghostToggle'
  | 'fullscreen'
  | 'help'
  | 'saliencyToggle'
  | 'layersToggle'
  | 'gatesToggle';

export const INPUT_INTENTS: readonly InputIntent[] = [
  'pause', 'reset', 'recordToggle', 'cameraCycle', 'autopilotToggle', 'hudToggle', 'ghostToggle', 'fullscreen', 'help',
  'saliencyToggle', 'layersToggle', 'gatesToggle',
];

const DRIVE_CODES: Readonly<Record<string, keyof DriveKeys>> = {
  ArrowUp: 'throttle',
  KeyW: 'throttle',
  ArrowDown: 'brake',
  KeyS: 'brake',
  ArrowLeft: 'left',
  KeyA: 'left',
  ArrowRight: 'right',
  KeyD: 'right',
};

/** Intent keys by KeyboardEvent.key (letters lower-cased). */
const INTENT_KEYS: Readonly<Record<string, InputIntent>> = {
  p: 'pause',
  Escape: 'pause',
  r: 'reset',
  t: 'recordToggle',
  c: 'cameraCycle',
  m: 'autopilotToggle',
  h: 'hudToggle',
  g: 'ghostToggle',
  f: 'fullscreen',
  '?': 'help',
  F1: 'help',
  v: 'saliencyToggle',
  l: 'layersToggle',
  k: 'gatesToggle',
};

/** The key map as a player reads it (for a help overlay and the docs). */
export const KEY_MAP: readonly { readonly keys: string; readonly action: string }[] = [
  { keys: 'Up / W', action: 'Throttle (ramps up while held)' },
  { keys: 'Down / S', action: 'Brake; reverse from a standstill' },
  { keys: 'Left / A, Right / D', action: 'Steer (the wheel turns while held, recentres when released)' },
  { keys: 'P / Esc', action: 'Pause' },
  { keys: 'R', action: 'Reset the car onto the road' },
  { keys: 'T', action: 'Start / stop recording' },
  { keys: 'C', action: 'Next camera' },
  { keys: 'M', action: 'Autopilot on / off (steering or braking also takes over)' },
  { keys: 'H', action: 'Show / hide the HUD' },
  { keys: 'G', action: 'Show / hide ghosts' },
  { keys: 'F', action: 'Full screen' },
  { keys: '? / F1', action: 'Help' },
  { keys: 'V', action: 'Saliency overlay: what the model looks at' },
  { keys: 'L', action: 'Layer views: the conv feature maps' },
  { keys: 'K', action: 'Gates overlay: the recurrent layer over the window' },
];

/** The fields of a KeyboardEvent the key map reads. */
export interface KeyLike {
  readonly key: string;
  readonly code: string;
  readonly ctrlKey?: boolean;
  readonly metaKey?: boolean;
  readonly altKey?: boolean;
}

/** The driving key at this physical position, if any. */
export function driveKeyFor(code: string): keyof DriveKeys | null {
  return DRIVE_CODES[code] ?? null;
}

/**
 * The intent a key press asks for, if any. Presses with Ctrl, Cmd or Alt belong to the browser
 * (Ctrl+R reloads, Cmd+F finds) and ask for nothing.
 */
export function intentFor(e: KeyLike): InputIntent | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  if (driveKeyFor(e.code) !== null) return null;
  const direct = INTENT_KEYS[e.key.length === 1 ? e.key.toLowerCase() : e.key];
  if (direct) return direct;
  // A layout without Latin letters (Cyrillic, Greek...): fall back to the key's position.
  if (e.key.length === 1 && !/[\x20-\x7e]/.test(e.key) && e.code.startsWith('Key')) {
    return INTENT_KEYS[e.code.slice(3).toLowerCase()] ?? null;
  }
  return null;
}
