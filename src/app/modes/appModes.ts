// The app's five modes wired to its parts: the recorder writes to the clip store through the dash
// camera, Autopilot drives the AutopilotController, Train pauses the loop and shows the Training
// panel, Race restarts with a ghost. Wiring only; what each mode does is in its own module.

import { CENTER_CAMERA, type ClipStore } from '../../data/index.ts';
import type { HumanSample } from '../../input/humanInput.ts';
import type { Renderer } from '../../render/index.ts';
import { TICK_HZ } from '../../sim/constants.ts';
import type { World } from '../../sim/world.ts';
import type { AutopilotController } from '../autopilotController.ts';
import { startRecording } from '../recorder.ts';
import type { Session } from '../session.ts';
import { type AutopilotMode, createAutopilotMode } from './autopilotMode.ts';
import { workerModelShelf } from './autopilotModels.ts';
import { ModeMachine, type ModeName } from './mode.ts';
import { createRecordMode, type RecordMode } from './recordMode.ts';
import { createDriveMode, createRaceMode, createTrainMode } from './simpleModes.ts';

type NoticeKind = 'info' | 'ok' | 'warn' | 'error';

export interface AppModesHost {
  session: Session;
  store: Promise<ClipStore | null>;
  renderer(): Renderer | null;
  dashFrameOf(world: World): Uint8Array | null;
  recordRateHz(): number;
  theme(): string;
  autopilot: AutopilotController;
  notify(text: string, kind: NoticeKind, ms?: number): void;
  showMode(m: ModeName): void;
  clearInput(): void;
  humanSample(): HumanSample;
  paused(): boolean;
  setPaused(p: boolean): void;
  /** Opens (true) or closes (false, if open) the Training panel. */
  showTrainingPanel(open: boolean): void;
  /** Lists the panel's data and starts the training worker. */
  prepareTraining(): void;
  /** Loads the current track's best ghost if the one held is for another track. */
  ghostForTrack(): void;
  /** A recording was saved. */
  recordingSaved(): void;
  /** The model took the wheel. */
  engaged(modelId: string): void;
  setMode(m: ModeName): void;
}

export interface AppModes {
  readonly machine: ModeMachine;
  readonly record: RecordMode;
  readonly autopilot: AutopilotMode;
}

export function createAppModes(h: AppModesHost): AppModes {
  const record = createRecordMode({
    session: h.session,
    open: async (world, onStopped) => {
      const st = await h.store;
      const r = h.renderer();
      if (!st || !r) return null;
      void st.requestPersistence();
      return startRecording(world, {
        store: st,
        render: (w) => h.dashFrameOf(w) ?? new Uint8Array(r.dashWidth * r.dashHeight * 3),
        rateHz: h.recordRateHz(),
        frameWidth: r.dashWidth,
        frameHeight: r.dashHeight,
        cameras: [CENTER_CAMERA],
        name: `Drive on ${h.session.track.name}, ${h.theme()}`,
        theme: h.theme(),
        now: () => Date.now(),
        onStopped,
      });
    },
    notify: h.notify,
    saved: h.recordingSaved,
    stopped: () => h.setMode('drive'),
  });
  const autopilot = createAutopilotMode({
    session: h.session,
    autopilot: h.autopilot,
    models: workerModelShelf(h.autopilot),
    notify: h.notify,
    humanSample: h.humanSample,
    paused: h.paused,
    engaged: h.engaged,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    now: () => performance.now(),
    controlPeriodMs: () => (h.autopilot.autopilot.every * 1000) / TICK_HZ,
  });
  const machine = new ModeMachine(
    { session: h.session, showMode: h.showMode, clearInput: h.clearInput, notify: h.notify },
    {
      drive: createDriveMode(),
      record,
      train: createTrainMode({ paused: h.paused, setPaused: h.setPaused, showPanel: h.showTrainingPanel, prepareTraining: h.prepareTraining }),
      autopilot,
      race: createRaceMode({ session: h.session, ghostForTrack: h.ghostForTrack }),
    },
  );
  return { machine, record, autopilot };
}
