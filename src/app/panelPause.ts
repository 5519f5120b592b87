// Side panels pause the game while they are open, if the player's setting says so: opening one
// on a running game pauses it; closing the last one resumes it, but only if this module paused
// it and nothing resumed it meanwhile (Train mode, help and auto-record pause on their own and
// keep their own rules). The rule is a pure step; the wiring watches the shell's drawer.
//
// Ownership: owns a MutationObserver on the shell's root; dispose() disconnects it.

export interface PanelPauseState {
  /** This module paused the game (and will resume it on close). */
  readonly pausedByPanel: boolean;
}

export interface PanelPauseInput {
  readonly panelOpen: boolean;
  readonly paused: boolean;
  readonly enabled: boolean;
}

/** What to do as a panel opens or closes: set `pause` to pause or resume, or leave it alone. */
export function panelPauseStep(state: PanelPauseState, now: PanelPauseInput): { state: PanelPauseState; pause?: boolean } {
  if (now.panelOpen) {
    if (!state.pausedByPanel && now.enabled && !now.paused) return { state: { pausedByPanel: true }, pause: true };
    return { state };
  }
  if (state.pausedByPanel && now.paused) return { state: { pausedByPanel: false }, pause: false };
  return { state: { pausedByPanel: false } };
}

export interface PanelPauseHost {
  /** The element whose class says a panel is open (the shell's root: ds-drawer-open). */
  readonly root: HTMLElement;
  /** Which panel is open. */
  openPanel(): string | null;
  enabled(): boolean;
  paused(): boolean;
  setPaused(p: boolean): void;
}

export function watchPanelPause(host: PanelPauseHost): { dispose(): void } {
  let state: PanelPauseState = { pausedByPanel: false };
  let wasOpen: string | null = host.openPanel();
  const check = (): void => {
    const open = host.openPanel();
    if (open === wasOpen) return;
    wasOpen = open;
    // The Training panel comes with Train mode, which pauses the game itself.
    if (open === 'training') return;
    const r = panelPauseStep(state, { panelOpen: open !== null, paused: host.paused(), enabled: host.enabled() });
    state = r.state;
    if (r.pause !== undefined) host.setPaused(r.pause);
  };
  const observer = new MutationObserver(check);
  observer.observe(host.root, { attributes: true, attributeFilter: ['class'] });
  return { dispose: () => observer.disconnect() };
}
