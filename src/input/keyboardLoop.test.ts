// Closed loop: a driver that can only press and release keys (bang-bang, as a keyboard is)
// drives the real simulation through the keyboard step with the default settings. It must get
// round the presets without leaving the road, and the steering it records must be a smooth
// signal with many values, not the -1/0/+1 of raw keys.
import { describe, expect, it } from 'vitest';
import { carSpeed } from '../sim/car.ts';
import { DT } from '../sim/constants.ts';
import { pointAt, wrapAngle } from '../sim/track.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { createWorld, stepWorld } from '../sim/world.ts';
import { CENTRED, keyboardControls, stepKeyboardDrive } from './keyboardDrive.ts';
import { DEFAULT_INPUT_SETTINGS } from './settings.ts';

/** Comfortable lateral acceleration the key driver slows for, m/s^2. */
const CORNER_ACCEL = 6;

function keyDriverLap(trackId: string, topSpeed: number) {
  const track = resolveTrack(trackId);
  let world = createWorld(track);
  let kb = CENTRED;
  const steer = new Set<number>();
  let offRoad = 0;
  const lookahead = 8 + topSpeed * 0.4;
  for (let i = 0; i < 60 * 150 && world.laps.completed.length === 0; i++) {
    const v = carSpeed(world.car);
    // Steer: a key towards a point on the centreline ahead, none when roughly aimed at it.
    const p = pointAt(track, world.trackPos.s + lookahead);
    const aim = wrapAngle(Math.atan2(p.y - world.car.y, p.x - world.car.x) - world.car.heading);
    // Speed: slow down for the tightest curve in the next 60 m.
    let k = 0;
    for (let d = 0; d < 60; d += 5) k = Math.max(k, Math.abs(track.curvatures[Math.floor((((world.trackPos.s + d) % track.length) / track.ds)) % track.n]));
    const target = Math.min(topSpeed, Math.sqrt(CORNER_ACCEL / Math.max(k, 1e-4)));
    const keys = { left: aim > 0.03, right: aim < -0.03, throttle: v < target, brake: v > target + 3 };
    kb = stepKeyboardDrive(kb, { keys, dt: DT, speed: v }, DEFAULT_INPUT_SETTINGS);
    world = stepWorld(world, keyboardControls(kb));
    steer.add(Math.round(world.applied.steer * 100));
    if (world.offRoad) offRoad++;
  }
  return { laps: world.laps.completed.length, offRoad, steerValues: steer.size };
}

describe('keyboard driving in the loop', () => {
  for (const [id, top] of [['oval', 26], ['kidney', 22], ['hairpins', 22]] as const) {
    it(`a key-pressing driver laps ${id} on the road, recording many steering values`, () => {
      const r = keyDriverLap(id, top);
      expect(r.laps).toBe(1);
      expect(r.offRoad).toBe(0);
      expect(r.steerValues).toBeGreaterThan(15); // raw keys would give 3
    });
  }
});
