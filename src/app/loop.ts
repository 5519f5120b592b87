// The main loop: a fixed-step simulation clock driven by animation frames. Frame time is
// clamped and catch-up steps are capped, so a slow frame (or a background tab) never makes the
// car jump or the simulation spiral; rendering gets how far the next tick is (alpha in 0..1)
// to interpolate between the last two ticks. The car behaves the same at 30, 60 or 144 fps.
// A tick may be held (`gate`): the rest of the frame's ticks and its draw wait, off the frame
// callback, until the gate settles; the held time counts toward the next frame, so the simulation
// keeps to wall time. The real-time autopilot holds the tick after a control tick for the
// prediction of that tick's frame (bounded by its own deadline), so the answer is applied at the
// next tick instead of waiting for the next animation frame.

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

/**
 * While paused, nothing moves on its own: frames are drawn at most this often (and at once when
 * the pause starts or something asks with `redraw`). Drawing a still picture at the display's
 * rate kept a core busy with software GL, the core a training worker or a lockstep run needs.
 */
export const PAUSED_FRAME_MS = 250;

export interface LoopCallbacks {
  /** Advance the simulation by one tick. */
  tick(): void;
  /** Draw; alpha is how far (0..1) the present lies between the last two ticks. */
  frame(alpha: number, frameMs: number): void;
  /**
   * Asked before each tick the frame clock runs (not runTicks): a promise holds that tick, the
   * rest of the frame's ticks and its draw until it settles (it must settle, and soon); null runs on.
   */
  gate?(): Promise<void> | null;
}

export interface Loop {
  start(): void;
  stop(): void;
  /** Paused: ticks stop; frames still draw (alpha 1), at most every PAUSED_FRAME_MS. */
  setPaused(paused: boolean): void;
  /** Draw at the next frame even if paused (a change the picture must show at once). */
  redraw(): void;
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
  /** Ms since the last paused draw; Infinity = draw at the next frame. */
  let sinceDraw = Infinity;
  /** A frame's ticks are held by a gate: animation frames meanwhile only wait (their time counts at the next). */
  let holding = false;

  /** Runs ticks `from`..`steps - 1` of a frame, then draws; returns early (and resumes) at a gate. */
  const runFrame = (from: number, steps: number, frameMs: number): void => {
    for (let i = from; i < steps; i++) {
      const gate = cb.gate?.() ?? null;
      if (gate) {
        holding = true;
        const resume = (): void => {
          holding = false;
          if (!running) return;
          if (paused) return cb.frame(1, frameMs); // paused while held: the held ticks are dropped
          cb.tick();
          runFrame(i + 1, steps, frameMs);
        };
        gate.then(resume, resume);
        return;
      }
      cb.tick();
    }
    cb.frame(lag / STEP_MS, frameMs);
  };

  const onFrame = (t: number): void => {
    if (!running) return;
    if (holding) {
      handle = clock.request(onFrame);
      return;
    }
    const frameMs = last < 0 ? 0 : t - last;
    last = t;
    if (!paused) {
      const r = accumulate(lag, frameMs);
      lag = r.lagMs;
      runFrame(0, r.steps, frameMs);
    } else {
      sinceDraw += frameMs;
      if (sinceDraw >= PAUSED_FRAME_MS) {
        sinceDraw = 0;
        cb.frame(1, frameMs);
      }
    }
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
      if (p && !paused) sinceDraw = Infinity;
      paused = p;
      lag = 0;
    },
    redraw() {
      sinceDraw = Infinity;
    },
    get paused() {
      return paused;
    },
    runTicks(n) {
      for (let i = 0; i < n; i++) cb.tick();
    },
  };
}
