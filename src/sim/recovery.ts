// Recovery labels for side cameras. A side camera sees what the car would see had it drifted
// sideways by `lateralM` and turned by `yawRad`. Its label is the steering that brings such a car
// back to the centreline in about `horizonS` seconds: the steering actually applied, plus the
// difference between what pure pursuit of the centreline asks from the shifted pose and from the
// real one. The driver's own style (the applied steering) stays in the label; only the geometry
// of the offset is added. PilotNet labelled its shifted views the same way (with warped images).

import { clamp } from '../core/assert.ts';
import { atan2, cos, sin } from '../core/detmath.ts';
import { carSpeed } from './car.ts';
import { pointAt, wrapAngle } from './track.ts';
import type { World } from './world.ts';

/**
 * Pure pursuit of the centreline from a pose near the car, as a steer command (-1..1 of the
 * limit, unclamped), looking far enough ahead to rejoin the line in about `horizonS` seconds.
 */
export function centrelinePursuit(world: World, x: number, y: number, heading: number, horizonS = 2): number {
  const { track, params } = world;
  // Pure pursuit converges in about two lookahead-times: look half the horizon ahead.
  const lookahead = clamp((Math.max(carSpeed(world.car), 3) * horizonS) / 2, 6, 40);
  const L = params.frontAxle + params.rearAxle;
  const target = pointAt(track, world.trackPos.s + lookahead);
  const alpha = wrapAngle(atan2(target.y - y, target.x - x) - heading);
  const dist = Math.max(1, Math.sqrt((target.x - x) ** 2 + (target.y - y) ** 2));
  return atan2(2 * L * sin(alpha), dist) / params.maxSteer;
}

/** The steer label (-1..1) for a camera shifted by lateralM (+ left) and yawed by yawRad (+ left). */
export function recoverySteer(world: World, appliedSteer: number, lateralM: number, yawRad: number, horizonS = 2): number {
  const { car } = world;
  const sx = car.x - sin(car.heading) * lateralM;
  const sy = car.y + cos(car.heading) * lateralM;
  const shifted = centrelinePursuit(world, sx, sy, car.heading + yawRad, horizonS);
  const real = centrelinePursuit(world, car.x, car.y, car.heading, horizonS);
  return clamp(appliedSteer + shifted - real, -1, 1);
}
