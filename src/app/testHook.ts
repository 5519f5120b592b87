// A small, typed hook on window for end-to-end tests and benchmarks (e2e and bench builds only):
// pause, step ticks fast, choose who drives, pick a track, and read the state. Tests still
// press real keys and click real buttons; the hook only controls time and seeds.

import { KMH_PER_MS } from '../core/units.ts';
import { carSpeed } from '../sim/car.ts';
import { hashWorld } from '../sim/world.ts';
import type { App } from './app.ts';
import type { DriverKind } from './session.ts';

export interface TestState {
  tick: number;
  trackId: string;
  x: number;
  y: number;
  heading: number;
  speedKmh: number;
  steer: number;
  offRoad: boolean;
  lapNumber: number;
  laps: { ticks: number; sectorTicks: number[]; offRoadTicks: number }[];
  mode: string;
  paused: boolean;
  fps: number;
  hash: string;
}

export interface TestHook {
  state(): TestState;
  pause(paused: boolean): void;
  /** Runs n ticks now (the loop's own pace is unaffected). */
  step(n: number): void;
  /** Steps until `laps` laps are complete or maxTicks pass; returns the laps. */
  runLaps(laps: number, maxTicks?: number): TestState['laps'];
  setDriver(d: DriverKind): void;
  setTrack(id: string): void;
}

declare global {
  interface Window {
    __deepsteer?: TestHook;
  }
}

export function installTestHook(app: App): TestHook {
  const state = (): TestState => {
    const w = app.session.world;
    return {
      tick: w.tick,
      trackId: w.track.id,
      x: w.car.x,
      y: w.car.y,
      heading: w.car.heading,
      speedKmh: carSpeed(w.car) * KMH_PER_MS,
      steer: w.applied.steer,
      offRoad: w.offRoad,
      lapNumber: w.laps.completed.length + (w.laps.lapStartTick >= 0 ? 1 : 0),
      laps: w.laps.completed.map((l) => ({ ticks: l.ticks, sectorTicks: [...l.sectorTicks], offRoadTicks: l.offRoadTicks })),
      mode: app.mode,
      paused: app.loop.paused,
      fps: app.fps,
      hash: hashWorld(w),
    };
  };
  const hook: TestHook = {
    state,
    pause: (p) => app.loop.setPaused(p),
    step: (n) => app.loop.runTicks(n),
    runLaps(laps, maxTicks = 60 * 60 * 10) {
      const start = app.session.world.tick;
      while (app.session.world.laps.completed.length < laps && app.session.world.tick - start < maxTicks) app.loop.runTicks(60);
      return state().laps;
    },
    setDriver: (d) => {
      app.session.driver = d;
    },
    setTrack: (id) => app.setTrack(id),
  };
  window.__deepsteer = hook;
  return hook;
}
