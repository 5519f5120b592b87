// Touch play: an on-screen steering pad (left) and two pedals (right) for phones and tablets.
// Steering is analog: the finger's sideways distance from where it touched down, over the pad's
// half-width, like a stick. The pedals ramp in and out like the keyboard's (pressing is not a
// jump to full throttle). `mergeTouch` is the pure merge with the keyboard/gamepad sample; the
// DOM part reads Pointer Events, so a pen or a mouse on a touch laptop works the same.
//
// Ownership: createTouchControls owns its overlay element and listeners; dispose() removes them.
// NOTE while shown, the container carries the class ds-touch-on (the HUD layer makes room).

import { clamp } from '../core/assert.ts';
import type { Controls } from '../sim/world.ts';
import { createTiltSensor, hasTiltApi } from './tilt.ts';

/** The fields of humanInput's HumanSample this merge reads and writes (no import cycle). */
export interface SampleLike {
  readonly controls: Controls;
  readonly activity: number;
  readonly takeover: boolean;
  readonly device: 'keyboard' | 'gamepad' | 'touch' | null;
}

export interface TouchReading {
  /** -1 (left) .. 1 (right). */
  readonly steer: number;
  readonly throttle: number;
  readonly brake: number;
  /** A finger is on any control. */
  readonly active: boolean;
}

export const NO_TOUCH: TouchReading = { steer: 0, throttle: 0, brake: 0, active: false };

/** Pedal travel per second while pressed / released (the keyboard's defaults are close). */
const PEDAL_PRESS_PER_S = 4;
const PEDAL_RELEASE_PER_S = 8;
/** Fraction of the pad's half-width a finger must travel for full lock. */
const FULL_LOCK_AT = 0.8;

/** The pad's steering for a finger `dx` px from its touch-down point on a pad `width` px wide. */
export function padSteer(dx: number, width: number): number {
  if (width <= 0) return 0;
  return clamp(dx / ((width / 2) * FULL_LOCK_AT), -1, 1);
}

/** One pedal's travel after `dt` s, pressed or not. */
export function stepPedal(value: number, pressed: boolean, dt: number): number {
  return pressed ? Math.min(1, value + PEDAL_PRESS_PER_S * dt) : Math.max(0, value - PEDAL_RELEASE_PER_S * dt);
}

/**
 * Merges touch into the keyboard/gamepad sample: steering from whichever steers harder, pedals
 * the larger of each; steering or braking on screen is a takeover like a key or a stick.
 */
export function mergeTouch(s: SampleLike, t: TouchReading | null, takeoverThreshold: number): SampleLike {
  if (!t || (!t.active && t.throttle === 0 && t.brake === 0 && t.steer === 0)) return s;
  // A reading's + is right (the finger's way); Controls' + is left (src/sim/world.ts).
  const touchSteer = -t.steer;
  const steer = Math.abs(touchSteer) > Math.abs(s.controls.steer) ? touchSteer : s.controls.steer;
  const throttle = Math.max(Math.max(0, s.controls.torque), t.throttle);
  const brake = Math.max(Math.max(0, -s.controls.torque), t.brake);
  const activity = Math.max(s.activity, Math.abs(t.steer), t.brake);
  const touchBigger = Math.max(Math.abs(t.steer), t.throttle, t.brake) > Math.max(Math.abs(s.controls.steer), Math.abs(s.controls.torque));
  return {
    controls: { steer: clamp(steer, -1, 1), torque: clamp(throttle - brake, -1, 1) },
    activity,
    takeover: activity > takeoverThreshold,
    device: touchBigger ? 'touch' : s.device,
  };
}

/** Whether this device has a touch screen (the controls show from the start there). */
export function hasTouchScreen(): boolean {
  return typeof navigator !== 'undefined' && (navigator.maxTouchPoints > 0 || 'ontouchstart' in window);
}

export interface TouchControls {
  /** Advances the pedals by `dt` s and returns what the fingers ask for. */
  read(dt: number): TouchReading;
  setVisible(on: boolean): void;
  readonly visible: boolean;
  /** Lift every finger (pause, mode change). */
  clear(): void;
  dispose(): void;
}

