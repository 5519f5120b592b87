// The expert driver: the demonstrator that records training data and the yardstick for lap
// times. It steers by pure pursuit on a target line (the centreline, or an offset from it while
// weaving) and follows a speed plan from the curvature ahead, braking in time for each corner.
// Noise injection and weave-and-recover manoeuvres are seeded, so a recording is reproducible.
//
// An expert holds state (its noise and manoeuvre), so each car needs its own instance.

import { atan2, cos, PI, sin } from '../core/detmath.ts';
import { clamp } from '../core/assert.ts';
import { createRng } from '../core/rng.ts';
import { GRAVITY, DT } from './constants.ts';
import { carSpeed } from './car.ts';
import { offsetPoint, type Track, wrapAngle } from './track.ts';
import { type Controls, stepWorld, type World } from './world.ts';

export interface ExpertOptions {
  /** Seed for noise and manoeuvres. */
  seed?: number | string;
  /** Fraction of the grip the speed plan uses (0.5 cautious .. 0.8 on the limit; the tyres give up near 0.85). */
  pace?: number;
  /**
   * Steering noise: standard deviation of an Ornstein-Uhlenbeck disturbance, expressed as the
   * sideways acceleration it would cause, in g (0.05 is a wobble, 0.2 a drunk driver). Scaling by
   * speed keeps it from flicking the car off at 40 m/s while still showing at 10.
   */
  steerNoise?: number;
  /** Correlation time of the steering noise, s. */
  noiseTime?: number;
  /** Weave-and-recover: chance per second of starting a manoeuvre while on a straight-ish road. */
  weaveRate?: number;
  /** Largest sideways excursion of a weave, as a fraction of half the road width (may exceed 1). */
  weaveAmplitude?: number;
  /**
   * Speed noise: standard deviation of an Ornstein-Uhlenbeck factor on the speed the expert
   * drives at, as a fraction of its target (0.15: now and then 15-30% too fast or too slow for
   * the road). The recovery data of speed: the states a learner reaches by misjudging a bend,
   * labelled with what the noise-free expert would do from them (`speedAhead`, the recorder's
   * speedTarget column), not with what the noisy expert did. Own seeded stream, so a recording
   * without it is unchanged.
   */
  speedNoise?: number;
  /** Correlation time of the speed noise, s. */
  speedNoiseTime?: number;
  /**
   * Speed noise that only ever slows the expert (the factor's size, never above the plan): the
   * states a learner reaches by braking too early or too much for a bend, slow where the road
   * allows more, labelled with the noise-free expert's speed-up. No state too fast for the road.
   */
  speedNoiseSlowerOnly?: boolean;
}

export interface Expert {
  readonly options: Required<ExpertOptions>;
  /** Controls for the next tick. Advances the expert's own noise and manoeuvre state. */
  control(world: World): Controls;
  /**
   * What the expert means to do in this state: its controls without noise or manoeuvres (for an
   * expert without either, the same as `control`). Pure: reads the state only. The label of a
   * noisy expert's step (DART, Laskey et al. 2017): the noise moves the car into states off the
   * expert's path, and the label says how to drive back, not the noise that put it there.
   */
  cleanControl(world: World): Controls;
  /** The speed the plan wants at arc length s, m/s. */
  plannedSpeed(s: number): number;
  /**
   * The speed the expert aims for in this state, m/s: its plan a little ahead of the car (time to
   * react), without its speed noise. Pure: reads the state only. (Not the recorder's label: see
   * `speedAhead`.)
   */
  speedTarget(world: World): number;
  /**
   * The speed the expert reaches `ticks` after this state, driving on from it at its pace without
   * noise or manoeuvres, m/s: the speed it is about to hold. Unlike `speedTarget`, which on a
   * long straight runs ahead of what the car can reach, it is a speed the car does reach; in a
   * state entering a bend too fast it says how hard to brake. Pure: simulates a copy.
   */
  speedAhead(world: World, ticks: number): number;
}

