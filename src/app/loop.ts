// The main loop: a fixed-step simulation clock driven by animation frames. Frame time is
// clamped and catch-up steps are capped, so a slow frame (or a background tab) never makes the
// car jump or the simulation spiral; rendering gets how far the next tick is (alpha in 0..1)
// to interpolate between the last two ticks. The car behaves the same at 30, 60 or 144 fps.

import { TICK_HZ } from '../sim/constants.ts';

/** The one door to the browser's frame clock (rAF). Tests pass a manual clock instead. */
export interface FrameClock {
  now(): number;
  request(cb: (timeMs: number) => void): number;
  cancel(id: number): void;
}

export const browserFrameClock: FrameClock = {
  now: () => performance.now(),
  request: (cb) => requestAnimationFrame(cb),
  cancel: (id) => cancelAnimationFrame(id),
};

export const STEP_MS = 1000 / TICK_HZ;
/** A frame longer than this counts as this long (tab switches, debugger pauses). */
export const MAX_FRAME_MS = 250;
/** Most ticks one frame may run; the rest of the backlog is dropped. */
export const MAX_STEPS_PER_FRAME = 8;

/**
 * The accumulator rule, pure: given the carried-over lag and this frame's duration, how many
 * ticks to run and the lag left. Rendering interpolates by lag / STEP_MS.
 */
export function accumulate(lagMs: number, frameMs: number, stepMs = STEP_MS, maxSteps = MAX_STEPS_PER_FRAME): { steps: number; lagMs: number } {
  let lag = lagMs + Math.min(Math.max(frameMs, 0), MAX_FRAME_MS);
  let steps = Math.floor(lag / stepMs);
  lag -= steps * stepMs;
  if (steps > maxSteps) {
    steps = maxSteps;
    lag = Math.min(lag, stepMs); // drop the backlog rather than spiral
  }
  return { steps, lagMs: lag };
}

export interface LoopCallbacks {
  /** Advance the simulation by one tick. */
  tick(): void;
  /** Draw; alpha is how far (0..1) the present lies between the last two ticks. */
  frame(alpha: number, frameMs: number): void;
}

export interface Loop {
  start(): void;
  stop(): void;
  /** Paused: frames still draw (alpha 1), ticks stop. */
  setPaused(paused: boolean): void;
  readonly paused: boolean;
  /** Run n ticks now, outside the frame clock (test hook, lockstep autopilot). */
  runTicks(n: number): void;
}

export function createLoop(cb: LoopCallbacks, clock: FrameClock = browserFrameClock): Loop {
  let lag = 0;
  let last = -1;
  let handle = -1;
  let paused = false;
  let running = false;

  const onFrame = (t: number): void => {
    if (!running) return;
    const frameMs = last < 0 ? 0 : t - last;
    last = t;
    if (!paused) {
      const r = accumulate(lag, frameMs);
      lag = r.lagMs;
      for (let i = 0; i < r.steps; i++) cb.tick();
    }
    cb.frame(paused ? 1 : lag / STEP_MS, frameMs);
    handle = clock.request(onFrame);
  };

  return {
    start() {
      if (running) return;
      running = true;
      last = -1;
      handle = clock.request(onFrame);
    },
    stop() {
      running = false;
      clock.cancel(handle);
    },
    setPaused(p) {
      paused = p;
      lag = 0;
    },
    get paused() {
      return paused;
    },
    runTicks(n) {
      for (let i = 0; i < n; i++) cb.tick();
    },
  };
}
