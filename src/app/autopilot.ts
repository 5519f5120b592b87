// The autopilot: on each control tick the dash frame goes to the worker and the prediction
// drives the car. Two timing modes:
// - real time: the newest prediction is applied (one frame in flight at a time); the step after
//   a control tick waits a bounded moment for that tick's own prediction (REALTIME_WAIT_MS in
//   autopilotController.ts), so a slow machine drives worse, as a real car would, never slower;
// - lockstep: the simulation waits for each prediction, so results do not depend on speed.
// Any human steering or brake beyond a small threshold takes over at once (an intervention);
// releasing hands back. Leaving the road is an intervention too, and puts the car back on the
// centreline. Pure of DOM: the app feeds it frames, human input and results.

import { clamp } from '../core/assert.ts';
import { type CarParams, carSpeed, DEFAULT_CAR } from '../sim/car.ts';
import { GRAVITY, TICK_HZ } from '../sim/constants.ts';
import type { Controls, World } from '../sim/world.ts';

export type TimingMode = 'realtime' | 'lockstep';
/**
 * Which head drives the throttle: the torque head directly, the speed head through a speed
 * controller, or both (the speed controller, pushed further by the torque head; torqueForHeads).
 */
export type ThrottleSource = 'torque' | 'speed' | 'both';

export interface ModelOutput {
  steering: number;
  speed: number;
  torque: number;
}

export interface AutopilotOptions {
  timing: TimingMode;
  throttle: ThrottleSource;
  /** Control ticks per second (the dash camera's capture rate). */
  rateHz: number;
  /** Ticks without human input before the model takes the wheel back. */
  handBackTicks: number;
  /**
   * Speed governor: brake when the model's own steering asks for more sideways grip than the
   * tyres have at this speed (the car's speed and the commanded wheel angle only, no map).
   * An assist, off by default: it reads the car's true grip and axle lengths, which the model
   * does not see.
   */
  governor: boolean;
  /** How the speed head's prediction becomes throttle (throttle 'speed' and 'both'). */
  speedControl: SpeedControl;
}

/**
 * The speed controller: the speed head predicts the speed the car is about to hold (the label is
 * the speed the expert reaches 1 s on), and this turns it into throttle.
 * - 'proportional': torque per m/s of predicted gain (accelerating) and loss (braking), plus 0.15
 *   while moving. It knows nothing of the car, so it settles below the speed asked for where drag
 *   needs more than 0.15, and brakes at a fixed gain.
 * - 'dynamics': the force that takes the car from its speed to the predicted one in `horizonS`
 *   (`brakeHorizonS` for a slow-down), against rolling resistance and drag, as throttle or brake
 *   of the car's own engine, power and brakes: a cruise control that holds the speed the model
 *   asks for. It reads only the car's own mass, engine and drag (what its maker knows), never
 *   the road, its grip or the track ahead. With `softBrakeMps` S, the first S m/s of a slow-down
 *   are taken at `horizonS` like a speed-up and only the rest at `brakeHorizonS` (the force is
 *   continuous in the gap): a firm brake for large slow-downs, a gentle one for small ones. Off
 *   by default: on the validation tracks it shortened the laps and cost autonomy
 *   (bench/results/lap-time-probes.md, third round).
 */
export type SpeedControl =
  | { readonly kind: 'proportional'; readonly accelerate: number; readonly brake: number }
  | { readonly kind: 'dynamics'; readonly horizonS: number; readonly brakeHorizonS: number; readonly softBrakeMps?: number };

/**
 * Braking at 1.6 torque per m/s of predicted slow-down (was 0.6): the speed head predicts too
 * little of the slow-down a bend needs (bench/results/speed-trace.md), so a firmer answer to what
 * it does predict keeps the car on the road. Chosen on the validation tracks 5, 1234, 9 and 2048
 * x 4 themes with the shipped starter (bench/results/val-gain.md): 0.6 / 1.0 / 1.6 / 2.5 gave
 * 91.8 / 93.8 / 95.7 / 95.7% autonomy, lap time 1.026 / 1.038 / 1.045 / 1.053x the expert's.
 */
export const PROPORTIONAL_SPEED_CONTROL: SpeedControl = { kind: 'proportional', accelerate: 0.25, brake: 1.6 };

