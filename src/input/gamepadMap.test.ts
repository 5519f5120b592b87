import { describe, expect, it } from 'vitest';
import { GAMEPAD_INTENT_BUTTONS, type GamepadSnapshot, pastDeadzone, readGamepad, shapeStick } from './gamepadMap.ts';
import { DEFAULT_INPUT_SETTINGS as S, type InputSettings } from './settings.ts';

/** A standard-layout pad: 17 buttons, 4 axes. */
function pad(opts: { x?: number; lt?: number; rt?: number; pressed?: number[] } = {}): GamepadSnapshot {
  const buttons = Array.from({ length: 17 }, (_, i) => ({ pressed: opts.pressed?.includes(i) ?? false, value: opts.pressed?.includes(i) ? 1 : 0 }));
  if (opts.lt !== undefined) buttons[6] = { pressed: opts.lt > 0.5, value: opts.lt };
  if (opts.rt !== undefined) buttons[7] = { pressed: opts.rt > 0.5, value: opts.rt };
  return { axes: [opts.x ?? 0, 0, 0, 0], buttons };
}

const LINEAR: InputSettings = { ...S, gamepadDeadzone: 0.1, gamepadSensitivity: 1, gamepadCurve: 1, triggerDeadzone: 0.1 };

describe('gamepad mapping', () => {
  it('ignores travel inside the deadzone and rescales the rest to 0..1', () => {
    expect(pastDeadzone(0.05, 0.1)).toBe(0);
    expect(pastDeadzone(-0.1, 0.1)).toBe(0);
    expect(pastDeadzone(0.55, 0.1)).toBeCloseTo(0.5, 12);
    expect(pastDeadzone(1, 0.1)).toBe(1);
    expect(pastDeadzone(Number.NaN, 0.1)).toBe(0);
  });

  it('stick right steers right (negative), stick left steers left', () => {
    expect(readGamepad(pad({ x: 1 }), [], LINEAR).steer).toBe(-1);
    expect(readGamepad(pad({ x: -1 }), [], LINEAR).steer).toBe(1);
    expect(readGamepad(pad({ x: -0.55 }), [], LINEAR).steer).toBeCloseTo(0.5, 12);
    expect(Object.is(readGamepad(pad({ x: 0.05 }), [], LINEAR).steer, 0)).toBe(true);
  });

  it('curve makes the centre finer, sensitivity scales and clamps', () => {
    expect(shapeStick(0.55, { ...LINEAR, gamepadCurve: 2 })).toBeCloseTo(0.25, 12);
    expect(shapeStick(-0.55, { ...LINEAR, gamepadCurve: 2 })).toBeCloseTo(-0.25, 12);
    expect(shapeStick(0.55, { ...LINEAR, gamepadSensitivity: 1.5 })).toBeCloseTo(0.75, 12);
    expect(shapeStick(0.9, { ...LINEAR, gamepadSensitivity: 3 })).toBe(1);
  });

  it('right trigger drives, left trigger brakes, each past its deadzone', () => {
    const r = readGamepad(pad({ rt: 0.55, lt: 0.05 }), [], LINEAR);
    expect(r.throttle).toBeCloseTo(0.5, 12);
    expect(r.brake).toBe(0);
    expect(readGamepad(pad({ lt: 1 }), [], LINEAR).brake).toBe(1);
  });

  it('digital triggers (pressed, value 0) count as full', () => {
    const p = pad();
    const buttons = p.buttons.map((b, i) => (i === 7 ? { pressed: true, value: 0 } : b));
    expect(readGamepad({ axes: p.axes, buttons }, [], LINEAR).throttle).toBe(1);
  });

  it('a pad with fewer axes and buttons reads as idle, not as an error', () => {
    const r = readGamepad({ axes: [], buttons: [] }, [], LINEAR);
    expect(r).toMatchObject({ steer: 0, throttle: 0, brake: 0, steerActivity: 0, intents: [] });
  });

  it('reports steering activity before sensitivity and curve', () => {
    const r = readGamepad(pad({ x: 0.55 }), [], { ...LINEAR, gamepadCurve: 3, gamepadSensitivity: 0.25 });
    expect(r.steerActivity).toBeCloseTo(0.5, 12);
    expect(Math.abs(r.steer)).toBeLessThan(0.05);
  });

  it('fires an intent once per press', () => {
    const start = GAMEPAD_INTENT_BUTTONS.find((b) => b.intent === 'pause')!.button;
    const reset = GAMEPAD_INTENT_BUTTONS.find((b) => b.intent === 'reset')!.button;
    const first = readGamepad(pad({ pressed: [start] }), [], LINEAR);
    expect(first.intents).toEqual(['pause']);
    const still = readGamepad(pad({ pressed: [start] }), first.held, LINEAR);
    expect(still.intents).toEqual([]);
    const both = readGamepad(pad({ pressed: [start, reset] }), still.held, LINEAR);
    expect(both.intents).toEqual(['reset']);
    const up = readGamepad(pad(), both.held, LINEAR);
    expect(up.intents).toEqual([]);
    expect(readGamepad(pad({ pressed: [start] }), up.held, LINEAR).intents).toEqual(['pause']);
  });
});
