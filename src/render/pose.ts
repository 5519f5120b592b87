// What the renderer needs to know about a car, and the blend between two simulation ticks that
// lets the views run at the display's rate while the simulation steps at a fixed 60 Hz.

import { carSpeed, type CarState } from '../sim/car.ts';
import { wrapAngle } from '../sim/track.ts';

/** A car as the views see it, in sim coordinates (see coords.ts). */
export interface CarPose {
  /** Centre of mass, m. */
  readonly x: number;
  readonly y: number;
  /** Heading, rad CCW from +x (wrapped or unwrapped: both work). */
  readonly heading: number;
  /** Front-wheel angle, rad, + = left. */
  readonly steerAngle: number;
  /** Speed over ground, m/s (negative when reversing). */
  readonly speed: number;
}

/** The pose of a simulated car. */
export function poseOfCar(car: CarState): CarPose {
  return { x: car.x, y: car.y, heading: car.heading, steerAngle: car.steerAngle, speed: carSpeed(car) };
}

/**
 * The pose a fraction `alpha` (0 = a, 1 = b) of the way from tick a to tick b. Headings blend
 * along the shorter way round, so a wrap from +pi to -pi does not spin the car; the result
 * continues a's winding (it stays unwrapped if a was).
 */
export function interpolatePose(a: CarPose, b: CarPose, alpha: number): CarPose {
  const t = alpha < 0 ? 0 : alpha > 1 ? 1 : alpha;
  return {
    x: a.x + (b.x - a.x) * t,
    y: a.y + (b.y - a.y) * t,
    heading: a.heading + wrapAngle(b.heading - a.heading) * t,
    steerAngle: a.steerAngle + (b.steerAngle - a.steerAngle) * t,
    speed: a.speed + (b.speed - a.speed) * t,
  };
}
