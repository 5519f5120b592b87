// Record mode: owns the player's recording. Entering arms it (the standing car is not recorded);
// the first tick the car moves opens a clip; every tick after that records the controls actually
// applied, labelled by who drove them (a model-driven tick is never recorded here). Exit closes
// the clip (saved, or discarded if empty) before the next mode runs a single tick, and a clip
// that finishes opening after exit is discarded at once.

import type { DataError } from '../../data/index.ts';
import { carSpeed } from '../../sim/car.ts';
import type { World } from '../../sim/world.ts';
import type { ActiveRecording } from '../recorder.ts';
import type { Session } from '../session.ts';
import type { Mode, ModeName } from './mode.ts';

/** Speed above which the armed recorder starts, m/s. */
const START_SPEED = 0.3;

export interface RecordModeHost {
  session: Session;
  /** Opens a clip at `world` (null if recording is unavailable: no store, no renderer). */
  open(world: World, onStopped: (err: DataError) => void): Promise<ActiveRecording | null>;
  notify(text: string, kind: 'info' | 'ok' | 'warn' | 'error', ms?: number): void;
  /** A clip was saved (the library refreshes, the first-run guide ticks a step). */
  saved(): void;
  /** The recording stopped on its own (a storage error): the app leaves Record. */
  stopped(): void;
}

export interface RecordMode extends Mode {
  readonly recording: ActiveRecording | null;
  /** A new track: the clip so far is closed; the next one starts when the car moves. */
  trackChanged(): Promise<void>;
  /** Writes what is buffered (the tab is closing or hidden). */
  flush(): void;
}

export function createRecordMode(host: RecordModeHost): RecordMode {
  let active = false;
  let armed = false;
  let opening = false;
  let recording: ActiveRecording | null = null;

  async function begin(): Promise<void> {
    if (recording || opening) return;
    opening = true;
    const session = host.session;
    try {
      const rec = await host.open(session.world, (err) => {
        host.notify(err.message, 'error');
        if (recording === rec) recording = null;
        if (active) host.stopped();
      });
      if (!rec) return;
      if (!active) {
        await rec.discard(); // Record was left while the clip was opening
        return;
      }
      recording = rec;
    } catch (e) {
      host.notify(`Could not start recording: ${(e as Error).message}`, 'error');
      if (active) host.stopped();
    } finally {
      opening = false;
    }
  }

  async function end(): Promise<void> {
    const rec = recording;
    recording = null;
    if (!rec) return;
    try {
      if (rec.frames === 0) {
        await rec.discard();
        return;
      }
      const meta = await rec.finish();
      host.notify(`Saved "${meta.name}": ${meta.frameCount} frames (${(meta.frameCount / meta.rateHz).toFixed(1)} s).`, 'ok');
      host.saved();
    } catch (e) {
      host.notify((e as Error).message, 'error');
    }
  }

  return {
    name: 'record',
    get recording() {
      return recording;
    },
    enter(_from: ModeName) {
      active = true;
      armed = true;
      host.notify('Recording starts as soon as the car moves.', 'info', 4000);
    },
    exit() {
      active = false;
      armed = false;
      return end();
    },
    afterTick() {
      const s = host.session;
      if (armed && carSpeed(s.world.car) > START_SPEED) {
        armed = false;
        void begin();
      }
      // Record mode never engages the model; a model tick here would be a wiring bug, and is not recorded as anyone's driving.
      if (s.driver === 'autopilot') return;
      recording?.afterTick(s.world, s.driver === 'expert' ? 'expert' : 'human');
    },
    async trackChanged() {
      if (!recording) return;
      await end();
      if (active) armed = true;
    },
    flush() {
      void recording?.writer.flush();
    },
    dispose() {
      active = false;
      return end();
    },
  };
}
