import { describe, expect, it } from 'vitest';
import {
  approach, CENTRED, type DriveKeys, keyboardControls, keyboardSteerLock, type KeyboardDriveState, NO_KEYS, stepKeyboardDrive,
} from './keyboardDrive.ts';
import { DEFAULT_INPUT_SETTINGS as S } from './settings.ts';

const DT = 1 / 60;
const LEFT: DriveKeys = { ...NO_KEYS, left: true };
const RIGHT: DriveKeys = { ...NO_KEYS, right: true };

/** Holds `keys` for `seconds`, in ticks. */
function hold(state: KeyboardDriveState, keys: DriveKeys, seconds: number, speed = 0): KeyboardDriveState {
  let s = state;
  for (let i = 0; i < Math.round(seconds / DT); i++) s = stepKeyboardDrive(s, { keys, dt: DT, speed });
  return s;
}

describe('approach', () => {
  it('moves out at one rate and back at another', () => {
    expect(approach(0, 1, 2, 4, 0.25)).toBeCloseTo(0.5, 12);
    expect(approach(0.5, 0, 2, 4, 0.1)).toBeCloseTo(0.1, 12);
    expect(approach(0.5, 0, 2, 4, 1)).toBe(0);
    expect(approach(0.8, 0.5, 2, 4, 0.05)).toBeCloseTo(0.6, 12);
  });

  it('crosses zero at the back rate, then goes out for the time left', () => {
    // 0.4 back to 0 at 4/s takes 0.1 s; the remaining 0.15 s at 2/s reaches -0.3.
    expect(approach(0.4, -1, 2, 4, 0.25)).toBeCloseTo(-0.3, 12);
    expect(approach(-0.4, 1, 2, 4, 0.05)).toBeCloseTo(-0.2, 12);
  });

  it('never overshoots the target', () => {
    expect(approach(0, 0.3, 2, 4, 10)).toBe(0.3);
    expect(approach(0.9, -0.3, 2, 4, 10)).toBe(-0.3);
  });
});

