// What each key or pad intent does, as one table over the app's actions (the loop polls the
// input each frame and hands every intent here). Toggles read the current state through the
// actions, so the same key leaves a mode it entered.

import type { InputIntent } from '../input/keymap.ts';
import type { ModeName } from './modes/mode.ts';

export type OverlayKind = 'saliency' | 'layers' | 'gates';

export interface IntentActions {
  mode(): ModeName;
  setMode(m: ModeName): void;
  paused(): boolean;
  setPaused(p: boolean): void;
  reset(): void;
  cycleCamera(): void;
  toggleHud(): void;
  toggleFullscreen(): void;
  help(): void;
  ghosts(): boolean;
  setGhosts(on: boolean): void;
  toggleOverlay(kind: OverlayKind): void;
}

export function performIntent(i: InputIntent, a: IntentActions): void {
  switch (i) {
    case 'pause':
      return a.setPaused(!a.paused());
    case 'reset':
      return a.reset();
    case 'cameraCycle':
      return a.cycleCamera();
    case 'hudToggle':
      return a.toggleHud();
    case 'fullscreen':
      return a.toggleFullscreen();
    case 'help':
      return a.help();
    case 'recordToggle':
      return a.setMode(a.mode() === 'record' ? 'drive' : 'record');
    case 'autopilotToggle':
      return a.setMode(a.mode() === 'autopilot' ? 'drive' : 'autopilot');
    case 'ghostToggle':
      return a.setGhosts(!a.ghosts());
    case 'saliencyToggle':
      return a.toggleOverlay('saliency');
    case 'layersToggle':
      return a.toggleOverlay('layers');
    case 'gatesToggle':
      return a.toggleOverlay('gates');
  }
}
