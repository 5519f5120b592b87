import { describe, expect, it } from 'vitest';
import { TICK_HZ } from './constants.ts';
import { createExpert } from './expert.ts';
import { driveLaps } from './headless.ts';
import { PRESET_NAMES, resolveTrack } from './tracks.ts';
import { createWorld, stepWorld } from './world.ts';

function cleanLaps(id: string): { laps: number; offRoadTicks: number; worstLateral: number } {
  const track = resolveTrack(id);
  const expert = createExpert(track);
  let w = createWorld(track);
  let worst = 0;
  while (w.laps.completed.length < 3 && w.tick < TICK_HZ * 60 * 15) {
    w = stepWorld(w, expert.control(w));
    if (w.laps.lapStartTick >= 0) worst = Math.max(worst, Math.abs(w.trackPos.lateral) / (track.width / 2));
  }
  const offRoadTicks = w.laps.completed.reduce((s, l) => s + l.offRoadTicks, 0);
  return { laps: w.laps.completed.length, offRoadTicks, worstLateral: worst };
}

describe('expert driver', () => {
  it('drives 3 clean laps on every preset', () => {
    for (const id of PRESET_NAMES) expect(cleanLaps(id), id).toMatchObject({ laps: 3, offRoadTicks: 0 });
  });

  it('drives 3 clean laps on 100 generated tracks, keeping a margin to the road edge', () => {
    let worst = 0;
    for (let seed = 0; seed < 100; seed++) {
      const r = cleanLaps(String(seed));
      expect(r, `seed ${seed}`).toMatchObject({ laps: 3, offRoadTicks: 0 });
      worst = Math.max(worst, r.worstLateral);
    }
    expect(worst).toBeLessThan(0.8);
  });

  it('drives faster laps at a higher pace, and stays on the road with noise and weaves', () => {
    const track = resolveTrack('kidney');
    const slow = driveLaps(track, createExpert(track, { pace: 0.55 }).control, { laps: 2 });
    const fast = driveLaps(track, createExpert(track, { pace: 0.72 }).control, { laps: 2 });
    expect(fast.laps[1].ticks).toBeLessThan(slow.laps[1].ticks);
    const noisy = createExpert(track, { seed: 3, steerNoise: 0.1, weaveRate: 0.15 });
    const run = driveLaps(track, noisy.control, { laps: 2 });
    expect(run.laps).toHaveLength(2);
    expect(run.laps.every((l) => l.offRoadTicks < TICK_HZ)).toBe(true);
  });

  it('weaves away from the centreline and comes back', () => {
    const track = resolveTrack('oval');
    const weaver = createExpert(track, { seed: 11, weaveRate: 0.5 });
    let w = createWorld(track);
    let maxLat = 0;
    while (w.laps.completed.length < 1) {
      w = stepWorld(w, weaver.control(w));
      maxLat = Math.max(maxLat, Math.abs(w.trackPos.lateral));
    }
    expect(maxLat).toBeGreaterThan(track.width / 4);
  });

  describe('speed noise', () => {
    const track = resolveTrack('kidney');
    const ratios = (speedNoise: number, speedNoiseSlowerOnly = false): { over: number; under: number } => {
      const expert = createExpert(track, { seed: 5, speedNoise, speedNoiseSlowerOnly });
      const plain = createExpert(track, { seed: 5 });
      let w = createWorld(track);
      let over = 0;
      let under = 0;
      for (let t = 0; t < TICK_HZ * 120; t++) {
        const target = expert.speedTarget(w);
        expect(target).toBe(plain.speedTarget(w));
        const v = Math.hypot(w.car.vx, w.car.vy);
        if (t > TICK_HZ * 10 && target > 5) {
          over = Math.max(over, v / target);
          under = Math.min(under === 0 ? Infinity : under, v / target);
        }
        w = stepWorld(w, expert.control(w));
      }
      return { over, under };
    };

    it('drives too fast and too slow for the road at times, while its speed target stays the plan', () => {
      const quiet = ratios(0);
      const noisy = ratios(0.15);
      expect(noisy.over).toBeGreaterThan(quiet.over + 0.1);
      expect(noisy.under).toBeLessThan(quiet.under - 0.1);
    });

    it('slower-only: slows the expert at times, never faster than the noise-free expert', () => {
      const quiet = ratios(0);
      const slower = ratios(0.15, true);
      expect(slower.under).toBeLessThan(quiet.under - 0.1);
      expect(slower.over).toBeLessThanOrEqual(quiet.over + 0.02);
    });
  });

  it('speedAhead: the speed the expert reaches from a state, braking hard from one too fast for the bend ahead', () => {
    const track = resolveTrack('kidney');
    const expert = createExpert(track);
    // The expert's own state: speedAhead is where its own driving gets to 1 s later.
    let w = createWorld(track);
    for (let t = 0; t < TICK_HZ * 20; t++) w = stepWorld(w, expert.control(w));
    const before = JSON.stringify(w);
    const ahead = expert.speedAhead(w, TICK_HZ);
    expect(JSON.stringify(w)).toBe(before); // the world is untouched
    let own = w;
    for (let t = 0; t < TICK_HZ; t++) own = stepWorld(own, expert.control(own));
    expect(ahead).toBeCloseTo(Math.hypot(own.car.vx, own.car.vy), 1);
    // A car floored where the expert would brake: the label brakes, far below the speed driven 1 s later.
    let fast = createWorld(track);
    let found = false;
    for (let t = 0; t < TICK_HZ * 60 && !found; t++) {
      const v = Math.hypot(fast.car.vx, fast.car.vy);
      if (v > 1.2 * expert.speedTarget(fast) && v > 15) {
        const floored = [fast];
        for (let k = 0; k < TICK_HZ; k++) floored.push(stepWorld(floored[k], { steer: expert.control(floored[k]).steer, torque: 1 }));
        const vFloored = Math.hypot(floored[TICK_HZ].car.vx, floored[TICK_HZ].car.vy);
        expect(expert.speedAhead(fast, TICK_HZ)).toBeLessThan(v - 3);
        expect(expert.speedAhead(fast, TICK_HZ)).toBeLessThan(vFloored - 5);
        found = true;
      }
      fast = stepWorld(fast, { steer: expert.control(fast).steer, torque: 1 });
    }
    expect(found).toBe(true);
  });

  it('cleanControl: what a noisy expert means to do, the noise-free expert\'s controls, without advancing its noise', () => {
    const track = resolveTrack('kidney');
    const noisy = createExpert(track, { seed: 3, steerNoise: 0.15, weaveRate: 0.3, speedNoise: 0.2 });
    const twin = createExpert(track, { seed: 3, steerNoise: 0.15, weaveRate: 0.3, speedNoise: 0.2 });
    const clean = createExpert(track);
    let w = createWorld(track);
    let differs = 0;
    for (let t = 0; t < TICK_HZ * 40; t++) {
      const label = noisy.cleanControl(w);
      expect(label).toEqual(clean.control(w));
      const c = noisy.control(w);
      expect(c).toEqual(twin.control(w)); // asking for the label left the noise where it was
      if (Math.abs(c.steer - label.steer) > 0.02 || Math.abs(c.torque - label.torque) > 0.05) differs++;
      w = stepWorld(w, c);
    }
    expect(differs).toBeGreaterThan(TICK_HZ * 10);
    // A clean expert's label is its control.
    expect(clean.cleanControl(w)).toEqual(clean.control(w));
  });
});
