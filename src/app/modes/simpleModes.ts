// Drive, Train and Race: the modes that own little. Train pauses the game (the CPU goes to
// training) unless the player had paused it already, and resumes it on exit only if it paused
// it; Race restarts the lap and fetches a ghost for the track.

import type { Session } from '../session.ts';
import type { Mode } from './mode.ts';

export function createDriveMode(): Mode {
  return { name: 'drive', enter() {}, exit() {} };
}

export interface TrainModeHost {
  paused(): boolean;
  setPaused(p: boolean): void;
  /** Opens (true) or closes (false, only if it is the open one) the Training panel. */
  showPanel(open: boolean): void;
  /** Lists models and clips in the panel and starts the training worker (its backend shows). */
  prepareTraining(): void;
}

export function createTrainMode(host: TrainModeHost): Mode {
  let pausedByTraining = false;
  return {
    name: 'train',
    enter() {
      host.showPanel(true);
      host.prepareTraining();
      pausedByTraining = !host.paused();
      if (pausedByTraining) host.setPaused(true);
    },
    exit() {
      host.showPanel(false);
      if (pausedByTraining) host.setPaused(false);
      pausedByTraining = false;
    },
  };
}

export interface RaceModeHost {
  session: Session;
  /** Loads the best ghost of the current track if the one held is for another track. */
  ghostForTrack(): void;
}

export function createRaceMode(host: RaceModeHost): Mode {
  return {
    name: 'race',
    enter() {
      host.session.restart();
      host.ghostForTrack();
    },
    exit() {},
  };
}
