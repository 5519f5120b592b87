// A replay segment as the simulation sees it: the controls codec (bounded inflate), the world a
// segment starts from, and the hash of the car at the end of a lap. Shared by the recorder
// (replay.ts), the verifier (verify.ts) and ghost cars.

import { fromBase64, toBase64 } from '../core/base64.ts';
import { boundedInflate } from '../core/boundedInflate.ts';
import { StateHasher } from '../core/hash.ts';
import { Inflate, deflateSync } from 'fflate';
import type { CarParams, CarState } from '../sim/car.ts';
import { SIM_VERSION } from '../sim/constants.ts';
import { INITIAL_LAPS, type LapState } from '../sim/laps.ts';
import { isOnRoad, nearestPoint, type Track } from '../sim/track.ts';
import { CONTROL_STEPS, type Controls, createWorld, NO_CONTROLS, type World } from '../sim/world.ts';
import { type Replay, ReplayRefusal, type ReplayStart } from './replayFormat.ts';

/** The laps state a segment starting at a lap's start line begins with: one full lap to go. */
export const WARMUP_LAPS: LapState = { ...INITIAL_LAPS, count: 0, best: 0 };

/** A hash of the car at the end of a lap (tick, car state, place on the road, parameters). */
export function hashCarState(world: World): string {
  const h = new StateHasher();
  h.number(SIM_VERSION).number(world.track.length).number(world.tick);
  const c = world.car;
  h.number(c.x).number(c.y).number(c.heading).number(c.vx).number(c.vy).number(c.yawRate).number(c.steerAngle);
  h.number(world.trackPos.s).number(world.trackPos.lateral).number(world.offRoad ? 1 : 0);
  const p = world.params;
  for (const key of Object.keys(p).sort() as (keyof CarParams)[]) h.number(p[key]);
  return h.hex();
}

/** The world a segment starts from (`start` already checked by the verifier, or recorded here). */
export function segmentStartWorld(start: ReplayStart, track: Track, params: CarParams): World {
  const grid = createWorld(track, { params });
  if (start.kind === 'grid') return grid;
  const car: CarState = { ...start.car };
  const trackPos = nearestPoint(track, car.x, car.y);
  return { ...grid, tick: start.tick, car, trackPos, offRoad: !isOnRoad(track, trackPos.lateral), laps: WARMUP_LAPS, applied: NO_CONTROLS };
}

export function encodeControls(pairs: Int16Array): string {
  const bytes = new Uint8Array(pairs.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < pairs.length; i++) view.setInt16(2 * i, pairs[i], true);
  return toBase64(deflateSync(bytes, { level: 9 }));
}

/**
 * Compressed bytes per inflate push for controls: a lap's controls (~3 bytes per tick deflated)
 * go in one or two pushes (each push costs fflate ~160 KiB of buffers, ~0.08 ms: the verifier
 * is the server's hot path); a bomb may overshoot the cap by at most ~17 MB before it is refused.
 */
const CONTROLS_PIECE_BYTES = 16 * 1024;

/**
 * Decodes `ticks` ticks of controls. The base64 text is capped before decoding (deflate cannot
 * shrink below ~1/1032) and the inflate stops as soon as it passes 4 bytes per tick.
 */
export function decodeControls(text: string, ticks: number): Int16Array {
  const want = 4 * ticks;
  if (text.length > Math.ceil((want + 1024) / 3) * 4 + 16) throw new ReplayRefusal('controls', 'controls', `${text.length} characters is more than ${ticks} ticks of controls can take`);
  let bytes: Uint8Array;
  try {
    bytes = boundedInflate(fromBase64(text), want, () => new Inflate(), want, CONTROLS_PIECE_BYTES);
  } catch (e) {
    throw new ReplayRefusal('controls', 'controls', `cannot be decoded (${(e as Error).message})`);
  }
  if (bytes.length !== want) throw new ReplayRefusal('controls', 'controls', `hold ${bytes.length / 4} ticks, the replay says ${ticks}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int16Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(2 * i, true);
  return out;
}

/** Controls of a (verified) replay as a per-segment-tick function, for ghost cars. */
export function replayControls(r: Replay): (segmentTick: number) => Controls {
  const pairs = decodeControls(r.controls, r.ticks);
  const resets = new Set(r.resets);
  return (t) => t >= 0 && t < r.ticks
    ? { steer: pairs[2 * t] / CONTROL_STEPS, torque: pairs[2 * t + 1] / CONTROL_STEPS, reset: resets.has(t) }
    : { steer: 0, torque: -1 };
}
