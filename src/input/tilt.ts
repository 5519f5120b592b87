// Tilt steering (DeviceOrientation), an option of the touch controls where the device has the
// sensor: tilting the phone like a steering wheel steers, analog, with a small dead zone around
// level and full lock at FULL_LOCK_DEG. Which axis is "the wheel" depends on how the screen is
// turned (portrait: gamma; landscape: beta, sign by side). The mapping is pure; the listener
// part asks for permission where the browser requires it (iOS Safari, from a tap).
//
// Ownership: createTiltSensor owns its deviceorientation listener; stop() and dispose() remove it.

import { clamp } from '../core/assert.ts';

/** Tilt for full lock, degrees. */
export const FULL_LOCK_DEG = 25;
/** Tilt ignored around level, degrees. */
export const DEAD_ZONE_DEG = 3;

/** The wheel angle, degrees (+ = the right side of the screen dips), for a screen turned `screenAngle` degrees. */
export function wheelAngle(beta: number, gamma: number, screenAngle: number): number {
  const a = ((Math.round(screenAngle / 90) * 90) % 360 + 360) % 360;
  // Turned counter-clockwise (90: the device's top on the left), the right of the screen is the
  // device's bottom: dipping it raises the top, and beta grows.
  if (a === 90) return beta;
  if (a === 270) return -beta;
  if (a === 180) return -gamma;
  return gamma;
}

/** Steering -1 (left) .. 1 (right) from a wheel angle, degrees. */
export function tiltSteer(angleDeg: number): number {
  if (!Number.isFinite(angleDeg)) return 0;
  const mag = Math.abs(angleDeg);
  if (mag <= DEAD_ZONE_DEG) return 0;
  return Math.sign(angleDeg) * clamp((mag - DEAD_ZONE_DEG) / (FULL_LOCK_DEG - DEAD_ZONE_DEG), 0, 1);
}

/** Whether the browser has orientation events at all (the sensor may still be missing). */
export function hasTiltApi(): boolean {
  return typeof window !== 'undefined' && 'DeviceOrientationEvent' in window;
}

export interface TiltSensor {
  /** Starts listening (asks permission where needed: call from a tap); false if refused or absent. */
  start(): Promise<boolean>;
  stop(): void;
  /** -1..1, 0 until a reading arrives or while stopped. */
  readonly steer: number;
  readonly on: boolean;
  dispose(): void;
}

interface OrientationPermission {
  requestPermission?: () => Promise<'granted' | 'denied'>;
}

export function createTiltSensor(): TiltSensor {
  let steer = 0;
  let on = false;
  const onOrientation = (e: DeviceOrientationEvent): void => {
    if (e.beta === null || e.gamma === null) return;
    const angle = typeof screen !== 'undefined' && screen.orientation ? screen.orientation.angle : 0;
    steer = tiltSteer(wheelAngle(e.beta, e.gamma, angle));
  };
  const sensor: TiltSensor = {
    async start() {
      if (!hasTiltApi()) return false;
      const ask = (window.DeviceOrientationEvent as unknown as OrientationPermission).requestPermission;
      if (typeof ask === 'function') {
        try {
          if ((await ask()) !== 'granted') return false;
        } catch {
          return false;
        }
      }
      window.addEventListener('deviceorientation', onOrientation);
      on = true;
      return true;
    },
    stop() {
      window.removeEventListener('deviceorientation', onOrientation);
      on = false;
      steer = 0;
    },
    get steer() {
      return on ? steer : 0;
    },
    get on() {
      return on;
    },
    dispose() {
      sensor.stop();
    },
  };
  return sensor;
}