/** The expert's default pace: its speed plan uses 72% of the tyres' grip in bends. */
const DEFAULT_PACE = 0.72;

const DEFAULTS: Required<ExpertOptions> = {
  seed: 1,
  pace: DEFAULT_PACE,
  steerNoise: 0,
  noiseTime: 0.6,
  weaveRate: 0,
  weaveAmplitude: 0.7,
  speedNoise: 0,
  speedNoiseTime: 2.5,
  speedNoiseSlowerOnly: false,
};

/** True when an expert's control reads the state only (no noise or manoeuvres to advance). */
function isClean(o: Required<ExpertOptions>): boolean {
  return o.steerNoise === 0 && o.weaveRate === 0 && o.speedNoise === 0;
}

/** Braking deceleration the plan assumes, as a fraction of g (below the tyres' limit). */
const PLAN_BRAKE_G = 0.62;
const PLAN_ACCEL_G = 0.35;
const TOP_SPEED = 42;
/** Pure-pursuit lookahead: seconds of travel (plus a fixed 4 m). */
const LOOKAHEAD_S = 0.5;

/**
 * Speed plan: the corner limit sqrt(mu g / |k|) at each sample, then passes backwards
 * (braking) and forwards (acceleration) around the loop until stable.
 */
export function speedPlan(track: Track, pace: number): Float64Array {
  const n = track.n;
  const v = new Float64Array(n);
  // Curvature smoothed over ~10 m: the car cuts a little inside the sampled line.
  for (let i = 0; i < n; i++) {
    let k = 0;
    for (let j = -5; j <= 5; j++) k = Math.max(k, Math.abs(track.curvatures[(i + j + n) % n]));
    v[i] = Math.min(TOP_SPEED, Math.sqrt((pace * GRAVITY) / Math.max(k, 1e-4)));
  }
  const brake = 2 * PLAN_BRAKE_G * pace * GRAVITY * track.ds;
  const accel = 2 * PLAN_ACCEL_G * GRAVITY * track.ds;
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 2 * n - 1; i >= 0; i--) {
      const a = i % n;
      const b = (i + 1) % n;
      v[a] = Math.min(v[a], Math.sqrt(v[b] * v[b] + brake));
    }
    for (let i = 0; i < 2 * n; i++) {
      const a = (i + 1) % n;
      const b = i % n;
      v[a] = Math.min(v[a], Math.sqrt(v[b] * v[b] + accel));
    }
  }
  return v;
}