export function createTouchControls(container: HTMLElement): TouchControls {
  const root = document.createElement('div');
  root.className = 'ds-touch';
  root.setAttribute('data-testid', 'touch-controls');
  const pad = document.createElement('div');
  pad.className = 'ds-touch-pad';
  pad.setAttribute('data-testid', 'touch-steer');
  pad.setAttribute('role', 'slider');
  pad.setAttribute('aria-label', 'Steering: touch and slide left or right');
  pad.setAttribute('aria-valuemin', '-100');
  pad.setAttribute('aria-valuemax', '100');
  pad.setAttribute('aria-valuenow', '0');
  const knob = document.createElement('div');
  knob.className = 'ds-touch-knob';
  pad.append(knob, Object.assign(document.createElement('span'), { textContent: '◀ steer ▶' }));
  const pedals = document.createElement('div');
  pedals.className = 'ds-touch-pedals';
  const mkPedal = (label: string, id: string): HTMLButtonElement => {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = `ds-touch-pedal ds-touch-${id}`;
    b.textContent = label;
    b.setAttribute('data-testid', `touch-${id}`);
    // The accessible name begins with the visible word (a voice user says what they see).
    b.setAttribute('aria-label', label === 'Gas' ? 'Gas (hold)' : 'Brake and reverse (hold)');
    return b;
  };
  const brakeBtn = mkPedal('Brake', 'brake');
  const gasBtn = mkPedal('Gas', 'gas');
  pedals.append(brakeBtn, gasBtn);
  // Tilt steering (tilt.ts), an option where the browser has orientation events: the pad still
  // steers, and a finger on it wins over the tilt.
  const tilt = createTiltSensor();
  const tiltBtn = document.createElement('button');
  tiltBtn.type = 'button';
  tiltBtn.className = 'ds-touch-tilt';
  tiltBtn.textContent = 'Tilt';
  tiltBtn.setAttribute('data-testid', 'touch-tilt');
  tiltBtn.setAttribute('aria-pressed', 'false');
  tiltBtn.setAttribute('aria-label', 'Tilt: steer by tilting the device');
  tiltBtn.hidden = !hasTiltApi();
  tiltBtn.addEventListener('click', () => {
    if (tilt.on) {
      tilt.stop();
      tiltBtn.setAttribute('aria-pressed', 'false');
      return;
    }
    void tilt.start().then((ok) => {
      tiltBtn.setAttribute('aria-pressed', String(ok));
      if (!ok) {
        tiltBtn.textContent = 'No tilt';
        tiltBtn.setAttribute('aria-label', 'No tilt: this device gives no orientation');
      }
    });
  });
  root.append(pad, tiltBtn, pedals);
  container.append(root);

  let steer = 0;
  let throttle = 0;
  let brake = 0;
  let steerPointer: number | null = null;
  let steerX0 = 0;
  const gasPointers = new Set<number>();
  const brakePointers = new Set<number>();
  let visible = false;

  const showSteer = (): void => {
    knob.style.transform = `translateX(${(steer * pad.clientWidth * FULL_LOCK_AT) / 2}px)`;
    pad.setAttribute('aria-valuenow', String(Math.round(steer * 100)));
  };
  const onPadDown = (e: PointerEvent): void => {
    e.preventDefault();
    steerPointer = e.pointerId;
    steerX0 = e.clientX;
    pad.setPointerCapture?.(e.pointerId);
  };
  const onPadMove = (e: PointerEvent): void => {
    if (e.pointerId !== steerPointer) return;
    steer = padSteer(e.clientX - steerX0, pad.clientWidth);
    showSteer();
  };
  const onPadUp = (e: PointerEvent): void => {
    if (e.pointerId !== steerPointer) return;
    steerPointer = null;
    steer = 0;
    showSteer();
  };
  pad.addEventListener('pointerdown', onPadDown);
  pad.addEventListener('pointermove', onPadMove);
  pad.addEventListener('pointerup', onPadUp);
  pad.addEventListener('pointercancel', onPadUp);

  const pedalHandlers = (btn: HTMLElement, set: Set<number>): void => {
    btn.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      set.add(e.pointerId);
      btn.setPointerCapture?.(e.pointerId);
      btn.classList.add('down');
    });
    const up = (e: PointerEvent): void => {
      set.delete(e.pointerId);
      if (set.size === 0) btn.classList.remove('down');
    };
    btn.addEventListener('pointerup', up);
    btn.addEventListener('pointercancel', up);
    btn.addEventListener('contextmenu', (e) => e.preventDefault()); // a long press must not open a menu
  };
  pedalHandlers(gasBtn, gasPointers);
  pedalHandlers(brakeBtn, brakePointers);

  const clear = (): void => {
    steerPointer = null;
    steer = 0;
    throttle = 0;
    brake = 0;
    gasPointers.clear();
    brakePointers.clear();
    gasBtn.classList.remove('down');
    brakeBtn.classList.remove('down');
    showSteer();
  };

  const controls: TouchControls = {
    read(dt) {
      if (!visible) return NO_TOUCH;
      throttle = stepPedal(throttle, gasPointers.size > 0, dt);
      brake = stepPedal(brake, brakePointers.size > 0, dt);
      const s = steerPointer === null && tilt.on ? tilt.steer : steer;
      return { steer: s, throttle, brake, active: steerPointer !== null || gasPointers.size > 0 || brakePointers.size > 0 || (tilt.on && s !== 0) };
    },
    setVisible(on) {
      visible = on;
      root.hidden = !on;
      // The HUD's layer ends above the controls (styles.css), so its bottom panels sit clear of them.
      container.classList.toggle('ds-touch-on', on);
      if (!on) clear();
    },
    get visible() {
      return visible;
    },
    clear,
    dispose() {
      tilt.dispose();
      root.remove();
      container.classList.remove('ds-touch-on');
    },
  };
  controls.setVisible(false);
  return controls;
}
