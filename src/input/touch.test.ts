// The pure half of touch play: the pad's analog steering, the pedals' ramps, the merge.
import { describe, expect, it } from 'vitest';
import { mergeTouch, NO_TOUCH, padSteer, stepPedal } from './touch.ts';

const idle = { controls: { steer: 0, torque: 0 }, activity: 0, takeover: false, device: null } as const;

describe('touch controls', () => {
  it('steers in proportion to the finger travel, full lock at 80% of the half-width', () => {
    expect(padSteer(0, 200)).toBe(0);
    expect(padSteer(40, 200)).toBeCloseTo(0.5);
    expect(padSteer(-80, 200)).toBeCloseTo(-1);
    expect(padSteer(500, 200)).toBe(1);
  });

  it('ramps the pedals in and out', () => {
    let v = 0;
    v = stepPedal(v, true, 0.1);
    expect(v).toBeCloseTo(0.4);
    v = stepPedal(v, true, 1);
    expect(v).toBe(1);
    expect(stepPedal(v, false, 0.05)).toBeCloseTo(0.6);
  });

  it('merges with the keyboard: the harder steer wins, steering on screen takes over', () => {
    expect(mergeTouch(idle, NO_TOUCH, 0.15)).toBe(idle);
    // A finger left of centre steers left: Controls' + is left, a reading's + is right.
    const m = mergeTouch(idle, { steer: -0.6, throttle: 0.5, brake: 0, active: true }, 0.15);
    expect(m.controls).toEqual({ steer: 0.6, torque: 0.5 });
    expect(mergeTouch(idle, { steer: 0.6, throttle: 0, brake: 0, active: true }, 0.15).controls.steer).toBe(-0.6);
    expect(m.takeover).toBe(true);
    expect(m.device).toBe('touch');
    const gasOnly = mergeTouch(idle, { steer: 0, throttle: 1, brake: 0, active: true }, 0.15);
    expect(gasOnly.takeover).toBe(false); // speeding up is not taking the wheel
    const key = { controls: { steer: 0.9, torque: -1 }, activity: 1, takeover: true, device: 'keyboard' } as const;
    expect(mergeTouch(key, { steer: 0.2, throttle: 0, brake: 0, active: true }, 0.15).controls).toEqual({ steer: 0.9, torque: -1 });
  });
});
