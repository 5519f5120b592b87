// Real dash frames for the browser suites: the expert drives a preset track in the simulation
// and the real renderer (src/render) draws and reads back its dash camera every third tick
// (20 Hz, as recording and the autopilot do). Labels are what the recorder stores: the applied
// steering and torque and the car's speed.
import { carSpeed } from '../../src/sim/car.ts';
import { TICK_HZ } from '../../src/sim/constants.ts';
import { createExpert } from '../../src/sim/expert.ts';
import { presetTrack } from '../../src/sim/trackPresets.ts';
import { createWorld, stepWorld, type World } from '../../src/sim/world.ts';
import { createRenderer, poseOfCar, type CarPose, type Renderer } from '../../src/render/index.ts';

/** Ticks between dash frames: 20 Hz. */
export const DASH_EVERY = TICK_HZ / 20;
/** The measured speed (m/s) the timing suites feed a model that reads the speed (it costs the same at any value). */
export const BENCH_SPEED = 12;

export interface ExpertDrive {
  /** The car at every dash tick, and the world it was in. */
  readonly poses: CarPose[];
  readonly worlds: World[];
  /** count x 3: steering, speed (m/s), torque at each dash tick. */
  readonly targets: Float32Array;
}

/** `count` consecutive dash ticks of the expert on a preset (from the grid, after `skip` ticks). */
export function expertDrive(trackId: string, count: number, skip = 0): ExpertDrive {
  const track = presetTrack(trackId);
  const expert = createExpert(track);
  let world = createWorld(track);
  for (let i = 0; i < skip; i++) world = stepWorld(world, expert.control(world));
  const poses: CarPose[] = [];
  const worlds: World[] = [];
  const targets = new Float32Array(count * 3);
  for (let n = 0; n < count; n++) {
    for (let i = 0; i < DASH_EVERY; i++) world = stepWorld(world, expert.control(world));
    poses.push(poseOfCar(world.car));
    worlds.push(world);
    targets.set([world.applied.steer, carSpeed(world.car), world.applied.torque], n * 3);
  }
  return { poses, worlds, targets };
}

/** A canvas laid out at a CSS size (the renderer sizes the main view from it). Remove it when done. */
export function benchCanvas(width: number, height: number): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  canvas.style.display = 'block';
  document.body.appendChild(canvas);
  return canvas;
}

/** Runs `fn` with a renderer on a fresh canvas, then frees both. */
export async function withRenderer<T>(opts: { trackId: string; width?: number; height?: number; dashWidth?: number; dashHeight?: number }, fn: (r: Renderer) => Promise<T> | T): Promise<T> {
  const canvas = benchCanvas(opts.width ?? 320, opts.height ?? 180);
  const renderer = createRenderer({ canvas, track: presetTrack(opts.trackId), theme: 'day', dashWidth: opts.dashWidth ?? 200, dashHeight: opts.dashHeight ?? 66 });
  try {
    renderer.resize(opts.width ?? 320, opts.height ?? 180);
    return await fn(renderer);
  } finally {
    renderer.dispose();
    canvas.remove();
  }
}

/** The dash frames (RGB, row 0 at the top) of every pose, at the given size, one after another. */
export async function dashFrames(trackId: string, poses: readonly CarPose[], width: number, height: number): Promise<Uint8Array> {
  return withRenderer({ trackId, dashWidth: width, dashHeight: height }, (r) => {
    const fb = width * height * 3;
    const out = new Uint8Array(poses.length * fb);
    poses.forEach((p, i) => {
      const f = r.renderDash(p, undefined, out.subarray(i * fb, (i + 1) * fb));
      if (!f) throw new Error('the WebGL context was lost while rendering dash frames');
    });
    return out;
  });
}
