import { describe, expect, it } from 'vitest';
import { createPlacement, DASH_MOUNT, placeDashCamera, placeMainCamera, verticalFov } from './cameraRig.ts';
import type { CarPose } from './pose.ts';

const car = (heading: number, steerAngle = 0, speed = 20): CarPose => ({ x: 100, y: 50, heading, steerAngle, speed });
/** three (x, h, z) -> sim (x, y = -z). */
const sim = (v: readonly number[]): { x: number; y: number; h: number } => ({ x: v[0], y: -v[2], h: v[1] });

describe('dash camera', () => {
  it('sits on the car at bonnet height, looking along the heading and a little down', () => {
    for (const heading of [0, 1, 2.5, -2]) {
      const p = placeDashCamera(car(heading), 200 / 66, undefined, createPlacement());
      const eye = sim(p.eye);
      const target = sim(p.target);
      expect(eye.h).toBeCloseTo(DASH_MOUNT.height, 9);
      expect(eye.x).toBeCloseTo(100 + Math.cos(heading) * DASH_MOUNT.forward, 9);
      expect(eye.y).toBeCloseTo(50 + Math.sin(heading) * DASH_MOUNT.forward, 9);
      expect(Math.atan2(target.y - eye.y, target.x - eye.x)).toBeCloseTo(heading, 9);
      const run = Math.hypot(target.x - eye.x, target.y - eye.y);
      expect(Math.atan2(eye.h - target.h, run)).toBeCloseTo(DASH_MOUNT.pitch, 9);
    }
  });

  it('shifts side cameras to the left for + lateralM and turns them left for + yawRad', () => {
    const base = placeDashCamera(car(0), 3, undefined, createPlacement());
    const left = placeDashCamera(car(0), 3, { lateralM: 1.5, yawRad: 0.1 }, createPlacement());
    // Heading 0 (east): left is north, sim +y, which is three -Z.
    expect(sim(left.eye).y - sim(base.eye).y).toBeCloseTo(1.5, 9);
    expect(sim(left.eye).x).toBeCloseTo(sim(base.eye).x, 9);
    const look = Math.atan2(sim(left.target).y - sim(left.eye).y, sim(left.target).x - sim(left.eye).x);
    expect(look).toBeCloseTo(0.1, 9);
  });

  it('keeps the same horizontal field of view at every frame size', () => {
    for (const [w, h] of [[200, 66], [160, 64], [64, 32]]) {
      const p = placeDashCamera(car(0), w / h, undefined, createPlacement());
      const hfov = 2 * Math.atan(Math.tan((p.fovDeg * Math.PI) / 360) * (w / h));
      expect((hfov * 180) / Math.PI).toBeCloseTo(DASH_MOUNT.hfovDeg, 9);
    }
    expect(verticalFov(90, 1)).toBeCloseTo(90, 9);
  });
});

describe('main cameras', () => {
  it('chase: behind and above the car, looking ahead of it; swings inside a bend', () => {
    const heading = 0.7;
    const p = placeMainCamera('chase', car(heading), createPlacement());
    const eye = sim(p.eye);
    const back = (eye.x - 100) * Math.cos(heading) + (eye.y - 50) * Math.sin(heading);
    const side = -(eye.x - 100) * Math.sin(heading) + (eye.y - 50) * Math.cos(heading);
    expect(back).toBeLessThan(-5);
    expect(Math.abs(side)).toBeLessThan(1e-9);
    expect(eye.h).toBeGreaterThan(2);
    const target = sim(p.target);
    expect((target.x - 100) * Math.cos(heading) + (target.y - 50) * Math.sin(heading)).toBeGreaterThan(0);
    // Steering left, the camera's heading lags: it trails on the car's past arc, left of its line.
    const turning = sim(placeMainCamera('chase', car(heading, 0.3), createPlacement()).eye);
    expect(-(turning.x - 100) * Math.sin(heading) + (turning.y - 50) * Math.cos(heading)).toBeGreaterThan(0.5);
    // Standing still, no swing.
    const parked = sim(placeMainCamera('chase', car(heading, 0.3, 0), createPlacement()).eye);
    expect(-(parked.x - 100) * Math.sin(heading) + (parked.y - 50) * Math.cos(heading)).toBeCloseTo(0, 9);
    // A pure function of the pose: the same pose, the same camera.
    expect(placeMainCamera('chase', car(heading, 0.3), createPlacement())).toEqual(placeMainCamera('chase', car(heading, 0.3), createPlacement()));
  });

  it('top: straight down over the car with its nose up the screen', () => {
    const heading = -1.2;
    const p = placeMainCamera('top', car(heading), createPlacement());
    expect(p.eye[0]).toBeCloseTo(p.target[0], 9);
    expect(p.eye[2]).toBeCloseTo(p.target[2], 9);
    expect(p.eye[1]).toBeGreaterThan(30);
    // up vector = heading direction in three coordinates (cos h, 0, -sin h).
    expect(p.up[0]).toBeCloseTo(Math.cos(heading), 9);
    expect(p.up[2]).toBeCloseTo(-Math.sin(heading), 9);
  });

  it('cockpit: inside the car, at eye height, looking forward', () => {
    const p = placeMainCamera('cockpit', car(0), createPlacement());
    const eye = sim(p.eye);
    expect(Math.hypot(eye.x - 100, eye.y - 50)).toBeLessThan(1);
    expect(eye.h).toBeGreaterThan(0.9);
    expect(eye.h).toBeLessThan(1.4);
    expect(sim(p.target).x).toBeGreaterThan(eye.x + 5);
  });
});
