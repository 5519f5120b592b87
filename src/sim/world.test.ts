import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createRng } from '../core/rng.ts';
import { carSpeed, DEFAULT_CAR, restingCar, stepCar } from './car.ts';
import { TICK_HZ } from './constants.ts';
import { createExpert } from './expert.ts';
import { driveLaps } from './headless.ts';
import { resolveTrack } from './tracks.ts';
import { type Controls, createWorld, hashWorld, stepWorld, type World } from './world.ts';

function randomControls(seed: number, n: number): Controls[] {
  const rng = createRng(seed);
  const out: Controls[] = [];
  let steer = 0;
  for (let i = 0; i < n; i++) {
    steer = Math.max(-1, Math.min(1, steer + rng.range(-0.1, 0.1)));
    out.push({ steer, torque: rng.range(-0.4, 1), reset: rng.next() < 0.001 });
  }
  return out;
}

function runControls(trackId: string, controls: Controls[]): World {
  let w = createWorld(resolveTrack(trackId));
  for (const c of controls) w = stepWorld(w, c);
  return w;
}

describe('determinism', () => {
  it('gives the same hash after 10,000 ticks from the same seed and controls, in two processes', () => {
    const here = hashWorld(runControls('123', randomControls(9, 10_000)));
    expect(hashWorld(runControls('123', randomControls(9, 10_000)))).toBe(here);
    const script = `
      import { createRng } from './src/core/rng.ts';
      import { resolveTrack } from './src/sim/tracks.ts';
      import { createWorld, hashWorld, stepWorld } from './src/sim/world.ts';
      const rng = createRng(9); let steer = 0; let w = createWorld(resolveTrack('123'));
      for (let i = 0; i < 10000; i++) {
        steer = Math.max(-1, Math.min(1, steer + rng.range(-0.1, 0.1)));
        w = stepWorld(w, { steer, torque: rng.range(-0.4, 1), reset: rng.next() < 0.001 });
      }
      console.log(hashWorld(w));`;
    const other = execFileSync('npx', ['tsx', '--eval', script], { encoding: 'utf8' }).trim();
    expect(other).toBe(here);
  });

  it('changes the hash when one control changes', () => {
    const controls = randomControls(5, 2000);
    const a = hashWorld(runControls('oval', controls));
    controls[1000] = { ...controls[1000], steer: controls[1000].steer + 0.01 };
    expect(hashWorld(runControls('oval', controls))).not.toBe(a);
  });

  it('is pure: stepping does not change the world it was given', () => {
    const w = createWorld(resolveTrack('oval'));
    const before = hashWorld(w);
    stepWorld(w, { steer: 0.5, torque: 1 });
    expect(hashWorld(w)).toBe(before);
  });
});

describe('car physics', () => {
  const onRoad = (steer: number, torque: number) => ({ steer, torque, offRoad: false });
  const cruising = { ...restingCar(0, 0, 0), vx: 30 };

  it('slows down without throttle', () => {
    let c = cruising;
    let last = carSpeed(c);
    for (let i = 0; i < 600; i++) {
      c = stepCar(c, onRoad(0, 0));
      expect(carSpeed(c)).toBeLessThan(last);
      last = carSpeed(c);
    }
    expect(last).toBeGreaterThan(0);
  });

  it('steers left and right as mirror images', () => {
    let l = cruising;
    let r = cruising;
    for (let i = 0; i < 180; i++) {
      l = stepCar(l, onRoad(0.6, 0.3));
      r = stepCar(r, onRoad(-0.6, 0.3));
    }
    expect(l.y).toBeGreaterThan(5);
    expect(r.x).toBeCloseTo(l.x, 9);
    expect(r.y).toBeCloseTo(-l.y, 9);
    expect(r.heading).toBeCloseTo(-l.heading, 9);
    expect(r.vy).toBeCloseTo(-l.vy, 9);
  });

  it('has a finite top speed', () => {
    let c = restingCar(0, 0, 0);
    const at = (secs: number) => {
      for (let i = 0; i < secs * TICK_HZ; i++) c = stepCar(c, onRoad(0, 1));
      return carSpeed(c);
    };
    const v120 = at(120);
    const v240 = at(120);
    expect(v240).toBeLessThan(60);
    expect(v240 - v120).toBeLessThan(0.1);
    expect(v240).toBeGreaterThan(35);
  });

  it('drags more and grips less off the road', () => {
    let on = cruising;
    let off = cruising;
    for (let i = 0; i < 120; i++) {
      on = stepCar(on, onRoad(0, 0));
      off = stepCar(off, { steer: 0, torque: 0, offRoad: true });
    }
    expect(carSpeed(off)).toBeLessThan(carSpeed(on) - 2);
  });

  it('brakes to a stop and then reverses slowly', () => {
    let c = cruising;
    for (let i = 0; i < 8 * TICK_HZ; i++) c = stepCar(c, onRoad(0, -1));
    expect(carSpeed(c)).toBeLessThan(0);
    expect(carSpeed(c)).toBeGreaterThanOrEqual(-DEFAULT_CAR.reverseSpeed - 0.1);
  });

  it('leaves the road when entering a tight corner far too fast', () => {
    const track = resolveTrack('hairpins');
    const reckless = createExpert(track, { pace: 2.5 });
    const run = driveLaps(track, reckless.control, { laps: 1, maxTicks: TICK_HZ * 120 });
    const off = run.world.laps.offRoadTicks + run.laps.reduce((s, l) => s + l.offRoadTicks, 0);
    expect(off).toBeGreaterThan(0);
  });
});
