// The 3D scene's canvas and renderer (or the page's explanation of why there is none), and where
// the HUD's pieces go when the viewport changes size.

import { hudLayout, type HudLayout } from '../hud/layout.ts';
import { createRenderer, NoWebGLError, type Renderer, type ThemeName } from '../render/index.ts';
import type { Track } from '../sim/track.ts';

export interface SceneHost {
  readonly viewport: HTMLElement;
  notify(text: string, kind: 'info' | 'ok' | 'warn' | 'error'): void;
  showFatal(title: string, detail: string): void;
}

/** Adds the scene canvas to the viewport and starts the renderer; null (with a full-page message) without WebGL. */
export function createScene(host: SceneHost, track: Track, theme: ThemeName): Renderer | null {
  const canvas = document.createElement('canvas');
  canvas.className = 'ds-scene';
  canvas.setAttribute('data-testid', 'scene');
  host.viewport.prepend(canvas);
  try {
    return createRenderer({
      canvas,
      track,
      theme,
      onContextLost: () => host.notify('The graphics device was lost: the view is paused until the browser restores it.', 'warn'),
      onContextRestored: () => host.notify('Graphics restored.', 'ok'),
    });
  } catch (e) {
    if (e instanceof NoWebGLError) host.showFatal('This browser cannot draw the road', e.message);
    else host.showFatal('The 3D view failed to start', (e as Error).message);
    return null;
  }
}

/**
 * Lays the view out for a viewport of width x height px: the dash picture and the overlays sit
 * under the minimap, clear of the road ahead. They live in the HUD's layer, which ends above the
 * touch controls while those show: `hudArea` is that layer's size (the viewport's by default),
 * so they lay out in it as the HUD does and stay clear of the pad and pedals.
 */
export function layoutView(
  width: number,
  height: number,
  parts: {
    renderer: Renderer | null;
    hud: { resize(): void };
    pip: { place(x: number, y: number, width: number): void };
    overlays: { place(l: HudLayout, dash: { x: number; y: number; width: number; height: number }): void };
  },
  hudArea: { width: number; height: number } = { width, height },
): void {
  const { renderer } = parts;
  renderer?.resize(width, height);
  parts.hud.resize();
  const l = hudLayout(hudArea.width, hudArea.height);
  const dashAspect = (renderer?.dashHeight ?? 66) / (renderer?.dashWidth ?? 200);
  const dash = { x: l.minimapBox.x, y: l.minimapBox.y + l.minimapBox.h + 8 * l.unit, width: l.minimapBox.w, height: l.minimapBox.w * dashAspect };
  // Too short a view for it under the minimap, above the speed panel (a phone turned sideways,
  // the touch controls showing): beside the minimap, on its left.
  if (dash.y + dash.height > Math.min(l.height, l.speed.y - 8 * l.unit)) Object.assign(dash, { x: l.minimapBox.x - 8 * l.unit - dash.width, y: l.minimapBox.y });
  parts.pip.place(dash.x, dash.y, dash.width);
  parts.overlays.place(l, dash);
}
