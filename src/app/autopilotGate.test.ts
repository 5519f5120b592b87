// The real-time gate: the step after a control tick waits for that tick's prediction (bounded),
// so the control tick steps with its own frame; without the wait it steps with an older one.
import { describe, expect, it } from 'vitest';
import type { PredictResult } from '../../workers/steeringApi.ts';
import type { AutopilotController } from './autopilotController.ts';
import { controllerOnOval, engageTestModel } from './autopilotController.fixtures.ts';
import type { Session } from './session.ts';
import type { SteeringWorker } from './steeringClient.ts';

const quiet = { controls: { steer: 0, torque: 0 }, activity: 0, takeover: false, device: null } as const;

/** A controller over a fake worker whose answers the test releases by hand. */
function setup(): { ctrl: AutopilotController; session: Session; answer(steering: number): void; asked: () => number } {
  const { ctrl, session } = controllerOnOval({ governor: false, throttle: 'torque', timing: 'realtime' }, () => new Uint8Array(200 * 66 * 3));
  const waiting: ((p: PredictResult) => void)[] = [];
  let asked = 0;
  const worker = {
    api: {
      predict: () => {
        asked++;
        return new Promise<PredictResult>((r) => waiting.push(r));
      },
      resetPredictor: async () => {},
    },
    within: <T,>(_ms: number, call: Promise<T>) => call,
    onDeath: () => {},
    dead: false,
    terminate: () => {},
  } as unknown as SteeringWorker;
  ctrl.worker = worker;
  engageTestModel(ctrl);
  const answer = (steering: number): void => {
    const r = waiting.shift();
    if (!r) throw new Error('no prediction in flight');
    r({ steering, speed: 10, torque: 0.2, warm: true, ms: { preprocess: 0, encode: 0, recurrent: 0, total: 1 }, backend: 'cpu' });
  };
  return { ctrl, session, answer, asked: () => asked };
}

/** Ticks (as the loop does: gate first) until the world stands on a control tick with its frame in flight. */
function toControlTick(ctrl: AutopilotController, session: Session): void {
  do ctrl.tick(quiet);
  while (session.world.tick % ctrl.autopilot.every !== 0);
}

describe('real-time gate', () => {
  it('holds the step after a control tick until that frame\'s prediction is back, which then steps the control tick', async () => {
    const { ctrl, session, answer, asked } = setup();
    toControlTick(ctrl, session);
    expect(asked()).toBe(1);
    const t = session.world.tick;
    const gate = ctrl.gate();
    expect(gate).not.toBeNull();
    answer(0.4);
    await gate;
    expect(ctrl.gate()).toBeNull(); // answered: nothing to wait for
    ctrl.tick(quiet);
    expect(session.world.applied.steer).toBeCloseTo(0.4);
    const rec = ctrl.probe.list().find((r) => r.frameTick === t)!;
    expect(rec.appliedTick).toBe(t);
    // (Tick 0, engaged on a control tick, has no frame: the probe counts that one.)
    expect(ctrl.probe.violations().filter((v) => v.tick >= t)).toEqual([]);
  });

  it('without the wait the control tick steps with an older frame, and the probe says so', async () => {
    const { ctrl, session, answer } = setup();
    ctrl.realtimeWaitMs = 0;
    toControlTick(ctrl, session);
    answer(0.1);
    await Promise.resolve();
    await Promise.resolve();
    // The first prediction is back; the next control tick's answer comes a frame later.
    do {
      expect(ctrl.gate()).toBeNull();
      ctrl.tick(quiet);
    } while (session.world.tick % ctrl.autopilot.every !== 0);
    expect(ctrl.gate()).toBeNull();
    const t = session.world.tick;
    ctrl.tick(quiet); // steps control tick t with the previous frame's prediction
    expect(ctrl.probe.violations()).toContainEqual({ tick: t, frameTick: t - ctrl.autopilot.every, reason: 'stale' });
    expect(() => ctrl.probe.assertFresh()).toThrow(/control ticks stepped without their own frame/);
  });

  it('gives up waiting after realtimeWaitMs: the car drives on with the last prediction', async () => {
    const { ctrl, session } = setup();
    ctrl.realtimeWaitMs = 5;
    toControlTick(ctrl, session);
    const t0 = performance.now();
    await ctrl.gate();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(4);
    ctrl.tick(quiet);
    expect(ctrl.probe.violations()[0]).toMatchObject({ reason: 'none' });
  });

  it('does not wait while the human has the wheel', () => {
    const { ctrl, session } = setup();
    toControlTick(ctrl, session);
    ctrl.autopilot.humanHasWheel = true;
    expect(ctrl.gate()).toBeNull();
  });
});
