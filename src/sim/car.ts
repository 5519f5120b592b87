// The car: a dynamic bicycle model with saturating tyres, blended into a kinematic model at
// walking pace (where tyre slip angles are undefined), integrated in fixed sub-steps.
//
// Body frame: vx forward, vy to the left, yaw rate r counter-clockwise. SI units throughout.
// Controls: steer in -1..1 of the steering limit (reached at a limited rate), torque in -1..1
// (+ drives, - brakes; held at a standstill it reverses slowly).

import { atan2, cos, sin, tanh } from '../core/detmath.ts';
import { clamp } from '../core/assert.ts';
import { DT, GRAVITY } from './constants.ts';

export interface CarParams {
  /** kg */
  readonly mass: number;
  /** Yaw inertia, kg m^2. */
  readonly yawInertia: number;
  /** Centre of mass to front and rear axle, m. */
  readonly frontAxle: number;
  readonly rearAxle: number;
  /** Largest front-wheel angle, rad. */
  readonly maxSteer: number;
  /** How fast the wheels turn, rad/s. */
  readonly steerRate: number;
  /**
   * Cornering stiffness per axle as a multiple of the axle's load (1/rad). The rear is a little
   * stiffer and grips a little more, so the car understeers at the limit, as road cars are set
   * up to: too fast into a corner, it slides wide rather than spinning.
   */
  readonly corneringFront: number;
  readonly corneringRear: number;
  readonly rearGripFactor: number;
  /** Tyre-road friction coefficient on asphalt and off the road. */
  readonly gripRoad: number;
  readonly gripOffRoad: number;
  /** Peak drive force (N) and engine power (W): force is min(peak, power / speed). */
  readonly driveForce: number;
  readonly power: number;
  /** Peak braking force, N. */
  readonly brakeForce: number;
  /** Reverse: force (N) and speed limit (m/s). */
  readonly reverseForce: number;
  readonly reverseSpeed: number;
  /** Aerodynamic drag: F = dragCoefficient * v^2 (N), i.e. 0.5 rho Cd A. */
  readonly dragCoefficient: number;
  /** Rolling resistance coefficients on and off the road (grass drags). */
  readonly rollingRoad: number;
  readonly rollingOffRoad: number;
  /** Physics sub-steps per simulation tick. */
  readonly substeps: number;
}

export const DEFAULT_CAR: CarParams = {
  mass: 1200,
  yawInertia: 1800,
  frontAxle: 1.15,
  rearAxle: 1.45,
  maxSteer: 0.4,
  steerRate: 1.4,
  corneringFront: 11,
  corneringRear: 12.5,
  rearGripFactor: 1.08,
  gripRoad: 1.0,
  gripOffRoad: 0.55,
  driveForce: 6500,
  power: 60000,
  brakeForce: 11000,
  reverseForce: 2500,
  reverseSpeed: 5,
  dragCoefficient: 0.55,
  rollingRoad: 0.015,
  rollingOffRoad: 0.15,
  substeps: 4,
};

export interface CarState {
  /** Position of the centre of mass, m. */
  readonly x: number;
  readonly y: number;
  /** Heading, rad (unwrapped: it may grow past pi). */
  readonly heading: number;
  /** Body-frame velocity, m/s. */
  readonly vx: number;
  readonly vy: number;
  /** Yaw rate, rad/s. */
  readonly yawRate: number;
  /** Front-wheel angle, rad. */
  readonly steerAngle: number;
}

export interface CarInput {
  /** -1..1 of maxSteer, + is left. */
  steer: number;
  /** -1..1: + throttle, - brake (reverse when stopped). */
  torque: number;
  /** Whether the car is off the road (less grip, more drag). */
  offRoad: boolean;
}

export function restingCar(x: number, y: number, heading: number): CarState {
  return { x, y, heading, vx: 0, vy: 0, yawRate: 0, steerAngle: 0 };
}

/** Speed over ground, m/s (signed: negative when reversing). */
export function carSpeed(c: CarState): number {
  const v = Math.sqrt(c.vx * c.vx + c.vy * c.vy);
  return c.vx < 0 ? -v : v;
}

/** Longitudinal force from the torque command, before resistance, N. */
function commandForce(p: CarParams, torque: number, vx: number, grip: number): number {
  const traction = grip * p.mass * GRAVITY;
  if (torque >= 0) {
    if (vx < -0.1) return torque * Math.min(p.brakeForce, traction); // throttle while rolling back brakes
    return torque * Math.min(p.driveForce, p.power / Math.max(vx, 1), traction);
  }
  if (vx > 0.5) return torque * Math.min(p.brakeForce, traction); // braking
  return vx > -p.reverseSpeed ? torque * p.reverseForce : 0; // reversing, up to its speed limit
}