/**
 * The default: the car's own force toward the predicted speed, reached in 0.5 s when speeding up
 * and in 0.1 s when slowing down. The firm braking horizon plays the part the proportional
 * controller's firm brake gain did (the speed head predicts too little of a bend's slow-down).
 * Chosen on the validation tracks 5, 1234, 9 and 2048 x 4 themes (bench/results/speed-control.md).
 */
export const CRUISE_SPEED_CONTROL: SpeedControl = { kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 0.1 };
export const DEFAULT_SPEED_CONTROL: SpeedControl = CRUISE_SPEED_CONTROL;

/** The player's choices (Settings > Speed control). */
export const SPEED_CONTROL_CHOICES = ['cruise', 'proportional'] as const;
export const SPEED_CONTROLS: Readonly<Record<(typeof SPEED_CONTROL_CHOICES)[number], SpeedControl>> = { cruise: CRUISE_SPEED_CONTROL, proportional: PROPORTIONAL_SPEED_CONTROL };

/**
 * Seconds the model may hold the car below STALL_SPEED (m/s) with a prediction in hand before that
 * counts as an intervention (and again every STALL_S after): a car that never moves never leaves
 * the road, and would otherwise score 100% autonomy standing still.
 */
export const STALL_S = 5;
export const STALL_SPEED = 0.5;

export const DEFAULT_AUTOPILOT: AutopilotOptions = { timing: 'realtime', throttle: 'speed', rateHz: 20, handBackTicks: 30, governor: false, speedControl: DEFAULT_SPEED_CONTROL };

/** Share of the tyres' grip the governor lets the commanded turn use. */
export const GOVERNOR_GRIP = 0.65;

/**
 * The governor's limit on torque: none (1) while the commanded turn fits the grip, braking in
 * proportion to the excess speed otherwise. `steer` is -1..1 of `maxSteer` (rad).
 */
export function governedTorque(torque: number, steer: number, speed: number, car: { frontAxle: number; rearAxle: number; maxSteer: number; gripRoad: number }): number {
  const delta = Math.abs(steer) * car.maxSteer;
  const curvature = Math.tan(delta) / (car.frontAxle + car.rearAxle);
  if (curvature < 1e-3 || speed <= 0) return torque;
  const vMax = Math.sqrt((GOVERNOR_GRIP * car.gripRoad * 9.81) / curvature);
  return speed > vMax ? Math.min(torque, -clamp(0.4 * (speed - vMax), 0, 1)) : torque;
}

/** The car's own figures the 'dynamics' speed controller reads. */
export type CarDynamics = Pick<CarParams, 'mass' | 'driveForce' | 'power' | 'brakeForce' | 'dragCoefficient' | 'rollingRoad'>;

/**
 * Throttle from the speed head: toward the predicted speed `target` (m/s) from the car's `speed`,
 * by the controller's kind (SpeedControl).
 */
export function torqueForSpeed(target: number, speed: number, control: SpeedControl = DEFAULT_SPEED_CONTROL, car: CarDynamics = DEFAULT_CAR): number {
  const gap = target - speed;
  if (control.kind === 'proportional') return clamp((gap >= 0 ? control.accelerate : control.brake) * gap + (target > 0.5 ? 0.15 : 0), -1, 1);
  const v = Math.max(speed, 0);
  const resist = car.rollingRoad * car.mass * GRAVITY + car.dragCoefficient * v * v;
  const soft = control.softBrakeMps ?? 0;
  const accel = gap >= -soft ? gap / control.horizonS : -soft / control.horizonS + (gap + soft) / control.brakeHorizonS;
  const force = car.mass * accel + resist;
  return clamp(force >= 0 ? force / Math.min(car.driveForce, car.power / Math.max(v, 1)) : force / car.brakeForce, -1, 1);
}

/**
 * Throttle from both heads: the speed controller's answer toward the predicted speed, pushed
 * further by the torque head when that asks for more of the same: harder acceleration where the
 * model predicts a speed-up (the P controller alone gives 0.15 + 0.25 per m/s, less than the
 * expert's pedal), harder braking where it predicts a slow-down. The torque head never turns a
 * predicted speed-up into braking or the reverse.
 */
export function torqueForHeads(out: Pick<ModelOutput, 'speed' | 'torque'>, speed: number, control: SpeedControl = DEFAULT_SPEED_CONTROL, car: CarDynamics = DEFAULT_CAR): number {
  const c = torqueForSpeed(out.speed, speed, control, car);
  const h = clamp(out.torque, -1, 1);
  return out.speed >= speed ? Math.max(c, h) : Math.min(c, h);
}

