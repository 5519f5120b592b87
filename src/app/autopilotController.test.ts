// The hand-back rule: a takeover that ends off the road must not give the model the car on the
// grass, and the autonomy figure must not rise while the car is off the road.
import { describe, expect, it } from 'vitest';
import type { HumanSample } from '../input/humanInput.ts';
import type { AutopilotController } from './autopilotController.ts';
import { TICK_HZ } from '../sim/constants.ts';
import { STALL_S } from './autopilot.ts';
import { controllerOnOval, engageTestModel } from './autopilotController.fixtures.ts';
import type { LapEvent, Session } from './session.ts';
import { verifyReplay } from '../scoring/replay.ts';

function setup(): { ctrl: AutopilotController; session: Session } {
  const { ctrl, session } = controllerOnOval({ handBackTicks: 30, governor: false, throttle: 'torque' });
  engageTestModel(ctrl);
  return { ctrl, session };
}

const human = (steer: number, torque: number, takeover: boolean): HumanSample => ({
  controls: { steer, torque }, activity: takeover ? 1 : 0, takeover, device: takeover ? 'keyboard' : null,
});

/** The model (no prediction yet: it holds the car) drives on the road, then the human steers off it. */
function driveOffRoad(ctrl: AutopilotController, session: Session, onRoadTicks = 120): void {
  for (let i = 0; i < onRoadTicks; i++) ctrl.tick(human(0, 0, false));
  let n = 0;
  while (!session.world.offRoad) {
    ctrl.tick(human(1, 1, true));
    if (++n > 60 * 30) throw new Error('the car never left the road');
  }
  expect(ctrl.autopilot.humanHasWheel).toBe(true);
}

describe('autopilot hand-back off the road', () => {
  it('puts the car back on the road and counts an intervention when the wheel is handed back off it', () => {
    const { ctrl, session } = setup();
    driveOffRoad(ctrl, session);
    expect(ctrl.autopilot.stats.interventions).toBe(1); // the takeover
    // The player lets go on the grass: the model must not get the car there.
    let handedBack = false;
    for (let i = 0; i < 60 && !handedBack; i++) {
      ctrl.tick(human(0, 0, false));
      handedBack = !ctrl.autopilot.humanHasWheel;
    }
    expect(handedBack).toBe(true);
    expect(session.world.offRoad).toBe(false);
    expect(session.driver).toBe('autopilot');
    expect(ctrl.autopilot.stats.interventions).toBe(2);
    // Driving on afterwards: still on the road (the model holds the car still at worst).
    for (let i = 0; i < 60; i++) ctrl.tick(human(0, 0, false));
    expect(session.world.offRoad).toBe(false);
  });

  it('does not raise autonomy while the car is off the road', () => {
    const { ctrl, session } = setup();
    driveOffRoad(ctrl, session, 60 * 20); // 20 s on the road first, so one takeover leaves the figure above 0
    const before = ctrl.autonomy;
    expect(before).toBeGreaterThan(0.5);
    const hud0 = ctrl.hudInfo()!.autonomy;
    // Held off the road by the human for a while, then released: the figure must not climb.
    for (let i = 0; i < 90; i++) {
      ctrl.tick(human(0, -1, true));
      if (!session.world.offRoad) break;
      expect(ctrl.autonomy).toBeLessThanOrEqual(before + 1e-12);
    }
    expect(ctrl.hudInfo()!.autonomy).toBeLessThanOrEqual(hud0 + 1e-12);
    for (let i = 0; i < 29; i++) {
      ctrl.tick(human(0, 0, false));
      if (session.world.offRoad) expect(ctrl.autonomy).toBeLessThanOrEqual(before + 1e-12);
    }
  });

  it('still hands back on the road as before (no extra intervention)', () => {
    const { ctrl, session } = setup();
    for (let i = 0; i < 120; i++) ctrl.tick(human(0, 0, false));
    for (let i = 0; i < 5; i++) ctrl.tick(human(0.1, 0, true));
    for (let i = 0; i < 30; i++) ctrl.tick(human(0, 0, false));
    expect(session.world.offRoad).toBe(false);
    expect(ctrl.autopilot.humanHasWheel).toBe(false);
    expect(ctrl.autopilot.stats.interventions).toBe(1);
    expect(ctrl.hudInfo()!.model).toBe('Test model');
  });
});

