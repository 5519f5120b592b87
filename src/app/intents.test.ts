import { describe, expect, it } from 'vitest';
import { INPUT_INTENTS } from '../input/keymap.ts';
import { type IntentActions, performIntent } from './intents.ts';
import type { ModeName } from './modes/mode.ts';

function actions() {
  const calls: string[] = [];
  const state = { mode: 'drive' as ModeName, paused: false, ghosts: true };
  const a: IntentActions = {
    mode: () => state.mode,
    setMode: (m) => {
      calls.push(`mode:${m}`);
      state.mode = m;
    },
    paused: () => state.paused,
    setPaused: (p) => {
      calls.push(`paused:${p}`);
      state.paused = p;
    },
    reset: () => calls.push('reset'),
    cycleCamera: () => calls.push('camera'),
    toggleHud: () => calls.push('hud'),
    toggleFullscreen: () => calls.push('fullscreen'),
    help: () => calls.push('help'),
    ghosts: () => state.ghosts,
    setGhosts: (on) => calls.push(`ghosts:${on}`),
    toggleOverlay: (k) => calls.push(`overlay:${k}`),
  };
  return { a, calls, state };
}

describe('performIntent', () => {
  it('the record and autopilot keys enter their mode and leave it again', () => {
    const { a, calls } = actions();
    for (const i of ['recordToggle', 'recordToggle', 'autopilotToggle', 'recordToggle', 'autopilotToggle'] as const) performIntent(i, a);
    expect(calls).toEqual(['mode:record', 'mode:drive', 'mode:autopilot', 'mode:record', 'mode:autopilot']);
  });

  it('pause and ghosts toggle their state; every intent does exactly one thing', () => {
    const { a, calls } = actions();
    performIntent('pause', a);
    performIntent('pause', a);
    performIntent('ghostToggle', a);
    expect(calls).toEqual(['paused:true', 'paused:false', 'ghosts:false']);
    for (const i of INPUT_INTENTS) {
      const { a: fresh, calls: c } = actions();
      performIntent(i, fresh);
      expect(c, i).toHaveLength(1);
    }
  });
});
