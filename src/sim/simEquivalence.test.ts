// The simulation's results are frozen: every scenario below is digested tick by tick (the full
// world hash, plus the road heading and segment of the nearest point, and the applied
// controls), and the digests were recorded with the simulation as it was before its speed-ups
// (commit 7d7433b: grid-only nearestPoint, allocating detmath). A speed-up that changes one
// bit of one tick of any scenario fails here. The scenarios cover the expert on every preset
// and on generated tracks, noisy and weaving drivers, random controls with resets and
// reversing, a car that drives far off the map (the nearest-point fallbacks) and modified cars.

import { describe, expect, it } from 'vitest';
import { StateHasher } from '../core/hash.ts';
import { createRng } from '../core/rng.ts';
import { type CarParams, DEFAULT_CAR } from './car.ts';
import { createExpert } from './expert.ts';
import type { Track } from './track.ts';
import { resolveTrack } from './tracks.ts';
import { type Controls, createWorld, hashWorld, stepWorld, type World } from './world.ts';

type Driver = (w: World, tick: number) => Controls;

interface Scenario {
  track: string;
  ticks: number;
  params?: Partial<CarParams>;
  driver: (track: Track) => Driver;
}

const expert = (opts: { seed: number; steerNoise?: number; weaveRate?: number; weaveAmplitude?: number; pace?: number }) => (track: Track): Driver => {
  const e = createExpert(track, opts);
  return (w) => e.control(w);
};

/** Random-walk steering, throttle, braking, held reverse from a standstill, and resets. */
const wild = (seed: number) => (): Driver => {
  const rng = createRng(seed);
  let steer = 0;
  let torque = 0.5;
  return () => {
    steer = Math.max(-1, Math.min(1, steer + rng.range(-0.15, 0.15)));
    if (rng.next() < 0.01) torque = rng.range(-1, 1);
    return { steer, torque, reset: rng.next() < 0.002 };
  };
};

/** Straight on at full throttle until far beyond the grid, a long reverse, then back. */
const runaway = (): Driver => (w, t) => {
  if (t === 5000) return { steer: 0, torque: 0, reset: true };
  if (t < 2500) return { steer: 0.01, torque: 1 };
  if (t < 3500) return { steer: -0.3, torque: -1 };
  return { steer: 1, torque: w.offRoad ? 0.3 : 0.8 };
};

const SCENARIOS: Record<string, Scenario> = {
  'expert oval': { track: 'oval', ticks: 6000, driver: expert({ seed: 1 }) },
  'expert kidney noisy': { track: 'kidney', ticks: 5000, driver: expert({ seed: 2, steerNoise: 0.15 }) },
  'expert hairpins weaving': { track: 'hairpins', ticks: 5000, driver: expert({ seed: 3, weaveRate: 0.5, weaveAmplitude: 1.6 }) },
  'expert 123 fast': { track: '123', ticks: 5000, driver: expert({ seed: 4, pace: 0.95 }) },
  'expert 98765 weaving': { track: '98765', ticks: 5000, driver: expert({ seed: 5, steerNoise: 0.1, weaveRate: 0.3, weaveAmplitude: 2 }) },
  'wild oval': { track: 'oval', ticks: 6000, driver: wild(11) },
  'wild 4242': { track: '4242', ticks: 6000, driver: wild(12) },
  'wild 7 modified car': { track: '7', ticks: 4000, params: { substeps: 7, gripRoad: 1.3, gripOffRoad: 0.3, power: 150000 }, driver: wild(13) },
  'runaway oval': { track: 'oval', ticks: 7000, driver: runaway },
  'runaway 31337': { track: '31337', ticks: 7000, params: { substeps: 2 }, driver: runaway },
};

/** A digest of every tick of a scenario. */
function digest(s: Scenario): string {
  const track = resolveTrack(s.track);
  const drive = s.driver(track);
  const h = new StateHasher();
  let w = createWorld(track, { params: { ...DEFAULT_CAR, ...s.params } });
  for (let t = 0; t < s.ticks; t++) {
    w = stepWorld(w, drive(w, t));
    h.string(hashWorld(w)).number(w.trackPos.heading).number(w.trackPos.segment);
    h.number(w.applied.steer).number(w.applied.torque).number(w.applied.reset ? 1 : 0);
  }
  return h.hex();
}

/** Recorded before the speed-ups; never edit to make the test pass (a new SIM_VERSION would). */
const GOLDEN: Record<string, string> = {
  'expert oval': 'b768c3d4ff4f3189',
  'expert kidney noisy': '1eaa3260ba1ec865',
  'expert hairpins weaving': 'e013b20d8dc94b24',
  'expert 123 fast': '7762a0d7234fffcb',
  'expert 98765 weaving': 'd0304686e4095a1a',
  'wild oval': 'ab09ddedcc5b90f3',
  'wild 4242': 'b095f475a67993b2',
  'wild 7 modified car': 'afd03f22bf339c27',
  'runaway oval': '0847c132fdb74999',
  'runaway 31337': '5dd519b8f2af6540',
};

describe('the simulation is bit-identical to its recorded results', () => {
  for (const [name, s] of Object.entries(SCENARIOS)) {
    it(name, () => {
      expect(digest(s)).toBe(GOLDEN[name]);
    });
  }
});
