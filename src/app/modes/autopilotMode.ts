// Autopilot mode: prepare() makes sure a model is loaded (the last used, else the newest, else
// the starter shipped with the game) while the previous mode still runs; enter() hands the model
// the wheel and, in lockstep timing, starts the loop that steps the world after each prediction;
// exit() takes the wheel back (which also closes any takeover clip). Takeover clips belong to the
// AutopilotController and are labelled 'takeover'.

import type { HumanSample } from '../../input/humanInput.ts';
import type { TimingMode } from '../autopilot.ts';
import type { Session } from '../session.ts';
import type { Mode } from './mode.ts';

/** What the mode needs of the AutopilotController (tests pass a fake). */
export interface AutopilotPort {
  readonly model: { id: string } | null;
  readonly isEngaged: boolean;
  readonly autopilot: { opts: { timing: TimingMode } };
  engage(): boolean;
  disengage(): void;
  tick(sample: HumanSample): void;
  lockstepControlTick(humanSample: () => HumanSample): Promise<void>;
  loadModel(id: string): Promise<void>;
}

/** The models the driving worker holds, and a way to add the starter (modes/autopilotModels.ts). */
export interface ModelShelf {
  list(): Promise<readonly { id: string }[]>;
  installStarter(): Promise<void>;
}

export interface AutopilotModeHost {
  session: Session;
  autopilot: AutopilotPort;
  models: ModelShelf;
  notify(text: string, kind: 'info' | 'ok' | 'warn' | 'error'): void;
  /** The human's input for one tick (lockstep samples it per tick). */
  humanSample(): HumanSample;
  paused(): boolean;
  /** The model took the wheel (the first-run guide notes it). */
  engaged(modelId: string): void;
  sleep(ms: number): Promise<void>;
  /** Wall-clock ms, for pacing lockstep to real time at most. */
  now(): number;
  /** ms between two control ticks (lockstep pacing). */
  controlPeriodMs(): number;
}

export interface AutopilotMode extends Mode {
  /** Starts the lockstep loop if the autopilot is engaged in lockstep timing (a setting changed). */
  resumeLockstep(): void;
}

export function createAutopilotMode(host: AutopilotModeHost): AutopilotMode {
  const ap = host.autopilot;
  let lockstepRunning = false;

  async function runLockstep(): Promise<void> {
    if (lockstepRunning) return;
    lockstepRunning = true;
    try {
      let next = host.now();
      while (ap.isEngaged && ap.autopilot.opts.timing === 'lockstep') {
        if (host.paused()) {
          await host.sleep(50);
          next = host.now();
          continue;
        }
        await ap.lockstepControlTick(() => host.humanSample());
        next += host.controlPeriodMs();
        const wait = next - host.now();
        if (wait > 0) await host.sleep(wait);
        else next = host.now();
      }
    } finally {
      lockstepRunning = false;
    }
  }

  const mode: AutopilotMode = {
    name: 'autopilot',
    async prepare() {
      if (!ap.model) {
        let models = await host.models.list();
        if (models.length === 0) {
          // A newcomer has no model yet: the starter, trained by the project's own pipeline on
          // expert data (npm run train:starter), drives in the first minute.
          host.notify('Loading the starter model…', 'info');
          await host.models.installStarter();
          models = await host.models.list();
        }
        if (models.length > 0) await ap.loadModel(models[models.length - 1].id);
      }
      if (!ap.model) {
        host.notify('No model to drive with yet: train one (Train) or pick one in the Training panel.', 'warn');
        return false;
      }
      return true;
    },
    enter() {
      if (!ap.engage()) return false;
      if (ap.model) host.engaged(ap.model.id);
      mode.resumeLockstep();
      return true;
    },
    exit() {
      ap.disengage();
      host.session.driver = 'human';
    },
    tick(sample) {
      if (!ap.isEngaged) host.session.tick({ human: sample.controls });
      else if (ap.autopilot.opts.timing !== 'lockstep') ap.tick(sample); // lockstep: runLockstep steps
    },
    resumeLockstep() {
      if (ap.isEngaged && ap.autopilot.opts.timing === 'lockstep') void runLockstep();
    },
  };
  return mode;
}
