// The HUD overlay: a transparent pixi canvas for the graphics and a DOM layer for the text,
// stacked over the 3D view inside `container`. The app calls update(view) every animation
// frame with hudView(world, extras); the overlay renders only when something visible changed.
// pixi starts asynchronously: until it is up (or if it cannot start), the text still shows.
// Owns the canvas, the pixi renderer and scene, the DOM layer and a ResizeObserver.

import { autoDetectRenderer, type Renderer, type RendererPreference } from 'pixi.js';
import type { Track } from '../sim/track.ts';
import { createHudScene } from './hudScene.ts';
import { createHudText } from './hudText.ts';
import type { HudView } from './hudView.ts';
import { fitMinimap, hudLayout, type HudLayout, type MinimapFit, trackBounds } from './layout.ts';

export interface HudOptions {
  /** The element the HUD covers exactly: the 3D view's, or the top part of it left to the HUD. */
  container: HTMLElement;
  /**
   * The element the 3D view fills, when `container` is only its top part (the touch controls take
   * the bottom): the road ahead lies by the view's height (layout.ts). Default: the container.
   */
  view?: HTMLElement;
  /** The track for the minimap (null: no minimap until setTrack). */
  track: Track | null;
  /** Device pixels per CSS pixel; default devicePixelRatio, at most 2. */
  resolution?: number;
  /** Renderer preference; default WebGL (the best tested), falling back to the others. */
  preference?: RendererPreference;
}

export interface Hud {
  /** Shows a view. Call every animation frame; cheap when little changed. */
  update(view: HudView): void;
  /** A new track for the minimap. */
  setTrack(track: Track | null): void;
  /** Re-measures the container (also done by a ResizeObserver where there is one). */
  resize(): void;
  /** Shows or hides the whole HUD (the hudToggle intent). */
  setVisible(visible: boolean): void;
  /** Settles when the graphics are up, or have failed (the text layer works either way). */
  readonly ready: Promise<void>;
  dispose(): void;
}

/** Inner padding of the minimap panel, in layout units. */
const MINIMAP_PAD = 14;

export function createHud(opts: HudOptions): Hud {
  const { container } = opts;
  // NOTE mutates the container: the overlay is positioned against it.
  if (getComputedStyle(container).position === 'static') container.style.position = 'relative';
  const root = document.createElement('div');
  root.className = 'ds-hud';
  root.dataset.testid = 'hud';
  Object.assign(root.style, { position: 'absolute', inset: '0', pointerEvents: 'none', overflow: 'hidden', zIndex: '1' });
  container.appendChild(root);

  const text = createHudText(root);
  const scene = createHudScene();
  let track = opts.track;
  let bounds = track ? trackBounds(track) : null;
  let layout: HudLayout | null = null;
  let fit: MinimapFit | null = null;
  let renderer: Renderer | null = null;
  let lastView: HudView | null = null;
  let needsRender = false;
  let visible = true;
  let disposed = false;

  function render(): void {
    if (renderer && needsRender && visible) {
      renderer.render(scene.stage);
      needsRender = false;
    }
  }

  function resize(): void {
    if (disposed) return;
    const w = container.clientWidth;
    const h = container.clientHeight;
    const view = opts.view?.getBoundingClientRect();
    layout = hudLayout(w, h, view ? view.bottom - container.getBoundingClientRect().top : h);
    fit = bounds ? fitMinimap(bounds, layout.minimapBox, MINIMAP_PAD * layout.unit) : null;
    text.layout(layout, fit);
    scene.layout(layout, fit, track);
    renderer?.resize(layout.width, layout.height);
    if (lastView) {
      text.apply(lastView);
      scene.apply(lastView);
    }
    needsRender = true;
    render();
  }

  const resolution = opts.resolution ?? Math.min(2, window.devicePixelRatio || 1);
  const ready = autoDetectRenderer({
    preference: opts.preference ?? 'webgl',
    width: Math.max(1, container.clientWidth),
    height: Math.max(1, container.clientHeight),
    backgroundAlpha: 0,
    antialias: true,
    resolution,
    autoDensity: true,
  }).then(
    (r) => {
      if (disposed) {
        r.destroy({ removeView: true });
        return;
      }
      renderer = r;
      Object.assign(r.canvas.style, { position: 'absolute', left: '0', top: '0', pointerEvents: 'none' });
      root.insertBefore(r.canvas, text.root);
      resize();
    },
    (err: unknown) => {
      console.warn('HUD graphics unavailable; showing text only:', err);
    },
  );

  const observer = typeof ResizeObserver === 'function' ? new ResizeObserver(() => resize()) : null;
  observer?.observe(container);
  resize();

  return {
    update(view) {
      if (disposed) return;
      lastView = view;
      text.apply(view);
      if (scene.apply(view)) needsRender = true;
      render();
    },
    setTrack(next) {
      track = next;
      bounds = next ? trackBounds(next) : null;
      resize();
    },
    resize,
    setVisible(v) {
      visible = v;
      root.style.display = v ? '' : 'none';
      render();
    },
    ready,
    dispose() {
      if (disposed) return;
      disposed = true;
      observer?.disconnect();
      scene.destroy();
      renderer?.destroy({ removeView: true });
      renderer = null;
      text.dispose();
      root.remove();
    },
  };
}
