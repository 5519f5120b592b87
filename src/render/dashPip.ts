// The dash camera's picture-in-picture on the main view: where it goes (a corner, a share of the
// view's width, a margin), and the quad that draws the dash render target's texture there with a
// thin dark border. Ownership: a PipQuad owns its geometry and material (not the texture).

import { Mesh, MeshBasicMaterial, OrthographicCamera, PlaneGeometry, Scene, type Texture, type WebGLRenderer } from 'three';

export type PipCorner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';

/** Where the dash picture-in-picture goes: a corner, its width as a share of the view's, a margin in CSS px. */
export interface PipLayout {
  readonly corner: PipCorner;
  readonly widthFraction: number;
  readonly marginPx: number;
}

export const DEFAULT_PIP: PipLayout = { corner: 'top-right', widthFraction: 0.3, marginPx: 12 };

/**
 * The dash picture-in-picture: 'off'; 'live' renders the dash camera at this frame's pose;
 * 'model' shows the frame renderDash last produced (exactly what the model saw).
 */
export type DashPip = 'off' | 'live' | 'model';

/** Pixels of dark border around the PiP. */
export const PIP_BORDER = 2;

/**
 * The PiP's rectangle in the view's CSS pixels, y counted from the bottom (as three's viewport
 * counts it): the dash frame's aspect, `widthFraction` of the view's width but at most 40% of
 * its height, `marginPx` plus the border in from the corner.
 */
export function pipRect(view: { readonly w: number; readonly h: number }, dash: { readonly width: number; readonly height: number }, pip: PipLayout): { x: number; y: number; w: number; h: number } {
  let w = Math.round(view.w * pip.widthFraction);
  let h = Math.round((w * dash.height) / dash.width);
  if (h > view.h * 0.4) {
    h = Math.round(view.h * 0.4);
    w = Math.round((h * dash.width) / dash.height);
  }
  const m = pip.marginPx + PIP_BORDER;
  const left = pip.corner.endsWith('left');
  const top = pip.corner.startsWith('top');
  const x = left ? m : view.w - m - w;
  const y = top ? view.h - m - h : m;
  return { x, y, w, h };
}

export interface PipQuad {
  /**
   * Draws the texture into `rect` (pipRect) over what the view holds, with its border; then
   * restores the full viewport of `view` and sets the clear colour to `clearColor`.
   */
  draw(renderer: WebGLRenderer, rect: ReturnType<typeof pipRect>, view: { readonly w: number; readonly h: number }, clearColor: number): void;
  dispose(): void;
}

export function createPipQuad(texture: Texture): PipQuad {
  const geometry = new PlaneGeometry(2, 2);
  const material = new MeshBasicMaterial({ map: texture, depthTest: false, depthWrite: false, toneMapped: false });
  const scene = new Scene();
  scene.add(new Mesh(geometry, material));
  const camera = new OrthographicCamera(-1, 1, 1, -1, 0, 1);
  return {
    draw(renderer, { x, y, w, h }, view, clearColor): void {
      const b = PIP_BORDER;
      renderer.setScissorTest(true);
      renderer.setScissor(x - b, y - b, w + 2 * b, h + 2 * b);
      renderer.setViewport(x - b, y - b, w + 2 * b, h + 2 * b);
      renderer.setClearColor(0x101418, 1);
      renderer.clear(true, true, false);
      renderer.setScissor(x, y, w, h);
      renderer.setViewport(x, y, w, h);
      renderer.render(scene, camera);
      renderer.setScissorTest(false);
      renderer.setViewport(0, 0, view.w, view.h);
      renderer.setClearColor(clearColor, 1);
    },
    dispose(): void {
      geometry.dispose();
      material.dispose();
    },
  };
}