/** The autopilot's throttle for a model output at the car's speed (m/s), by its throttle source (no governor). */
export function modelTorque(out: Pick<ModelOutput, 'speed'> & { torque?: number }, speed: number, opts: Pick<AutopilotOptions, 'throttle' | 'speedControl'>, car: CarDynamics = DEFAULT_CAR): number {
  const t = opts.throttle;
  if (t === 'speed' || out.torque === undefined) return torqueForSpeed(out.speed, speed, opts.speedControl, car);
  if (t === 'torque') return clamp(out.torque, -1, 1);
  return torqueForHeads({ speed: out.speed, torque: out.torque }, speed, opts.speedControl, car);
}

export interface AutopilotStats {
  /** Ticks the autopilot has been engaged (driving or taken over). */
  engagedTicks: number;
  interventions: number;
  /** Latency of the last predictions, ms (frame captured to prediction back). */
  latencyMs: number;
  /** Predictions applied per second, over the last second. */
  rateHz: number;
}

export class Autopilot {
  opts: AutopilotOptions;
  /** The newest prediction and the tick its frame was captured at. */
  latest: (ModelOutput & { tick: number }) | null = null;
  /** True while the human holds the wheel. */
  humanHasWheel = false;
  private quietTicks = 0;
  readonly stats: AutopilotStats = { engagedTicks: 0, interventions: 0, latencyMs: 0, rateHz: 0 };
  private applied: number[] = [];
  private latencies: number[] = [];

  constructor(opts: Partial<AutopilotOptions> = {}) {
    this.opts = { ...DEFAULT_AUTOPILOT, ...opts };
  }

  /** Ticks between control ticks. */
  get every(): number {
    return Math.max(1, Math.round(TICK_HZ / this.opts.rateHz));
  }

  isControlTick(world: World): boolean {
    return world.tick % this.every === 0;
  }

  /** A prediction came back for a frame captured at `tick`, `latencyMs` after capture. */
  receive(out: ModelOutput, tick: number, latencyMs: number, nowTick: number): void {
    if (this.latest && tick < this.latest.tick) return; // an older frame overtaken: ignore
    this.latest = { ...out, tick };
    this.latencies.push(latencyMs);
    if (this.latencies.length > 20) this.latencies.shift();
    this.stats.latencyMs = [...this.latencies].sort((a, b) => a - b)[Math.floor(this.latencies.length / 2)];
    this.applied.push(nowTick);
    while (this.applied.length && this.applied[0] < nowTick - TICK_HZ) this.applied.shift();
    this.stats.rateHz = this.applied.length;
  }

  /** The model's controls for the world as it is (hold the last prediction between control ticks). */
  modelControls(world: World): Controls {
    if (!this.latest) return { steer: 0, torque: -0.3 }; // no prediction yet: hold the car
    const steer = clamp(this.latest.steering, -1, 1);
    const speed = carSpeed(world.car);
    let torque = modelTorque(this.latest, speed, this.opts, world.params);
    if (this.opts.governor) torque = governedTorque(torque, steer, speed, world.params);
    return { steer, torque };
  }

  /**
   * Who drives this tick. `takeover` is the human's input beyond the threshold. Returns whether
   * the human drives and whether this tick began an intervention.
   */
  arbitrate(takeover: boolean): { human: boolean; intervention: boolean } {
    this.stats.engagedTicks++;
    if (takeover) {
      this.quietTicks = 0;
      if (!this.humanHasWheel) {
        this.humanHasWheel = true;
        this.stats.interventions++;
        return { human: true, intervention: true };
      }
      return { human: true, intervention: false };
    }
    if (this.humanHasWheel && ++this.quietTicks >= this.opts.handBackTicks) this.humanHasWheel = false;
    return { human: this.humanHasWheel, intervention: false };
  }

  /**
   * An intervention no key press made: the car left the road under the model, or the model held it
   * at a standstill for STALL_S (a driver would take over).
   */
  ruleIntervention(): void {
    this.stats.interventions++;
  }

  resetStats(): void {
    this.stats.engagedTicks = 0;
    this.stats.interventions = 0;
    this.latest = null;
    this.humanHasWheel = false;
    this.quietTicks = 0;
  }
}
