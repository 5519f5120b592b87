// What the app exposes to its own parts and to the test hook (src/app/testHook.ts); startApp
// in app.ts builds it.

import type { ClipStore, LapStore } from '../data/index.ts';
import type { HumanInput } from '../input/humanInput.ts';
import type { CameraMode, Renderer, ThemeName } from '../render/index.ts';
import type { World } from '../sim/world.ts';
import type { ModeName, Shell } from '../ui/shell.ts';
import type { AppSettings } from './appSettings.ts';
import type { AutoRecordPlan, AutoRecordProgress, AutoRecordResult, Learner } from './autoRecord.ts';
import type { AutopilotController } from './autopilotController.ts';
import type { Ghost } from './ghost.ts';
import type { Loop } from './loop.ts';
import type { ActiveRecording } from './recorder.ts';
import type { Session } from './session.ts';
import type { TrainingController } from './trainingController.ts';

export interface AppOptions {
  /** Install window.__deepsteer (e2e and bench builds). */
  testHook?: boolean;
}

/** What the app exposes to its own parts and to the test hook. */
export interface App {
  readonly session: Session;
  readonly shell: Shell;
  readonly loop: Loop;
  readonly renderer: Renderer | null;
  readonly input: HumanInput;
  readonly mode: ModeName;
  readonly fps: number;
  /** The clip library (opens asynchronously; resolves to null if IndexedDB is unavailable). */
  readonly store: Promise<ClipStore | null>;
  readonly recording: ActiveRecording | null;
  readonly autopilot: AutopilotController;
  readonly settings: AppSettings;
  readonly training: TrainingController;
  readonly laps: Promise<LapStore | null>;
  readonly ghost: Ghost | null;
  /** Records with the expert, pausing the game meanwhile (the Library's auto-record); `onClipStarted`: AutoRecordDeps'. */
  runAutoRecord(plan: AutoRecordPlan, onProgress?: (p: AutoRecordProgress) => void, signal?: AbortSignal, learner?: Learner, onClipStarted?: (clipId: string, index: number) => Promise<void>): Promise<AutoRecordResult>;
  updateSetting(key: string, value: number | string | boolean): void;
  /** Renders the dash camera for a world (its exact tick), shared by recorder, autopilot and PiP. */
  dashFrameOf(world: World): Uint8Array | null;
  setMode(m: ModeName): void;
  setTrack(id: string): void;
  setTheme(t: ThemeName): void;
  setCamera(c: CameraMode): void;
  dispose(): void;
}
