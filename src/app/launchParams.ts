// Shareable links: `?track=<seed|preset>&theme=<name>&mode=<drive|record|train|autopilot|race>`
// (plus `backend=` and `seed=`). Anything unknown falls back to its default with a notice the
// player can see, never an error page.

import { isTrackId } from '../sim/tracks.ts';

export const MODES = ['drive', 'record', 'train', 'autopilot', 'race'] as const;
export type Mode = (typeof MODES)[number];

export interface LaunchParams {
  track: string;
  theme: string;
  mode: Mode;
  /** Forced ML backend, or undefined to calibrate. */
  backend?: string;
}

export interface LaunchChoices {
  themes: readonly string[];
  backends: readonly string[];
  defaults: { track: string; theme: string; mode: Mode };
}

export function parseLaunchParams(search: string, choices: LaunchChoices): { params: LaunchParams; notices: string[] } {
  const q = new URLSearchParams(search);
  const notices: string[] = [];
  const params: LaunchParams = { ...choices.defaults };

  const track = q.get('track');
  if (track !== null) {
    const t = track.trim().toLowerCase();
    if (isTrackId(t)) params.track = t;
    else notices.push(`Unknown track "${track}": showing ${choices.defaults.track} instead. Use a preset name or a number.`);
  }
  const theme = q.get('theme');
  if (theme !== null) {
    if (choices.themes.includes(theme)) params.theme = theme;
    else notices.push(`Unknown theme "${theme}": using ${choices.defaults.theme} (themes: ${choices.themes.join(', ')}).`);
  }
  const mode = q.get('mode');
  if (mode !== null) {
    if ((MODES as readonly string[]).includes(mode)) params.mode = mode as Mode;
    else notices.push(`Unknown mode "${mode}": starting in ${choices.defaults.mode} (modes: ${MODES.join(', ')}).`);
  }
  const backend = q.get('backend');
  if (backend !== null) {
    if (choices.backends.includes(backend)) params.backend = backend;
    else notices.push(`Unknown backend "${backend}": choosing the fastest automatically (backends: ${choices.backends.join(', ')}).`);
  }
  return { params, notices };
}

/** The link that reopens exactly this track, theme and mode. */
export function shareLink(base: string, p: LaunchParams): string {
  const q = new URLSearchParams({ track: p.track, theme: p.theme, mode: p.mode });
  if (p.backend) q.set('backend', p.backend);
  return `${base.split('?')[0]}?${q.toString()}`;
}