/** Advances the car by one tick (DT). Pure: returns a new state. */
export function stepCar(car: CarState, input: CarInput, p: CarParams = DEFAULT_CAR): CarState {
  const L = p.frontAxle + p.rearAxle;
  const grip = input.offRoad ? p.gripOffRoad : p.gripRoad;
  const rolling = input.offRoad ? p.rollingOffRoad : p.rollingRoad;
  const fzFront = (p.mass * GRAVITY * p.rearAxle) / L;
  const fzRear = (p.mass * GRAVITY * p.frontAxle) / L;
  const h = DT / p.substeps;

  const target = clamp(input.steer, -1, 1) * p.maxSteer;
  const maxDelta = p.steerRate * DT;
  const steerAngle = car.steerAngle + clamp(target - car.steerAngle, -maxDelta, maxDelta);
  const torque = clamp(input.torque, -1, 1);
  const sd = sin(steerAngle);
  const cd = cos(steerAngle);
  const tanDelta = sd / cd;
  // The kinematic model's slip angle depends on the steering only: once per tick, not per sub-step.
  const beta = atan2(p.rearAxle * tanDelta, L);
  const cosBeta = cos(beta);
  const tanBeta = sin(beta) / cosBeta;

  let { x, y, heading, vx, vy, yawRate: r } = car;
  for (let k = 0; k < p.substeps; k++) {
    const fx = commandForce(p, torque, vx, grip);
    const resist = rolling * p.mass * GRAVITY + p.dragCoefficient * vx * vx;
    // Weight of the dynamic model: tyre slip is meaningless at walking pace, exact above ~5 m/s.
    const w = clamp((Math.sqrt(vx * vx + vy * vy) - 2) / 3, 0, 1);

    // Tyres: dynamic bicycle with saturating lateral force. The traction the longitudinal force
    // uses leaves less for cornering (friction circle per axle, shared evenly).
    let fyF = 0;
    let fyR = 0;
    if (w > 0) {
      const useF = Math.min(0.95, Math.abs(fx) / (grip * p.mass * GRAVITY));
      const circle = Math.sqrt(1 - useF * useF);
      const capFront = grip * fzFront * circle;
      const capRear = grip * p.rearGripFactor * fzRear * circle;
      const along = vx < 0 ? -vx : vx;
      const alphaF = atan2(vy + p.frontAxle * r, along) - (vx < 0 ? -steerAngle : steerAngle);
      const alphaR = atan2(vy - p.rearAxle * r, along);
      fyF = -capFront * tanh((p.corneringFront * fzFront * alphaF) / capFront);
      fyR = -capRear * tanh((p.corneringRear * fzRear * alphaR) / capRear);
    }

    // Longitudinal: drive or brake, the body-frame coupling (vy r) and the front tyre's share,
    // then resistance, which may stop the car but never reverses it.
    let vxNew = vx + (fx / p.mass + w * (vy * r - (fyF * sd) / p.mass)) * h;
    const resistDv = (resist / p.mass) * h;
    if (vxNew > 0) vxNew = Math.max(0, vxNew - resistDv);
    else if (vxNew < 0) vxNew = Math.min(0, vxNew + resistDv);
    if (torque < 0 && vx > 0 && vxNew < 0) vxNew = 0; // brakes stop the car; reverse starts from rest

    const vyDyn = vy + ((fyF * cd + fyR) / p.mass - vx * r) * h;
    const rDyn = r + ((p.frontAxle * fyF * cd - p.rearAxle * fyR) / p.yawInertia) * h;
    // Kinematic (no slip) motion at the same speed: exact at low speed.
    const rKin = (vxNew * cosBeta * tanDelta) / L;
    const vyKin = vxNew * tanBeta;
    vy = w * vyDyn + (1 - w) * vyKin;
    r = w * rDyn + (1 - w) * rKin;
    vx = vxNew;

    heading += r * h;
    const ch = cos(heading);
    const sh = sin(heading);
    x += (vx * ch - vy * sh) * h;
    y += (vx * sh + vy * ch) * h;
  }
  return { x, y, heading, vx, vy, yawRate: r, steerAngle };
}