export function createExpert(track: Track, opts: ExpertOptions = {}): Expert {
  const o: Required<ExpertOptions> = { ...DEFAULTS, ...opts };
  const plan = speedPlan(track, o.pace);
  const rng = createRng(`expert:${o.seed}`);
  const speedRng = createRng(`expert-speed:${o.seed}`);
  let noise = 0;
  let speedFactor = 0;
  // Weave manoeuvre: target offset follows a smooth bump out and back over `weaveLength` m.
  let weaveStart = -1;
  let weaveLength = 0;
  let weaveOffset = 0;

  const plannedSpeed = (s: number): number => plan[Math.floor(((s % track.length) + track.length) % track.length / track.ds) % track.n];

  function speedTarget(world: World): number {
    const s = world.trackPos.s;
    const v = Math.max(carSpeed(world.car), 0);
    return Math.min(plannedSpeed(s + Math.max(3, v * 0.25)), plannedSpeed(s + v * 0.6));
  }

  function targetOffset(s: number): number {
    if (weaveStart < 0) return 0;
    const u = (((s - weaveStart) % track.length) + track.length) % track.length / weaveLength;
    if (u >= 1) return 0;
    // Out quickly (first 40%), hold, back (the recovery is what the model must learn).
    const bump = u < 0.4 ? sin((u / 0.4) * (PI / 2)) : u < 0.6 ? 1 : cos(((u - 0.6) / 0.4) * (PI / 2));
    return weaveOffset * bump * bump;
  }

  function control(world: World): Controls {
    const { car, params, trackPos } = world;
    const s = trackPos.s;
    const v = Math.max(carSpeed(car), 0);
    const L = params.frontAxle + params.rearAxle;

    // Manoeuvres start only where the road ahead is gentle.
    if (weaveStart >= 0 && (((s - weaveStart) % track.length) + track.length) % track.length >= weaveLength) weaveStart = -1;
    if (weaveStart < 0 && o.weaveRate > 0 && rng.next() < o.weaveRate * DT && plannedSpeed(s + 40) > 18) {
      weaveStart = s;
      weaveLength = clamp(v * rng.range(5, 8), 60, 260);
      weaveOffset = (rng.next() < 0.5 ? -1 : 1) * rng.range(0.4, 1) * o.weaveAmplitude * (track.width / 2);
    }

    // Pure pursuit on the target line, looking further ahead at speed.
    const lookahead = clamp(LOOKAHEAD_S * v + 4, 6, 40);
    const target = offsetPoint(track, s + lookahead, targetOffset(s + lookahead));
    // Aim along the velocity, not the nose: when the tyres slip, the car goes where it moves.
    const course = car.heading + (v > 1 ? atan2(car.vy, car.vx) : 0);
    const rx = car.x - cos(car.heading) * params.rearAxle;
    const ry = car.y - sin(car.heading) * params.rearAxle;
    const alpha = wrapAngle(atan2(target.y - ry, target.x - rx) - course);
    const dist = Math.max(1, Math.sqrt((target.x - rx) ** 2 + (target.y - ry) ** 2));
    let steer = atan2(2 * L * sin(alpha), dist) / params.maxSteer;
    // Never ask the front tyres for much more than the road can give at this speed: beyond it
    // they only scrub, and the yaw they build up comes back as a slide.
    const vg = Math.max(v, 5);
    const gripSteer = (1.6 * L * params.gripRoad * GRAVITY) / (vg * vg) / params.maxSteer + 0.05;
    steer = clamp(steer, -gripSteer, gripSteer);

    if (o.steerNoise > 0) {
      const a = DT / o.noiseTime;
      noise += -a * noise + o.steerNoise * Math.sqrt(2 * a) * rng.normal();
      const vn = Math.max(v, 8);
      steer += (L * noise * GRAVITY) / (vn * vn) / params.maxSteer;
    }

    // Speed: the plan a little ahead (time to react), proportional throttle and brake.
    let vTarget = speedTarget(world);
    if (o.speedNoise > 0) {
      const a = DT / o.speedNoiseTime;
      speedFactor += -a * speedFactor + o.speedNoise * Math.sqrt(2 * a) * speedRng.normal();
      const f = clamp(speedFactor, -0.5, 0.5);
      vTarget *= 1 + (o.speedNoiseSlowerOnly ? -Math.abs(f) : f);
    }
    // Feed-forward holds the speed against drag and rolling resistance; feedback closes the gap.
    const hold = (params.rollingRoad * params.mass * GRAVITY + params.dragCoefficient * v * v)
      / Math.min(params.driveForce, params.power / Math.max(v, 1));
    let torque = clamp(hold + 0.3 * (vTarget - v), -1, 1);
    // Traction control: no power while the car slides sideways.
    if (Math.abs(car.vy) > 1.5) torque = Math.min(torque, 0.1);
    return { steer: clamp(steer, -1, 1), torque };
  }

  // A noise-free copy for cleanControl and speedAhead: without noise or weaves its control reads the state only.
  let clean: Expert | null = null;
  function cleanControl(world: World): Controls {
    if (isClean(o)) return control(world);
    clean ??= createExpert(track, { pace: o.pace });
    return clean.control(world);
  }
  function speedAhead(world: World, ticks: number): number {
    let w = world;
    for (let t = 0; t < ticks; t++) w = stepWorld(w, cleanControl(w));
    return Math.max(carSpeed(w.car), 0);
  }

  return { options: o, control, cleanControl, plannedSpeed, speedTarget, speedAhead };
}
