// The real-time gate: the step after a control tick waits for that tick's prediction (bounded),
// so the control tick steps with its own frame; without the wait it steps with an older one.
import { describe, expect, it } from 'vitest';
import type { PosePredictResult, PredictResult } from '../../workers/steeringApi.ts';
import type { CarPose } from '../render/pose.ts';
import type { AutopilotController } from './autopilotController.ts';
import { controllerOnOval, engageTestModel } from './autopilotController.fixtures.ts';
import type { Session } from './session.ts';
import type { SteeringWorker } from './steeringClient.ts';

const quiet = { controls: { steer: 0, torque: 0 }, activity: 0, takeover: false, device: null } as const;

/** A worker that answers through `api` (resetPredictor does nothing) and never dies. */
function fakeWorker(api: Record<string, unknown>): SteeringWorker {
  return {
    api: { resetPredictor: async () => {}, ...api },
    within: <T,>(_ms: number, call: Promise<T>) => call,
    onDeath: () => {},
    dead: false,
    terminate: () => {},
  } as unknown as SteeringWorker;
}

/** A controller over a fake worker whose answers the test releases by hand. */
function setup(): { ctrl: AutopilotController; session: Session; answer(steering: number): void; asked: () => number } {
  const { ctrl, session } = controllerOnOval({ governor: false, throttle: 'torque', timing: 'realtime' }, () => new Uint8Array(200 * 66 * 3));
  const waiting: ((p: PredictResult) => void)[] = [];
  let asked = 0;
  ctrl.worker = fakeWorker({
    predict: () => {
      asked++;
      return new Promise<PredictResult>((r) => waiting.push(r));
    },
  });
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

describe('real time with the worker\'s own dash camera', () => {
  /** A fake worker that draws: setDashScene answers at once, predictPose answers by hand (or fails). */
  function setupWorkerDash() {
    const shown: Uint8Array[] = [];
    const pageFrames: number[] = [];
    const { ctrl, session } = controllerOnOval({ governor: false, throttle: 'torque', timing: 'realtime' }, () => {
      pageFrames.push(session.world.tick);
      return new Uint8Array(200 * 66 * 3);
    }, () => {}, {
      dashScene: () => ({ track: session.track, theme: 'day', width: 200, height: 66, sceneryDensity: 1, shadows: false, pixelRatio: 0.5 }),
      wantsWorkerFrames: () => true,
      showWorkerFrame: (f) => shown.push(f),
    });
    const poses: { tick: number; x: number; heading: number }[] = [];
    const waiting: { ok: (p: PosePredictResult) => void; fail: (e: Error) => void; pose: boolean }[] = [];
    ctrl.worker = fakeWorker({
      setDashScene: async () => ({ ok: true, key: 'k', softwareGl: true }),
      predictPose: (pose: CarPose) => {
        poses.push({ tick: session.world.tick, x: pose.x, heading: pose.heading });
        return new Promise<PosePredictResult>((ok, fail) => waiting.push({ ok, fail, pose: true }));
      },
      predict: () => {
        pageFrames.push(-1);
        return new Promise<PredictResult>((ok, fail) => waiting.push({ ok, fail, pose: false }));
      },
    });
    engageTestModel(ctrl);
    const answer = async (steering: number): Promise<void> => {
      const w = waiting.shift()!;
      w.ok({ steering, speed: 10, torque: 0.2, warm: true, ms: { preprocess: 0, encode: 0, recurrent: 0, total: 1, ...(w.pose ? { render: 3 } : {}) }, backend: 'cpu', ...(w.pose ? { frame: new Uint8Array(200 * 66 * 3) } : {}) });
      for (let i = 0; i < 4; i++) await Promise.resolve();
    };
    const fail = async (message: string): Promise<void> => {
      waiting.shift()!.fail(new Error(message));
      for (let i = 0; i < 4; i++) await Promise.resolve();
    };
    return { ctrl, session, poses, pageFrames, shown, answer, fail };
  }

  it('sends the control tick\'s exact pose once the worker holds the scene; the gate holds for its answer', async () => {
    const { ctrl, session, poses, pageFrames, shown, answer } = setupWorkerDash();
    toControlTick(ctrl, session); // the worker is given the scene: this frame comes from the page
    expect(pageFrames.filter((t) => t >= 0)).toEqual([session.world.tick]);
    expect(ctrl.framesFromWorker).toBe(false);
    await answer(0.1);
    expect(ctrl.framesFromWorker).toBe(true);
    toControlTick(ctrl, session);
    const t = session.world.tick;
    expect(poses).toEqual([{ tick: t, x: session.world.car.x, heading: session.world.car.heading }]);
    expect(pageFrames.filter((x) => x >= 0)).toHaveLength(1); // the page rendered nothing for it
    const gate = ctrl.gate();
    expect(gate).not.toBeNull();
    await answer(-0.3);
    await gate;
    ctrl.tick(quiet);
    expect(session.world.applied.steer).toBeCloseTo(-0.3);
    const rec = ctrl.probe.list().find((r) => r.frameTick === t)!;
    expect(rec.capturedMs).toBe(rec.captureStartMs); // posting a pose: nothing rendered on the page
    expect(rec.workerMs).toBe(4); // the worker's render (3) and prediction (1)
    expect(rec.appliedTick).toBe(t);
    expect(shown).toHaveLength(1); // the worker's frame, for the PiP
  });

  it('a frame the worker cannot render sends the next control ticks through the page', async () => {
    const { ctrl, session, poses, pageFrames, fail, answer } = setupWorkerDash();
    toControlTick(ctrl, session);
    await answer(0);
    toControlTick(ctrl, session);
    expect(poses).toHaveLength(1);
    await fail("the worker's dash camera lost its GPU context");
    expect(ctrl.framesFromWorker).toBe(false);
    expect(ctrl.dash.problem).toMatch(/lost its GPU context/);
    toControlTick(ctrl, session);
    expect(poses).toHaveLength(1);
    expect(pageFrames.at(-1)).toBe(-1); // predicted from a page frame
  });

  it('with workerDash off the page renders every frame', async () => {
    const { ctrl, session, poses, answer } = setupWorkerDash();
    ctrl.workerDash = false;
    for (let i = 0; i < 3; i++) {
      toControlTick(ctrl, session);
      await answer(0);
    }
    expect(poses).toEqual([]);
    expect(ctrl.framesFromWorker).toBe(false);
  });
});
