import { afterEach, describe, expect, it } from 'vitest';
import type { PolledGamepad } from './gamepad.ts';
import type { GamepadReading } from './gamepadMap.ts';
import { combineHumanInput, createHumanInput, type HumanInput } from './humanInput.ts';
import { CENTRED, NO_KEYS } from './keyboardDrive.ts';
import { DEFAULT_INPUT_SETTINGS as S } from './settings.ts';

const IDLE_PAD: GamepadReading = { steer: 0, throttle: 0, brake: 0, steerActivity: 0, intents: [], held: [] };

describe('combineHumanInput', () => {
  it('with nothing pressed: no controls, no device, no takeover', () => {
    expect(combineHumanInput({ keys: NO_KEYS, keyboard: CENTRED, gamepad: null })).toEqual({
      controls: { steer: 0, torque: 0 }, activity: 0, takeover: false, device: null,
    });
  });

  it('steers with whichever device steers harder', () => {
    const s = combineHumanInput({ keys: { ...NO_KEYS, left: true }, keyboard: { ...CENTRED, steer: 0.3 }, gamepad: { ...IDLE_PAD, steer: -0.6, steerActivity: 0.6 } });
    expect(s.controls.steer).toBe(-0.6);
    expect(s.device).toBe('gamepad');
    const k = combineHumanInput({ keys: { ...NO_KEYS, left: true }, keyboard: { ...CENTRED, steer: 0.3 }, gamepad: IDLE_PAD });
    expect(k.controls.steer).toBe(0.3);
    expect(k.device).toBe('keyboard');
  });

  it('torque is the larger throttle minus the larger brake', () => {
    const s = combineHumanInput({ keys: NO_KEYS, keyboard: { ...CENTRED, throttle: 0.4 }, gamepad: { ...IDLE_PAD, throttle: 0.9, brake: 0.2 } });
    expect(s.controls.torque).toBeCloseTo(0.7, 12);
  });

  it('a held steering or brake key takes over at once, before the smoothing has moved', () => {
    expect(combineHumanInput({ keys: { ...NO_KEYS, right: true }, keyboard: CENTRED, gamepad: null }).takeover).toBe(true);
    expect(combineHumanInput({ keys: { ...NO_KEYS, brake: true }, keyboard: CENTRED, gamepad: null }).takeover).toBe(true);
  });

  it('throttle alone never takes over', () => {
    const s = combineHumanInput({ keys: { ...NO_KEYS, throttle: true }, keyboard: { ...CENTRED, throttle: 1 }, gamepad: { ...IDLE_PAD, throttle: 1 } });
    expect(s.activity).toBe(0);
    expect(s.takeover).toBe(false);
    expect(s.device).toBe('keyboard');
  });

  it('the stick takes over only past the threshold', () => {
    const small = combineHumanInput({ keys: NO_KEYS, keyboard: CENTRED, gamepad: { ...IDLE_PAD, steer: 0.05, steerActivity: S.takeoverThreshold * 0.9 } });
    expect(small.takeover).toBe(false);
    const big = combineHumanInput({ keys: NO_KEYS, keyboard: CENTRED, gamepad: { ...IDLE_PAD, steer: 0.1, steerActivity: S.takeoverThreshold * 1.1 } });
    expect(big.takeover).toBe(true);
    const brake = combineHumanInput({ keys: NO_KEYS, keyboard: CENTRED, gamepad: { ...IDLE_PAD, brake: 0.5 } });
    expect(brake.takeover).toBe(true);
    expect(combineHumanInput({ keys: NO_KEYS, keyboard: CENTRED, gamepad: { ...IDLE_PAD, brake: 0.5 } }, { ...S, takeoverThreshold: 0.5 }).takeover).toBe(false);
  });

  it('both steering keys at once are no steering input', () => {
    expect(combineHumanInput({ keys: { ...NO_KEYS, left: true, right: true }, keyboard: CENTRED, gamepad: null }).takeover).toBe(false);
  });
});

function keyEvent(type: string, code: string, key: string): Event {
  return Object.assign(new Event(type, { cancelable: true }), { code, key, repeat: false });
}

describe('createHumanInput', () => {
  let input: HumanInput;
  afterEach(() => input.dispose());

  it('smooths held keys per tick, merges the polled pad, and queues intents from both', () => {
    const target = new EventTarget();
    const buttons = Array.from({ length: 17 }, (_, i) => ({ pressed: i === 9, value: i === 9 ? 1 : 0 }));
    let pads: (PolledGamepad | null)[] = [{ index: 0, id: 'pad', connected: true, axes: [0, 0, 0, 0], buttons }];
    input = createHumanInput({ keyboard: { target, visibility: new EventTarget(), isHidden: () => false }, gamepad: { getGamepads: () => pads } });

    target.dispatchEvent(keyEvent('keydown', 'ArrowLeft', 'ArrowLeft'));
    target.dispatchEvent(keyEvent('keydown', 'KeyR', 'r'));
    expect(input.poll()).toEqual(['reset', 'pause']);
    const a = input.sample(1 / 60, 0);
    expect(a.controls.steer).toBeCloseTo(S.steerRate / 60, 12);
    expect(a.takeover).toBe(true);
    const b = input.sample(1 / 60, 0);
    expect(b.controls.steer).toBeCloseTo((2 * S.steerRate) / 60, 12);
    expect(input.lastDevice).toBe('keyboard');
    expect(input.gamepadId).toBe('pad');

    target.dispatchEvent(keyEvent('keyup', 'ArrowLeft', 'ArrowLeft'));
    pads = [{ index: 0, id: 'pad', connected: true, axes: [0, 0, 0, 0], buttons: buttons.map((x, i) => (i === 7 ? { pressed: true, value: 1 } : { pressed: false, value: 0 })) }];
    expect(input.poll()).toEqual([]);
    const c = input.sample(1 / 60, 0);
    expect(c.controls.torque).toBe(1);
    expect(c.takeover).toBe(false);
    expect(input.lastDevice).toBe('gamepad');
  });

  it('a pad press seen during a tick is reported by the next poll, once', () => {
    const buttons = (pressed: boolean) => Array.from({ length: 17 }, (_, i) => ({ pressed: pressed && i === 3, value: pressed && i === 3 ? 1 : 0 }));
    let pads: (PolledGamepad | null)[] = [{ index: 0, id: 'pad', connected: true, axes: [0, 0, 0, 0], buttons: buttons(false) }];
    input = createHumanInput({ keyboard: { target: new EventTarget(), visibility: new EventTarget() }, gamepad: { getGamepads: () => pads } });
    expect(input.poll()).toEqual([]);
    pads = [{ index: 0, id: 'pad', connected: true, axes: [0, 0, 0, 0], buttons: buttons(true) }];
    input.sample(1 / 60, 0);
    pads = [{ index: 0, id: 'pad', connected: true, axes: [0, 0, 0, 0], buttons: buttons(false) }];
    input.sample(1 / 60, 0);
    expect(input.poll()).toEqual(['reset']);
    expect(input.poll()).toEqual([]);
  });

  it('clear() centres the wheel and forgets keys', () => {
    const target = new EventTarget();
    input = createHumanInput({ keyboard: { target, visibility: new EventTarget(), isHidden: () => false }, gamepad: { getGamepads: () => [] } });
    target.dispatchEvent(keyEvent('keydown', 'ArrowRight', 'ArrowRight'));
    for (let i = 0; i < 30; i++) input.sample(1 / 60, 0);
    input.clear();
    expect(input.sample(1 / 60, 0).controls).toEqual({ steer: 0, torque: 0 });
  });
});
