import { describe, expect, it } from 'vitest';
import { atan2 } from '../core/detmath.ts';
import { carSpeed } from './car.ts';
import { TICK_HZ } from './constants.ts';
import { createExpert } from './expert.ts';
import { driveLaps } from './headless.ts';
import { CHECKPOINTS_PER_LAP, offsetPoint, wrapAngle } from './track.ts';
import { resolveTrack } from './tracks.ts';
import { type Controls, createWorld, stepWorld, type World } from './world.ts';

/** Steers straight at a point at a gentle speed (a driver that ignores the road). */
function driveTowards(w: World, x: number, y: number, speed = 12): Controls {
  const want = atan2(y - w.car.y, x - w.car.x);
  const err = wrapAngle(want - w.car.heading);
  return { steer: Math.max(-1, Math.min(1, 3 * err)), torque: Math.max(-1, Math.min(1, 0.3 * (speed - carSpeed(w.car)))) };
}

describe('lap counting', () => {
  it('times sectors that add up to the lap time', () => {
    const track = resolveTrack('twister');
    const run = driveLaps(track, createExpert(track).control, { laps: 3 });
    expect(run.laps).toHaveLength(3);
    for (const lap of run.laps) {
      expect(lap.sectorTicks).toHaveLength(3);
      expect(lap.sectorTicks.reduce((a, b) => a + b, 0)).toBe(lap.ticks);
    }
    // Lap 2 starts on the tick lap 1 ends.
    expect(run.laps[1].startTick).toBe(run.laps[0].startTick + run.laps[0].ticks);
  });

  it('does not count a lap that cuts across the infield', () => {
    const track = resolveTrack('oval');
    const expert = createExpert(track);
    let w = createWorld(track);
    while (w.laps.count < 1) w = stepWorld(w, expert.control(w)); // over the line and checkpoint 1
    // Cut straight across the infield to the far straight.
    const far = offsetPoint(track, track.length * 0.55, 0);
    while (Math.hypot(w.car.x - far.x, w.car.y - far.y) > 8) w = stepWorld(w, driveTowards(w, far.x, far.y));
    expect(w.offRoad || w.laps.offRoadTicks > 0).toBe(true);
    // Drive on along the road back over the start line.
    const lineCrossings = () => w.laps.count;
    const countAfterCut = lineCrossings();
    let crossedLine = false;
    for (let i = 0; i < TICK_HZ * 60 && !crossedLine; i++) {
      const before = w.trackPos.s;
      w = stepWorld(w, expert.control(w));
      crossedLine = w.trackPos.s < before - track.length / 2;
    }
    expect(crossedLine).toBe(true);
    expect(w.laps.completed).toHaveLength(0);
    expect(w.laps.count).toBe(countAfterCut);
  });

  it('does not count reversing back over the line and crossing it again', () => {
    const track = resolveTrack('oval');
    const expert = createExpert(track);
    let w = createWorld(track);
    while (w.laps.count < 0) w = stepWorld(w, expert.control(w));
    const started = w.laps.lapStartTick;
    for (let i = 0; i < 30; i++) w = stepWorld(w, expert.control(w));
    // Brake, reverse back over the line...
    while (w.laps.count >= 0) w = stepWorld(w, { steer: 0, torque: -1 });
    expect(w.laps.count).toBe(-1);
    for (let i = 0; i < 60; i++) w = stepWorld(w, { steer: 0, torque: -1 });
    // ...and forward over it again: no lap, and the lap clock keeps its first start.
    while (w.laps.count < 0) w = stepWorld(w, expert.control(w));
    expect(w.laps.completed).toHaveLength(0);
    expect(w.laps.lapStartTick).toBe(started);
    // A real lap still counts afterwards, timed from the first crossing.
    while (w.laps.completed.length < 1 && w.tick < 60 * TICK_HZ * 5) w = stepWorld(w, expert.control(w));
    expect(w.laps.completed).toHaveLength(1);
    expect(w.laps.completed[0].startTick).toBe(started);
    expect(w.laps.count).toBe(CHECKPOINTS_PER_LAP);
  });

  it('counts resets and off-road excursions in the lap', () => {
    const track = resolveTrack('oval');
    const expert = createExpert(track);
    let w = createWorld(track);
    while (w.laps.count < 1) w = stepWorld(w, expert.control(w));
    // Veer off the road, then press reset.
    while (!w.offRoad) w = stepWorld(w, { steer: 1, torque: 0.5 });
    w = stepWorld(w, { steer: 0, torque: 0, reset: true });
    expect(w.offRoad).toBe(false);
    expect(Math.abs(w.trackPos.lateral)).toBeLessThan(0.5);
    while (w.laps.completed.length < 1) w = stepWorld(w, expert.control(w));
    const lap = w.laps.completed[0];
    expect(lap.excursions).toBe(1);
    expect(lap.resets).toBe(1);
    expect(lap.offRoadTicks).toBeGreaterThan(0);
  });
});