describe('keyboard steering', () => {
  it('a held key turns the wheel gradually, not at once', () => {
    const one = stepKeyboardDrive(CENTRED, { keys: LEFT, dt: DT });
    expect(one.steer).toBeCloseTo(S.steerRate * DT, 12);
    const tenth = hold(CENTRED, LEFT, 0.1);
    expect(tenth.steer).toBeCloseTo(S.steerRate * 0.1, 9);
    expect(hold(CENTRED, RIGHT, 0.1).steer).toBeCloseTo(-S.steerRate * 0.1, 9);
  });

  it('reaches full lock at a standstill and stays there', () => {
    expect(hold(CENTRED, LEFT, 2).steer).toBe(1);
    expect(hold(CENTRED, RIGHT, 2).steer).toBe(-1);
  });

  it('recentres when released, faster than it turned', () => {
    const full = hold(CENTRED, LEFT, 2);
    const back = hold(full, NO_KEYS, 1 / S.steerReturnRate + DT);
    expect(back.steer).toBe(0);
    // After the time it took to reach full lock, it is long centred; after half the return time, it is halfway.
    const half = hold(full, NO_KEYS, 0.5 / S.steerReturnRate);
    expect(half.steer).toBeCloseTo(0.5, 1);
  });

  it('turns into quick short inputs: recorded steering takes many values, not just -1, 0, 1', () => {
    let s = CENTRED;
    const seen = new Set<number>();
    // Tapping left: 4 ticks on, 8 off, repeatedly, as a player corrects on a straight.
    for (let i = 0; i < 120; i++) {
      s = stepKeyboardDrive(s, { keys: i % 12 < 4 ? LEFT : NO_KEYS, dt: DT });
      seen.add(Math.round(s.steer * 1000));
    }
    expect(seen.size).toBeGreaterThan(5);
    expect(Math.max(...seen) / 1000).toBeLessThan(0.2);
  });

  it('both steering keys together recentre', () => {
    expect(hold(hold(CENTRED, LEFT, 0.2), { ...NO_KEYS, left: true, right: true }, 1).steer).toBe(0);
  });

  it('counter-steering passes through centre at the return rate', () => {
    const left = hold(CENTRED, LEFT, 2);
    expect(stepKeyboardDrive(left, { keys: RIGHT, dt: 1 / S.steerReturnRate }).steer).toBeCloseTo(0, 12);
    const through = stepKeyboardDrive(left, { keys: RIGHT, dt: 1 / S.steerReturnRate + 0.1 });
    expect(through.steer).toBeCloseTo(-S.steerRate * 0.1, 12);
  });

  it('gives less lock at speed when speed-sensitive, full lock when not', () => {
    expect(keyboardSteerLock(0, 1)).toBe(1);
    expect(keyboardSteerLock(20, 1)).toBeCloseTo(0.5, 12);
    expect(keyboardSteerLock(-20, 1)).toBeCloseTo(0.5, 12);
    expect(keyboardSteerLock(40, 1)).toBeCloseTo(0.2, 12);
    expect(keyboardSteerLock(40, 0)).toBe(1);
    expect(keyboardSteerLock(Number.NaN, 1)).toBe(1);
    const fast = hold(CENTRED, LEFT, 3, 30);
    expect(fast.steer).toBeCloseTo(keyboardSteerLock(30, S.speedSensitivity), 12);
    expect(fast.steer).toBeLessThan(0.6);
    const flat = stepKeyboardDrive(CENTRED, { keys: LEFT, dt: 3, speed: 30 }, { ...S, speedSensitivity: 0 });
    expect(flat.steer).toBe(1);
  });

  it('eases back to the smaller lock when the car speeds up with the key held', () => {
    const slow = hold(CENTRED, LEFT, 2, 0);
    const s = stepKeyboardDrive(slow, { keys: LEFT, dt: DT, speed: 40 });
    expect(s.steer).toBeCloseTo(1 - S.steerReturnRate * DT, 12);
  });

  it('one long step equals many short ones (exact for any dt)', () => {
    const keys: DriveKeys = { ...NO_KEYS, right: true, throttle: true };
    const start: KeyboardDriveState = { steer: 0.7, throttle: 0.1, brake: 0.6 };
    const long = stepKeyboardDrive(start, { keys, dt: 0.3 });
    const short = hold(start, keys, 0.3);
    expect(long.steer).toBeCloseTo(short.steer, 9);
    expect(long.throttle).toBeCloseTo(short.throttle, 9);
    expect(long.brake).toBeCloseTo(short.brake, 9);
  });

  it('returns the same state when nothing moves, and rejects a bad dt', () => {
    expect(stepKeyboardDrive(CENTRED, { keys: NO_KEYS, dt: DT })).toBe(CENTRED);
    expect(stepKeyboardDrive(CENTRED, { keys: LEFT, dt: 0 })).toBe(CENTRED);
    expect(() => stepKeyboardDrive(CENTRED, { keys: LEFT, dt: -1 })).toThrow(/dt/);
    expect(() => stepKeyboardDrive(CENTRED, { keys: LEFT, dt: Number.NaN })).toThrow(/dt/);
  });
});

describe('keyboard pedals', () => {
  it('throttle ramps up and down, and drives torque', () => {
    const up = { ...NO_KEYS, throttle: true };
    const s = hold(CENTRED, up, 0.1);
    expect(s.throttle).toBeCloseTo(S.pedalRiseRate * 0.1, 9);
    expect(keyboardControls(s).torque).toBeCloseTo(S.pedalRiseRate * 0.1, 9);
    const full = hold(CENTRED, up, 1);
    expect(keyboardControls(full)).toEqual({ steer: 0, torque: 1 });
    const lifted = hold(full, NO_KEYS, 0.05);
    expect(lifted.throttle).toBeCloseTo(1 - S.pedalFallRate * 0.05, 9);
  });

  it('brake gives negative torque and wins over throttle', () => {
    const both: DriveKeys = { ...NO_KEYS, throttle: true, brake: true };
    const s = hold(hold(CENTRED, { ...NO_KEYS, throttle: true }, 1), both, 1);
    expect(s.throttle).toBe(0);
    expect(s.brake).toBe(1);
    expect(keyboardControls(s).torque).toBe(-1);
  });
});
