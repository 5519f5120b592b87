import { describe, expect, it } from 'vitest';
import { panelPauseStep, type PanelPauseState } from './panelPause.ts';

const idle: PanelPauseState = { pausedByPanel: false };

describe('panels pause the game (setting)', () => {
  it('opening a panel on a running game pauses it; closing resumes it', () => {
    const open = panelPauseStep(idle, { panelOpen: true, paused: false, enabled: true });
    expect(open.pause).toBe(true);
    const close = panelPauseStep(open.state, { panelOpen: false, paused: true, enabled: true });
    expect(close.pause).toBe(false);
    expect(close.state.pausedByPanel).toBe(false);
  });

  it('does nothing with the setting off', () => {
    const open = panelPauseStep(idle, { panelOpen: true, paused: false, enabled: false });
    expect(open.pause).toBeUndefined();
    expect(panelPauseStep(open.state, { panelOpen: false, paused: false, enabled: false }).pause).toBeUndefined();
  });

  it('leaves a game paused by something else paused on close', () => {
    const open = panelPauseStep(idle, { panelOpen: true, paused: true, enabled: true });
    expect(open.pause).toBeUndefined();
    expect(panelPauseStep(open.state, { panelOpen: false, paused: true, enabled: true }).pause).toBeUndefined();
  });

  it('does not pause again a game resumed while the panel stayed open, nor resume a running one', () => {
    const open = panelPauseStep(idle, { panelOpen: true, paused: false, enabled: true });
    const again = panelPauseStep(open.state, { panelOpen: true, paused: false, enabled: true }); // another panel
    expect(again.pause).toBeUndefined();
    expect(panelPauseStep(again.state, { panelOpen: false, paused: false, enabled: true }).pause).toBeUndefined();
  });
});
