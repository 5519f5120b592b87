import { describe, expect, it } from 'vitest';
import { restingCar } from '../sim/car.ts';
import { interpolatePose, poseOfCar, type CarPose } from './pose.ts';

const pose = (x: number, y: number, heading: number, steerAngle = 0, speed = 0): CarPose => ({ x, y, heading, steerAngle, speed });

describe('interpolatePose', () => {
  it('returns the end poses at alpha 0 and 1 and blends linearly between', () => {
    const a = pose(0, 0, 0.2, -0.1, 10);
    const b = pose(2, -4, 0.4, 0.3, 12);
    expect(interpolatePose(a, b, 0)).toEqual(a);
    const end = interpolatePose(a, b, 1);
    for (const k of ['x', 'y', 'heading', 'steerAngle', 'speed'] as const) expect(end[k]).toBeCloseTo(b[k], 12);
    const mid = interpolatePose(a, b, 0.25);
    expect(mid.x).toBeCloseTo(0.5, 12);
    expect(mid.y).toBeCloseTo(-1, 12);
    expect(mid.heading).toBeCloseTo(0.25, 12);
    expect(mid.steerAngle).toBeCloseTo(0, 12);
    expect(mid.speed).toBeCloseTo(10.5, 12);
  });

  it('turns the short way across the +-pi wrap', () => {
    const mid = interpolatePose(pose(0, 0, 3.1), pose(0, 0, -3.1), 0.5);
    // Halfway between 3.1 and -3.1 the short way is pi (not 0, which is the long way round).
    expect(Math.cos(mid.heading)).toBeCloseTo(-1, 3);
    expect(mid.heading).toBeGreaterThan(3.1);
  });

  it('keeps unwrapped headings unwrapped (a car on its fifth lap)', () => {
    const a = pose(0, 0, 10 * Math.PI + 0.1);
    const b = pose(0, 0, 10 * Math.PI + 0.3);
    expect(interpolatePose(a, b, 0.5).heading).toBeCloseTo(10 * Math.PI + 0.2, 10);
    // b given wrapped while a is unwrapped: still the short way, continuing a's winding.
    const bw = pose(0, 0, 0.3);
    expect(interpolatePose(a, bw, 0.5).heading).toBeCloseTo(10 * Math.PI + 0.2, 10);
  });

  it('clamps alpha to [0, 1] (a late frame never extrapolates)', () => {
    const a = pose(0, 0, 0);
    const b = pose(1, 0, 0);
    expect(interpolatePose(a, b, 1.7).x).toBe(1);
    expect(interpolatePose(a, b, -0.5).x).toBe(0);
  });
});

describe('poseOfCar', () => {
  it('takes position, heading and steering from the car, and a signed speed', () => {
    const car = { ...restingCar(5, 6, 1.2), vx: -3, vy: 4, steerAngle: 0.25 };
    expect(poseOfCar(car)).toEqual({ x: 5, y: 6, heading: 1.2, steerAngle: 0.25, speed: -5 });
  });
});
