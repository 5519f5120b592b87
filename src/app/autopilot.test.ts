import { describe, expect, it } from 'vitest';
import { carSpeed, DEFAULT_CAR } from '../sim/car.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { createWorld, stepWorld } from '../sim/world.ts';
import { Autopilot, PROPORTIONAL_SPEED_CONTROL, type SpeedControl, governedTorque, modelTorque, torqueForHeads, torqueForSpeed } from './autopilot.ts';

describe('autopilot arbitration', () => {
  it('counts one intervention per takeover and hands back after a quiet spell', () => {
    const ap = new Autopilot({ handBackTicks: 10 });
    expect(ap.arbitrate(false)).toEqual({ human: false, intervention: false });
    expect(ap.arbitrate(true)).toEqual({ human: true, intervention: true });
    for (let i = 0; i < 5; i++) expect(ap.arbitrate(true)).toEqual({ human: true, intervention: false });
    for (let i = 0; i < 9; i++) expect(ap.arbitrate(false).human).toBe(true);
    expect(ap.arbitrate(false).human).toBe(false);
    expect(ap.arbitrate(true).intervention).toBe(true);
    expect(ap.stats.interventions).toBe(2);
    ap.ruleIntervention();
    expect(ap.stats.interventions).toBe(3);
  });

  it('applies the newest prediction and ignores one overtaken by a newer frame', () => {
    const ap = new Autopilot({ throttle: 'torque', governor: false });
    const w = createWorld(resolveTrack('oval'));
    expect(ap.modelControls(w).torque).toBeLessThan(0); // nothing yet: hold the car
    ap.receive({ steering: 0.2, speed: 10, torque: 0.5 }, 30, 12, 33);
    ap.receive({ steering: -0.9, speed: 10, torque: 0.5 }, 27, 40, 36);
    expect(ap.modelControls(w)).toEqual({ steer: 0.2, torque: 0.5 });
    expect(ap.stats.latencyMs).toBeGreaterThan(0);
  });

  it('brakes for a predicted slow-down harder than it accelerates for the same gap', () => {
    const gap = 0.5;
    const p = PROPORTIONAL_SPEED_CONTROL;
    if (p.kind !== 'proportional') throw new Error('unreachable');
    const up = torqueForSpeed(15 + gap, 15, p) - 0.15;
    const down = torqueForSpeed(15 - gap, 15, p) - 0.15;
    expect(up).toBeCloseTo(gap * p.accelerate, 6);
    expect(down).toBeCloseTo(-gap * p.brake, 6);
    expect(-down).toBeGreaterThan(up);
    expect(torqueForSpeed(10, 12, { kind: 'proportional', accelerate: 0.25, brake: 0.25 })).toBeCloseTo(-0.35, 6);
  });

  it('drives the throttle from the speed head toward the predicted speed', () => {
    expect(torqueForSpeed(20, 10)).toBeGreaterThan(0.5);
    expect(torqueForSpeed(10, 20)).toBeLessThan(-0.5);
    const ap = new Autopilot({ throttle: 'speed', governor: false });
    let w = createWorld(resolveTrack('oval'));
    ap.receive({ steering: 0, speed: 15, torque: -1 }, 0, 1, 0);
    for (let i = 0; i < 60 * 20; i++) w = stepWorld(w, ap.modelControls(w));
    expect(w.car.vx).toBeGreaterThan(13);
    expect(w.car.vx).toBeLessThan(17);
  });

  it("the 'dynamics' speed controller holds the predicted speed against drag, where the proportional one settles below it", () => {
    // On the oval's long straight from a standing start, asking for 25 m/s: steady state after 8 s.
    const hold = (control: SpeedControl) => {
      const ap = new Autopilot({ throttle: 'speed', governor: false, speedControl: control });
      let w = createWorld(resolveTrack('oval'));
      ap.receive({ steering: 0, speed: 25, torque: 0 }, 0, 1, 0);
      const speeds: number[] = [];
      for (let i = 0; i < 60 * 10; i++) {
        w = stepWorld(w, ap.modelControls(w));
        speeds.push(carSpeed(w.car));
      }
      return speeds;
    };
    const dyn = hold({ kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 0.5 });
    const prop = hold(PROPORTIONAL_SPEED_CONTROL);
    expect(Math.abs(dyn[dyn.length - 1] - 25)).toBeLessThan(0.2);
    expect(Math.max(...dyn)).toBeLessThan(25.5); // no overshoot
    expect(prop[prop.length - 1]).toBeLessThan(24.5);
    // Sooner too: both floor the pedal at first; the proportional one eases off early.
    expect(dyn.findIndex((v) => v > 24)).toBeLessThan(prop.findIndex((v) => v > 24) === -1 ? Infinity : prop.findIndex((v) => v > 24));
  });

  it("the 'dynamics' controller brakes with the force the slow-down asks for, harder for a shorter braking horizon", () => {
    const soft: SpeedControl = { kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 1 };
    const firm: SpeedControl = { kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 0.25 };
    // 2 m/s of slow-down in 1 s at 20 m/s: 2400 N of deceleration, drag and rolling give 396.6 N of it.
    const needed = (1200 * 2) / 1 - (0.015 * 1200 * 9.81 + 0.55 * 400);
    expect(torqueForSpeed(18, 20, soft)).toBeCloseTo(-needed / 11000, 6);
    expect(torqueForSpeed(18, 20, firm)).toBeLessThan(torqueForSpeed(18, 20, soft));
    expect(torqueForSpeed(0, 30, firm)).toBe(-1);
    // Holding: exactly what drag and rolling resistance take, as throttle.
    expect(torqueForSpeed(20, 20, soft)).toBeCloseTo((0.015 * 1200 * 9.81 + 0.55 * 400) / Math.min(6500, 60000 / 20), 6);
  });

  it("the 'dynamics' controller with softBrakeMps takes a small slow-down at the speed-up horizon, the rest of a large one at the braking horizon", () => {
    const firm: SpeedControl = { kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 0.1 };
    const banded: SpeedControl = { ...firm, softBrakeMps: 1 };
    const even: SpeedControl = { kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 0.5 };
    // Speed-ups and holding: the same as without the band.
    for (const target of [20, 21, 25]) expect(torqueForSpeed(target, 20, banded)).toBe(torqueForSpeed(target, 20, firm));
    // Within the band: as gentle as a 0.5 s horizon both ways, far from the firm brake.
    expect(torqueForSpeed(19.4, 20, banded)).toBeCloseTo(torqueForSpeed(19.4, 20, even), 12);
    expect(torqueForSpeed(19.4, 20, banded)).toBeGreaterThan(torqueForSpeed(19.4, 20, firm));
    // Beyond it: each further m/s is braked as firmly as without the band, and the force is continuous at the edge.
    const step = 1e-6;
    const slope = (c: SpeedControl, target: number) => (torqueForSpeed(target + step, 20, c) - torqueForSpeed(target, 20, c)) / step;
    const slow: SpeedControl = { kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 1 }; // unclamped for a few m/s
    expect(slope({ ...slow, softBrakeMps: 1 }, 17)).toBeCloseTo(slope(slow, 17), 3);
    expect(slope({ ...slow, softBrakeMps: 1 }, 19.5)).toBeCloseTo(slope(even, 19.5), 3);
    expect(Math.abs(torqueForSpeed(19 - step, 20, banded) - torqueForSpeed(19 + step, 20, banded))).toBeLessThan(1e-4);
    // A 4 m/s slow-down (a bend) still brakes hard; without a band nothing changes at all.
    expect(torqueForSpeed(16, 20, banded)).toBeLessThan(-0.8);
    expect(torqueForSpeed(16, 20, { ...firm, softBrakeMps: 0 })).toBe(torqueForSpeed(16, 20, firm));
  });

  it('with both heads, lets the torque head push harder in the speed head\'s direction, never against it', () => {
    const gains = PROPORTIONAL_SPEED_CONTROL;
    const c = torqueForSpeed(16, 15, gains); // a predicted speed-up of 1 m/s: 0.4
    expect(torqueForHeads({ speed: 16, torque: 0.9 }, 15, gains)).toBe(0.9); // the pedal the expert would press
    expect(torqueForHeads({ speed: 16, torque: 0.1 }, 15, gains)).toBeCloseTo(c, 9); // the head asks less: the controller's
    expect(torqueForHeads({ speed: 16, torque: -0.8 }, 15, gains)).toBeCloseTo(c, 9); // a speed-up never brakes
    const d = torqueForSpeed(14, 15, gains); // a predicted slow-down: brake
    expect(torqueForHeads({ speed: 14, torque: -1.5 }, 15, gains)).toBe(-1);
    expect(torqueForHeads({ speed: 14, torque: 0.9 }, 15, gains)).toBeCloseTo(d, 9); // a slow-down never accelerates harder
    // modelTorque picks the rule by the throttle source.
    const out = { steering: 0, speed: 16, torque: 0.9 };
    expect(modelTorque(out, 15, { throttle: 'speed', speedControl: gains })).toBeCloseTo(c, 9);
    expect(modelTorque(out, 15, { throttle: 'torque', speedControl: gains })).toBe(0.9);
    expect(modelTorque(out, 15, { throttle: 'both', speedControl: gains })).toBe(0.9);
    expect(modelTorque({ speed: 16 }, 15, { throttle: 'both', speedControl: gains })).toBeCloseTo(c, 9); // no torque head: the controller
  });

  it('with both heads, reaches the predicted speed sooner than the proportional speed controller alone', () => {
    const run = (throttle: 'speed' | 'both') => {
      const ap = new Autopilot({ throttle, governor: false, speedControl: PROPORTIONAL_SPEED_CONTROL });
      let w = createWorld(resolveTrack('oval'));
      ap.receive({ steering: 0, speed: 15, torque: 1 }, 0, 1, 0);
      let i = 0;
      for (; i < 30 * 60 && w.car.vx < 14.8; i++) w = stepWorld(w, ap.modelControls(w));
      return i;
    };
    expect(run('both')).toBeLessThan(0.8 * run('speed'));
  });
});

describe('speed governor', () => {
  it('leaves gentle turns alone and brakes when the commanded turn exceeds the grip', () => {
    expect(governedTorque(0.8, 0.02, 30, DEFAULT_CAR)).toBe(0.8);
    expect(governedTorque(0.8, 0.5, 5, DEFAULT_CAR)).toBe(0.8);
    expect(governedTorque(0.8, 0.5, 30, DEFAULT_CAR)).toBeLessThan(0);
    expect(governedTorque(0.8, -0.5, 30, DEFAULT_CAR)).toBe(governedTorque(0.8, 0.5, 30, DEFAULT_CAR));
  });
});
