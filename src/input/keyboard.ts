// The keyboard's DOM adapter: tracks which driving keys are held and queues intent presses.
// It holds no driving state of its own (keyboardDrive.ts smooths the keys into controls).
// Owns its event listeners; dispose() removes them.

import { type DriveKeys, NO_KEYS } from './keyboardDrive.ts';
import { driveKeyFor, type InputIntent, intentFor } from './keymap.ts';

export interface KeyboardOptions {
  /** Where key and blur events arrive; default `window`. */
  target?: EventTarget;
  /** Where `visibilitychange` arrives; default `document` (if any). */
  visibility?: EventTarget;
  /** Whether the page is hidden (read on visibilitychange); default `document.hidden`. */
  isHidden?: () => boolean;
}

export interface KeyboardAdapter {
  /** Driving keys held now (a new object whenever it changes; never mutated). */
  readonly keys: DriveKeys;
  /** Intents pressed since the last call, oldest first. Empties the queue. */
  takeIntents(): InputIntent[];
  /** Forget held keys (the app calls it on pause so a key held into it does not stick). */
  clear(): void;
  dispose(): void;
}

interface KeyEventLike extends Event {
  readonly key: string;
  readonly code: string;
  readonly repeat?: boolean;
  readonly ctrlKey?: boolean;
  readonly metaKey?: boolean;
  readonly altKey?: boolean;
}

/** Whether a key event is typing into a form field (then it is not driving). */
function isTyping(e: Event): boolean {
  const el = e.target as { tagName?: unknown; isContentEditable?: unknown } | null;
  if (!el || typeof el.tagName !== 'string') return false;
  return el.isContentEditable === true || el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT';
}

export function createKeyboard(opts: KeyboardOptions = {}): KeyboardAdapter {
  const target = opts.target ?? window;
  const visibility = opts.visibility ?? (typeof document !== 'undefined' ? document : undefined);
  const isHidden = opts.isHidden ?? (() => typeof document !== 'undefined' && document.hidden);
  // Held physical keys by code: two codes map to each driving key (ArrowUp and KeyW), and
  // releasing one must not release the other.
  const held = new Set<string>();
  let keys: DriveKeys = NO_KEYS;
  let intents: InputIntent[] = [];

  function recompute(): void {
    const next = { left: false, right: false, throttle: false, brake: false };
    for (const code of held) {
      const k = driveKeyFor(code);
      if (k) next[k] = true;
    }
    if (next.left !== keys.left || next.right !== keys.right || next.throttle !== keys.throttle || next.brake !== keys.brake) {
      keys = next;
    }
  }

  function clear(): void {
    held.clear();
    keys = NO_KEYS;
  }

  const onKeyDown = (ev: Event): void => {
    const e = ev as KeyEventLike;
    if (typeof e.code !== 'string' || typeof e.key !== 'string' || isTyping(e)) return;
    if (driveKeyFor(e.code) !== null) {
      if (!(e.ctrlKey || e.metaKey || e.altKey)) {
        held.add(e.code);
        recompute();
        e.preventDefault(); // arrows would scroll the page
      }
      return;
    }
    const intent = intentFor(e);
    if (intent) {
      e.preventDefault(); // F1 would open the browser's help
      if (!e.repeat) intents.push(intent);
    }
  };
  // Key-ups count even while typing: a key held before focus moved must still be released.
  const onKeyUp = (ev: Event): void => {
    const e = ev as KeyEventLike;
    if (typeof e.code !== 'string' || !held.delete(e.code)) return;
    recompute();
  };
  // Key-ups that happen while the window has no focus never arrive: forget everything.
  const onBlur = (): void => clear();
  const onVisibility = (): void => {
    if (isHidden()) clear();
  };

  target.addEventListener('keydown', onKeyDown);
  target.addEventListener('keyup', onKeyUp);
  target.addEventListener('blur', onBlur);
  visibility?.addEventListener('visibilitychange', onVisibility);

  return {
    get keys() {
      return keys;
    },
    takeIntents() {
      const out = intents;
      intents = [];
      return out;
    },
    clear,
    dispose() {
      target.removeEventListener('keydown', onKeyDown);
      target.removeEventListener('keyup', onKeyUp);
      target.removeEventListener('blur', onBlur);
      visibility?.removeEventListener('visibilitychange', onVisibility);
      clear();
      intents = [];
    },
  };
}
