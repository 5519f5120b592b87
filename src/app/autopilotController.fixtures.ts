// Fixtures of the autopilot controller's tests (autopilotController.test.ts, autopilotGate.test.ts):
// a controller on the oval over a fake host (no clip store, the clock at 0, 200x66 dash frames),
// and a one-frame test model engaged on it.
import { expect } from 'vitest';
import { resolveTrack } from '../sim/tracks.ts';
import type { AutopilotOptions } from './autopilot.ts';
import { type AutopilotHost, AutopilotController } from './autopilotController.ts';
import { Session } from './session.ts';

/** A controller over a fake host; `dashFrame` gives the frame of every tick (default: none); `notify` hears its notices; `host` adds to the host. */
export function controllerOnOval(opts: Partial<AutopilotOptions>, dashFrame: () => Uint8Array | null = () => null, notify: (text: string) => void = () => {}, host: Partial<AutopilotHost> = {}): { ctrl: AutopilotController; session: Session } {
  const session = new Session({ track: resolveTrack('oval'), theme: 'day' });
  const ctrl = new AutopilotController({
    session,
    dashFrame,
    dashSize: () => ({ width: 200, height: 66 }),
    notify,
    store: Promise.resolve(null),
    theme: () => 'day',
    now: () => 0,
    backend: () => 'cpu',
    ...host,
  }, opts);
  return { ctrl, session };
}

/** Gives the controller a one-frame 200x66 model named 'Test model' and engages it (which must work). */
export function engageTestModel(ctrl: AutopilotController): void {
  ctrl.model = { id: 'm', name: 'Test model', window: 1, inputWidth: 200, inputHeight: 66 };
  expect(ctrl.engage()).toBe(true);
}
