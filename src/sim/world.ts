// The world and its one step. `stepWorld(world, controls)` advances exactly one tick (1/60 s);
// it is pure (returns a new world, shares what did not change) and deterministic: the same
// track, car and controls give the same `hashWorld`, bit for bit, on any machine.

import { clamp } from '../core/assert.ts';
import { StateHasher } from '../core/hash.ts';
import { type CarInput, type CarParams, type CarState, DEFAULT_CAR, restingCar, stepCar } from './car.ts';
import { SIM_VERSION } from './constants.ts';
import { INITIAL_LAPS, type LapState, type LapStepInput, stepLaps } from './laps.ts';
import { isOnRoad, nearestPoint, pointAt, type Track, type TrackPoint, wrapAngle, wrapS } from './track.ts';

/** What a driver (human, expert, model or replay) asks of the car for one tick. */
export interface Controls {
  /** -1..1 of the steering limit, + is left. */
  readonly steer: number;
  /** -1..1: + throttle, - brake (reverse from a standstill). */
  readonly torque: number;
  /** Put the car back on the centreline, at rest, facing the road (counts in the lap). */
  readonly reset?: boolean;
}

export const NO_CONTROLS: Controls = { steer: 0, torque: 0 };

export interface World {
  /** Ticks since the start. */
  readonly tick: number;
  readonly track: Track;
  readonly params: CarParams;
  readonly car: CarState;
  /** Where the car is relative to the road, as of this tick. */
  readonly trackPos: TrackPoint;
  readonly offRoad: boolean;
  readonly laps: LapState;
  /** The controls applied on the last tick (after clamping), for views and recorders. */
  readonly applied: Controls;
}

/** Distance behind the start line at which the car waits, m. */
export const GRID_OFFSET = 15;

export interface WorldOptions {
  params?: CarParams;
  /**
   * Where the car rests, as arc length along the centre line (m; default the grid, GRID_OFFSET
   * before the line). Elsewhere is for recordings that cover the whole lap; lap timing assumes the grid.
   */
  startS?: number;
}

export function createWorld(track: Track, opts: WorldOptions = {}): World {
  const start = pointAt(track, opts.startS ?? track.length - GRID_OFFSET);
  const car = restingCar(start.x, start.y, start.heading);
  const trackPos = nearestPoint(track, car.x, car.y);
  return {
    tick: 0,
    track,
    params: opts.params ?? DEFAULT_CAR,
    car,
    trackPos,
    offRoad: !isOnRoad(track, trackPos.lateral),
    laps: INITIAL_LAPS,
    applied: NO_CONTROLS,
  };
}

/** The car put back at rest on the centreline where it is nearest, facing the road. */
function resetCar(world: World): CarState {
  const p = pointAt(world.track, world.trackPos.s);
  // Keep the heading continuous (unwrapped) so interpolation does not spin the car.
  const heading = world.car.heading + wrapAngle(p.heading - world.car.heading);
  return restingCar(p.x, p.y, heading);
}

/** Resolution of applied controls: 2^15 steps each way, so a replay stores each as an int16. */
export const CONTROL_STEPS = 32767;

/** A control value as the simulation applies it: finite, clamped to -1..1, on the int16 grid. */
export function quantizeControl(x: number): number {
  const c = clamp(Number.isFinite(x) ? x : 0, -1, 1);
  return Math.round(c * CONTROL_STEPS) / CONTROL_STEPS;
}

// Inputs of stepCar and stepLaps, refilled each tick (neither keeps them): two objects fewer
// per tick for the garbage collector, on the verifier's hot path.
const carInput: CarInput = { steer: 0, torque: 0, offRoad: false };
const lapInput: { -readonly [K in keyof LapStepInput]: LapStepInput[K] } = { sOld: 0, sNew: 0, offRoadNow: false, offRoadBefore: false, reset: false, tick: 0 };

/** Advances the world by one tick. */
export function stepWorld(world: World, controls: Controls): World {
  const steer = quantizeControl(controls.steer);
  const torque = quantizeControl(controls.torque);
  const reset = controls.reset === true;
  const before = reset ? resetCar(world) : world.car;
  carInput.steer = steer;
  carInput.torque = torque;
  carInput.offRoad = reset ? false : world.offRoad;
  const car = stepCar(before, carInput, world.params);
  const trackPos = nearestPoint(world.track, car.x, car.y, world.trackPos.segment);
  const offRoad = !isOnRoad(world.track, trackPos.lateral);
  const tick = world.tick + 1;
  lapInput.sOld = reset ? trackPos.s : world.trackPos.s;
  lapInput.sNew = trackPos.s;
  lapInput.offRoadNow = offRoad;
  lapInput.offRoadBefore = world.offRoad;
  lapInput.reset = reset;
  lapInput.tick = tick;
  const laps = stepLaps(world.track, world.laps, lapInput);
  const last = world.applied;
  return {
    tick,
    track: world.track,
    params: world.params,
    car,
    trackPos,
    offRoad,
    laps,
    // Shared with the previous tick when the same (worlds are immutable).
    applied: reset ? { steer, torque, reset } : last.steer === steer && last.torque === torque && last.reset === undefined ? last : { steer, torque },
  };
}

/** Heading of the car relative to the road, rad in [-pi, pi). */
export function headingError(world: World): number {
  return wrapAngle(world.car.heading - world.trackPos.heading);
}

/** Fraction of the lap from the start line, 0..1. */
export function lapProgress(world: World): number {
  return wrapS(world.track, world.trackPos.s) / world.track.length;
}

/** A stable hash of everything that can influence the future of the world. */
export function hashWorld(world: World): string {
  const h = new StateHasher();
  h.number(SIM_VERSION).string(world.track.id).number(world.track.length).number(world.tick);
  const c = world.car;
  h.number(c.x).number(c.y).number(c.heading).number(c.vx).number(c.vy).number(c.yawRate).number(c.steerAngle);
  h.number(world.trackPos.s).number(world.trackPos.lateral).number(world.offRoad ? 1 : 0);
  const l = world.laps;
  h.number(l.count).number(l.best).number(l.lapStartTick).number(l.sectorStartTick).numbers(l.sectorTicks);
  h.number(l.offRoadTicks).number(l.excursions).number(l.resets).number(l.completed.length);
  for (const lap of l.completed) h.number(lap.ticks).numbers(lap.sectorTicks).number(lap.offRoadTicks).number(lap.excursions).number(lap.resets);
  const p = world.params;
  for (const key of Object.keys(p).sort() as (keyof CarParams)[]) h.number(p[key]);
  return h.hex();
}
