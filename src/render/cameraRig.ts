// Where each camera stands and looks, as pure functions of the car's pose: the main view's
// chase, cockpit and top-down cameras, and the dash camera the model sees through (with its
// sideways-shifted, yawed twins for data augmentation). Results are in three.js coordinates
// (see coords.ts) and written into caller-owned objects: no allocation per frame.

import { toThree } from './coords.ts';
import type { CarPose } from './pose.ts';

export type CameraMode = 'chase' | 'cockpit' | 'top';
export const CAMERA_MODES: readonly CameraMode[] = ['chase', 'cockpit', 'top'];

/** A side camera: the dash camera moved sideways and turned (CameraSpec in src/data fits). */
export interface DashView {
  /** Sideways shift from the car's centreline, m, + = left. */
  readonly lateralM?: number;
  /** Yaw relative to the car's heading, rad, + = counter-clockwise (towards the left). */
  readonly yawRad?: number;
}

/** Where a camera is, three.js world coordinates; vertical field of view in degrees. */
export interface CameraPlacement {
  readonly eye: [number, number, number];
  readonly target: [number, number, number];
  readonly up: [number, number, number];
  fovDeg: number;
  near: number;
  far: number;
}

export function createPlacement(): CameraPlacement {
  return { eye: [0, 0, 0], target: [1, 0, 0], up: [0, 1, 0], fovDeg: 60, near: 0.5, far: 3000 };
}

/**
 * The dash camera's mount on the car: `forward` of the centre of mass and `height` above the
 * road (m), pitched down by `pitch` (rad), with a fixed horizontal field of view (deg). The
 * vertical field of view follows the frame's aspect, so every frame size sees the same width
 * of road.
 */
export const DASH_MOUNT = { forward: 0.4, height: 1.3, pitch: 0.09, hfovDeg: 96 } as const;

/** Vertical field of view, deg, that gives `hfovDeg` across a frame of the given aspect (w / h). */
export function verticalFov(hfovDeg: number, aspect: number): number {
  const h = (hfovDeg * Math.PI) / 180;
  return (2 * Math.atan(Math.tan(h / 2) / aspect) * 180) / Math.PI;
}

function set3(v: [number, number, number], x: number, y: number, z: number): void {
  v[0] = x;
  v[1] = y;
  v[2] = z;
}

/**
 * Places the dash camera for a car pose (optionally shifted and yawed: a side camera).
 * NOTE writes into out.
 */
export function placeDashCamera(pose: CarPose, aspect: number, view: DashView | undefined, out: CameraPlacement): CameraPlacement {
  const c = Math.cos(pose.heading);
  const s = Math.sin(pose.heading);
  const lateral = view?.lateralM ?? 0;
  // Mount point in sim coordinates: forward along the heading, then sideways (+ left).
  const x = pose.x + c * DASH_MOUNT.forward - s * lateral;
  const y = pose.y + s * DASH_MOUNT.forward + c * lateral;
  const look = pose.heading + (view?.yawRad ?? 0);
  const cp = Math.cos(DASH_MOUNT.pitch);
  toThree(x, y, DASH_MOUNT.height, out.eye);
  toThree(x + Math.cos(look) * cp * 10, y + Math.sin(look) * cp * 10, DASH_MOUNT.height - Math.sin(DASH_MOUNT.pitch) * 10, out.target);
  set3(out.up, 0, 1, 0);
  out.fovDeg = verticalFov(DASH_MOUNT.hfovDeg, aspect);
  out.near = 0.3;
  out.far = 1500;
  return out;
}

/** Chase camera distance behind and height above the car, m. */
const CHASE = { back: 7.2, height: 2.9, lookAhead: 5, lookHeight: 1.1, fovDeg: 62 } as const;

/**
 * Places the main camera. The chase camera's heading lags the car's by a share of the steering
 * angle (more with speed), so in a bend it swings towards the inside and shows the car's flank
 * as a smoothed follow camera would, while staying a pure function of the pose.
 * NOTE writes into out.
 */
export function placeMainCamera(mode: CameraMode, pose: CarPose, out: CameraPlacement): CameraPlacement {
  const c = Math.cos(pose.heading);
  const s = Math.sin(pose.heading);
  const speed = Math.abs(pose.speed);
  set3(out.up, 0, 1, 0);
  out.far = 3000;
  if (mode === 'chase') {
    const lag = pose.steerAngle * 0.6 * Math.min(1, speed / 12);
    const h = pose.heading - lag;
    const back = CHASE.back + Math.min(speed, 40) * 0.04;
    toThree(pose.x - Math.cos(h) * back, pose.y - Math.sin(h) * back, CHASE.height, out.eye);
    toThree(pose.x + c * CHASE.lookAhead, pose.y + s * CHASE.lookAhead, CHASE.lookHeight, out.target);
    out.fovDeg = CHASE.fovDeg;
    out.near = 0.5;
  } else if (mode === 'cockpit') {
    // Driver's eye: just behind the centre of mass on the left seat, over the bonnet (the
    // renderer leaves the roof out of this view).
    const x = pose.x - c * 0.2 - s * 0.36;
    const y = pose.y - s * 0.2 + c * 0.36;
    toThree(x, y, 1.3, out.eye);
    toThree(x + c * 20, y + s * 20, 0.8, out.target);
    out.fovDeg = 62;
    out.near = 0.05;
  } else {
    // Straight down from a height that grows with speed, the car's nose pointing up the screen.
    const height = 42 + Math.min(speed, 45) * 0.9;
    toThree(pose.x + c * 6, pose.y + s * 6, height, out.eye);
    toThree(pose.x + c * 6, pose.y + s * 6, 0, out.target);
    toThree(c, s, 0, out.up); // the heading direction: the nose points up the screen
    out.fovDeg = 50;
    out.near = 1;
  }
  return out;
}
