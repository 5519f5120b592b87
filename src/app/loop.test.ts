import { describe, expect, it } from 'vitest';
import { accumulate, createLoop, type FrameClock, MAX_STEPS_PER_FRAME, PAUSED_FRAME_MS, STEP_MS } from './loop.ts';

function manualClock(): FrameClock & { advance(ms: number): void } {
  let t = 0;
  let pending: ((t: number) => void) | undefined;
  return {
    now: () => t,
    request: (cb) => {
      pending = cb;
      return 1;
    },
    cancel: () => {
      pending = undefined;
    },
    advance(ms) {
      t += ms;
      const cb = pending;
      pending = undefined;
      cb?.(t);
    },
  };
}

describe('fixed-step loop', () => {
  it('runs the same number of ticks at 30, 60 and 144 fps', () => {
    for (const fps of [30, 60, 144]) {
      const clock = manualClock();
      let ticks = 0;
      const loop = createLoop({ tick: () => ticks++, frame: () => {} }, clock);
      loop.start();
      clock.advance(0);
      for (let i = 0; i < fps * 10; i++) clock.advance(1000 / fps);
      expect(Math.abs(ticks - 600), `${fps} fps`).toBeLessThanOrEqual(1);
    }
  });

  it('gives alpha in [0, 1) between ticks', () => {
    const clock = manualClock();
    const alphas: number[] = [];
    const loop = createLoop({ tick: () => {}, frame: (a) => alphas.push(a) }, clock);
    loop.start();
    clock.advance(0);
    for (let i = 0; i < 100; i++) clock.advance(7);
    expect(alphas.every((a) => a >= 0 && a < 1)).toBe(true);
    expect(new Set(alphas.map((a) => a.toFixed(2))).size).toBeGreaterThan(5);
  });

  it('clamps long frames and caps catch-up steps', () => {
    expect(accumulate(0, 5000).steps).toBeLessThanOrEqual(MAX_STEPS_PER_FRAME);
    const r = accumulate(0, 10_000, STEP_MS, 1000);
    expect(r.steps).toBe(Math.floor(250 / STEP_MS));
    expect(accumulate(0, -5).steps).toBe(0);
  });

  it('stops ticking while paused, and draws the still picture at once, then at most every PAUSED_FRAME_MS', () => {
    const clock = manualClock();
    let ticks = 0;
    let frames = 0;
    const loop = createLoop({ tick: () => ticks++, frame: () => frames++ }, clock);
    loop.start();
    clock.advance(0);
    expect(frames).toBe(1);
    loop.setPaused(true);
    clock.advance(16);
    expect(frames).toBe(2); // the pause's first frame is drawn at once
    for (let i = 0; i < 60; i++) clock.advance(16); // ~0.96 s more
    expect(ticks).toBe(0);
    expect(frames).toBe(2 + Math.floor((60 * 16) / PAUSED_FRAME_MS));
    loop.redraw();
    clock.advance(16);
    expect(frames).toBe(3 + Math.floor((60 * 16) / PAUSED_FRAME_MS));
    loop.runTicks(5);
    expect(ticks).toBe(5);
    loop.setPaused(false);
    const before = frames;
    for (let i = 0; i < 10; i++) clock.advance(16);
    expect(frames).toBe(before + 10); // running: every frame again
  });

  it('holds a gated tick, the rest of the frame and its draw until the gate settles, and keeps to wall time', async () => {
    const clock = manualClock();
    const log: string[] = [];
    let ticks = 0;
    let open: (() => void) | null = null;
    const loop = createLoop({
      tick: () => {
        ticks++;
        log.push(`tick ${ticks}`);
      },
      frame: () => log.push('frame'),
      // Before the third tick: hold it until the test opens the gate.
      gate: () => (ticks === 2 && !open ? new Promise<void>((r) => (open = r)) : null),
    }, clock);
    loop.start();
    clock.advance(0);
    clock.advance(4 * STEP_MS + 1); // four ticks due; the third is held
    expect(log).toEqual(['frame', 'tick 1', 'tick 2']);
    clock.advance(STEP_MS); // an animation frame while held: nothing runs, its time is kept
    expect(ticks).toBe(2);
    open!();
    await Promise.resolve();
    await Promise.resolve();
    expect(log.slice(3)).toEqual(['tick 3', 'tick 4', 'frame']);
    clock.advance(STEP_MS); // the held frame's time is caught up at the next one
    expect(ticks).toBe(6);
    // Ten seconds at 30 fps with a held tick in every frame: still 600 ticks.
    const real = createLoop({ tick: () => ticks++, frame: () => {}, gate: () => (ticks % 3 === 0 ? Promise.resolve() : null) }, clock);
    loop.stop();
    ticks = 0;
    real.start();
    clock.advance(0);
    for (let i = 0; i < 300; i++) {
      clock.advance(1000 / 30);
      for (let k = 0; k < 6; k++) await Promise.resolve();
    }
    expect(Math.abs(ticks - 600)).toBeLessThanOrEqual(3);
  });

  it('runTicks never asks the gate', () => {
    let asked = 0;
    const loop = createLoop({ tick: () => {}, frame: () => {}, gate: () => (asked++, null) }, manualClock());
    loop.runTicks(5);
    expect(asked).toBe(0);
  });
});
