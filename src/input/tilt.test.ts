import { describe, expect, it } from 'vitest';
import { DEAD_ZONE_DEG, FULL_LOCK_DEG, tiltSteer, wheelAngle } from './tilt.ts';

describe('tilt steering', () => {
  it('is zero around level, analog past the dead zone, full lock at FULL_LOCK_DEG', () => {
    expect(tiltSteer(0)).toBe(0);
    expect(tiltSteer(DEAD_ZONE_DEG)).toBe(0);
    expect(tiltSteer(-DEAD_ZONE_DEG / 2)).toBe(0);
    expect(tiltSteer((FULL_LOCK_DEG + DEAD_ZONE_DEG) / 2)).toBeCloseTo(0.5);
    expect(tiltSteer(-FULL_LOCK_DEG)).toBe(-1);
    expect(tiltSteer(90)).toBe(1);
    expect(tiltSteer(Number.NaN)).toBe(0);
  });

  it('reads the axis the screen is turned to', () => {
    expect(wheelAngle(10, 20, 0)).toBe(20); // portrait: gamma
    expect(wheelAngle(10, 20, 180)).toBe(-20);
    expect(wheelAngle(10, 20, 90)).toBe(10); // landscape: beta, by side
    expect(wheelAngle(10, 20, 270)).toBe(-10);
    expect(wheelAngle(10, 20, -90)).toBe(-10);
  });
});
