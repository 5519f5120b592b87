// Does a downloaded autopilot lap reproduce here? Drives the lap's model from the replay's start
// state in lockstep (each control tick waits for the model's prediction from that tick's frame),
// compares the model's controls with the recorded ones tick by tick, and ends with the claim's
// final state hash. Ticks the replay gives to a human or the expert are replayed as recorded;
// resets happen where the replay has them (and clear the model's memory, as the autopilot does).
// Pure of DOM and worker: the model is an interface (the app backs it with the steering worker).
// Bit-for-bit reproduction needs the same frames and the same float arithmetic in the model: a
// different GPU, backend or dash size can change a prediction, so "differs at tick N" is an
// honest outcome, not an error.

import { type Replay, hashCarState, replayControls, segmentStartWorld } from '../scoring/replay.ts';
import { checkCar } from '../scoring/carRules.ts';
import type { TickDriver } from '../scoring/rules.ts';
import { DEFAULT_CAR } from '../sim/car.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { trackFromFile } from '../sim/trackJson.ts';
import { CONTROL_STEPS, type Controls, stepWorld, type World } from '../sim/world.ts';

/** The model behind the lap, driven in lockstep. */
export interface ReproductionModel {
  /** A control tick: predict from this world's dash frame; resolves once the prediction is in. */
  predict(world: World): Promise<void>;
  /** The model's controls for this world (its latest prediction). */
  controls(world: World): Controls;
  /** Called first at each segment tick `t` (e.g. to apply the settings the lap had from that tick). */
  atTick?(t: number): void;
  /** The car was reset: the model's memory of past frames starts over. */
  reset(): Promise<void>;
}

export interface ControlDiff {
  /** Tick into the replay's segment, and into the lap (negative: in the run-up before it). */
  tick: number;
  lapTick: number;
  expected: { steer: number; torque: number };
  got: { steer: number; torque: number };
}

export interface ReproductionVerdict {
  reproduces: boolean;
  firstDiff: ControlDiff | null;
  /** The final state hash after the segment's ticks equals the claim's. */
  endHashMatches: boolean;
  claimedLapTicks: number;
  /** The lap the model completed here, ticks (null: it did not complete one in time). */
  lapTicks: number | null;
  /** Ticks driven here, and how many of them the model drove. */
  ticks: number;
  modelTicks: number;
  summary: string;
}

const q = (x: number): number => Math.round((!Number.isFinite(x) ? 0 : Math.max(-1, Math.min(1, x))) * CONTROL_STEPS);
const DRIVER_AT = (r: Replay): ((t: number) => TickDriver) => {
  const runs = r.drivers;
  return (t) => {
    let who: TickDriver = runs[0]?.[1] ?? 'human';
    for (const [start, d] of runs) if (start <= t) who = d;
    return who;
  };
};

/** The world a replay's segment starts from (its track, car and start state). */
export function replayStartWorld(replay: Replay): World {
  const track = replay.track.file ? trackFromFile({ ...replay.track.file, id: replay.track.id }) : resolveTrack(replay.track.id);
  const car = checkCar(replay.car);
  return segmentStartWorld(replay.start, track, car.ok ? car.params : DEFAULT_CAR);
}

/**
 * Drives `model` over the replay's segment and says whether the lap reproduces. After a first
 * difference the model keeps driving (so it can be watched) until it completes a lap or runs
 * half the segment again. `every`: ticks between control ticks (the autopilot's rate).
 */
export async function driveReproduction(replay: Replay, model: ReproductionModel, opts: {
  every: number;
  onTick?: (world: World, tick: number) => void | Promise<void>;
  signal?: AbortSignal;
}): Promise<ReproductionVerdict> {
  const recorded = replayControls(replay);
  const driverAt = DRIVER_AT(replay);
  const resets = new Set(replay.resets);
  let world = replayStartWorld(replay);
  const lapsBefore = world.laps.completed.length;
  const limit = Math.ceil(replay.ticks * 1.5);
  let firstDiff: ControlDiff | null = null;
  let endHashMatches = false;
  let lapTicks: number | null = null;
  let modelTicks = 0;
  let t = 0;
  for (; t < limit; t++) {
    if (opts.signal?.aborted) throw new Error('stopped');
    model.atTick?.(t);
    if (t === replay.ticks) {
      endHashMatches = hashCarState(world) === replay.claim.endHash;
      if (!firstDiff) break;
    }
    const reset = t < replay.ticks && resets.has(t);
    // The autopilot clears the model's memory as the car leaves the road, before its next
    // prediction; the reset itself is the following tick's (the one the replay records).
    if (reset) await model.reset();
    if (world.tick % opts.every === 0) await model.predict(world);
    const exp = recorded(t);
    let c: Controls;
    if (reset) {
      c = { steer: 0, torque: 0, reset: true };
    } else if (t >= replay.ticks || driverAt(t) === 'model') {
      c = model.controls(world);
      modelTicks++;
      if (!firstDiff && t < replay.ticks && (q(c.steer) !== q(exp.steer) || q(c.torque) !== q(exp.torque))) {
        firstDiff = { tick: t, lapTick: t - replay.claim.lapStart, expected: { steer: exp.steer, torque: exp.torque }, got: { steer: q(c.steer) / CONTROL_STEPS, torque: q(c.torque) / CONTROL_STEPS } };
      }
    } else {
      c = exp;
    }
    world = stepWorld(world, c);
    await opts.onTick?.(world, t);
    if (world.laps.completed.length > lapsBefore && lapTicks === null) {
      lapTicks = world.laps.completed[lapsBefore].ticks;
      if (firstDiff) {
        t++;
        break;
      }
    }
  }
  const reproduces = !firstDiff && endHashMatches && lapTicks === replay.claim.ticks;
  return { reproduces, firstDiff, endHashMatches, claimedLapTicks: replay.claim.ticks, lapTicks, ticks: t, modelTicks, summary: summarize(reproduces, firstDiff, replay, lapTicks, endHashMatches) };
}

function summarize(ok: boolean, d: ControlDiff | null, r: Replay, lapTicks: number | null, hashOk: boolean): string {
  const secs = (ticks: number): string => `${(ticks / 60).toFixed(3)} s`;
  if (ok) return `Reproduces on this machine: the same ${r.claim.ticks} ticks (${secs(r.claim.ticks)}) and the same final state hash.`;
  const here = lapTicks === null ? 'the model did not complete the lap here' : `the model's lap here took ${secs(lapTicks)} against ${secs(r.claim.ticks)} submitted`;
  if (!d) return `Differs: every control matched, but ${hashOk ? here : 'the final state hash does not'}.`;
  const where = d.lapTick < 0 ? `tick ${d.tick} of the run-up before the lap` : `tick ${d.lapTick} of the lap`;
  return `Differs at ${where}: the model steered ${d.got.steer.toFixed(4)} (throttle ${d.got.torque.toFixed(4)}) where the submitted lap has ${d.expected.steer.toFixed(4)} (${d.expected.torque.toFixed(4)}); ${here}.`;
}