describe('a car the model holds still', () => {
  const stop = { steering: 0, speed: 0, torque: -1 };

  it('counts an intervention after STALL_S at a standstill with a prediction in hand, and again every STALL_S', () => {
    const notices: string[] = [];
    const { ctrl, session } = controllerOnOval({ handBackTicks: 30, governor: false, throttle: 'torque' }, undefined, (t) => notices.push(t));
    engageTestModel(ctrl);
    ctrl.autopilot.receive(stop, session.world.tick, 1, session.world.tick);
    for (let i = 0; i < STALL_S * TICK_HZ - 1; i++) ctrl.tick(human(0, 0, false));
    expect(ctrl.autopilot.stats.interventions).toBe(0);
    ctrl.tick(human(0, 0, false));
    expect(ctrl.autopilot.stats.interventions).toBe(1);
    expect(session.world.offRoad).toBe(false);
    for (let i = 0; i < STALL_S * TICK_HZ; i++) ctrl.tick(human(0, 0, false));
    expect(ctrl.autopilot.stats.interventions).toBe(2);
    expect(notices.filter((t) => /held the car still/.test(t))).toHaveLength(1);
    // 10 s standing with two interventions: the autonomy figure is not 100% (it was, before).
    expect(ctrl.autonomy).toBeLessThan(0.5);
  });

  it('does not count a car that moves, nor one waiting for its first prediction', () => {
    const { ctrl, session } = controllerOnOval({ handBackTicks: 30, governor: false, throttle: 'torque' });
    engageTestModel(ctrl);
    // No prediction yet: the autopilot holds the car; that is the worker's wait, not the model's choice.
    for (let i = 0; i < 2 * STALL_S * TICK_HZ; i++) ctrl.tick(human(0, 0, false));
    expect(ctrl.autopilot.stats.interventions).toBe(0);
    // Full throttle ahead: moving within the first second, never a stall.
    ctrl.autopilot.receive({ steering: 0, speed: 30, torque: 1 }, session.world.tick, 1, session.world.tick);
    for (let i = 0; i < 2 * STALL_S * TICK_HZ; i++) {
      ctrl.autopilot.receive({ steering: 0, speed: 30, torque: 1 }, session.world.tick, 1, session.world.tick);
      ctrl.tick(human(0, 0, false));
    }
    expect(ctrl.autopilot.stats.interventions).toBe(0);
  });

  it('keeps the lap verifiable: a stall intervention comes with a reset, as the replay requires', () => {
    const { ctrl, session } = controllerOnOval({ handBackTicks: 30, governor: false, throttle: 'torque' });
    engageTestModel(ctrl);
    const laps: LapEvent[] = [];
    session.onLap((e) => laps.push(e));
    let n = 0;
    while (laps.length < 2 && n < 60 * 400) {
      // The "model" answers as the expert would, except for 12 s in the first lap where it stops the car.
      const c = session.expert.control(session.world);
      const stopping = n >= 25 * TICK_HZ && n < 37 * TICK_HZ;
      ctrl.autopilot.receive(stopping ? stop : { steering: c.steer, speed: 0, torque: c.torque }, session.world.tick, 1, session.world.tick);
      ctrl.tick(human(0, 0, false));
      n++;
    }
    expect(ctrl.autopilot.stats.interventions).toBeGreaterThanOrEqual(1);
    const withStall = laps.find((l) => l.replay.interventions.length > 0);
    expect(withStall).toBeDefined();
    const v = verifyReplay(withStall!.replay);
    expect(v.ok).toBe(true);
  });
});
