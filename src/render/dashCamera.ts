// The dash camera on its own: a renderer on an OffscreenCanvas that only ever draws the dash view
// and reads it back. The driving worker owns one, so the real-time autopilot's frame is rendered
// next to the model, off the page's main thread (issue 15's live latency; on software GL the two
// contexts still share one GPU process, and the latency measured the same: live-latency.md). It
// draws the scene the page's renderer draws (the same track mesh, scenery, theme, quality and
// pixel ratio), so its frames are the page's renderDash frames byte for byte on the same GL (e2e
// liveLatency.spec checks it).

import { buildTrack } from '../sim/track.ts';
import type { DashView } from './cameraRig.ts';
import type { CarPose } from './pose.ts';
import { createRenderer, type Renderer } from './renderer.ts';
import { isThemeName, type ThemeName } from './themes.ts';

/** Everything the dash frame depends on besides the pose: plain data, so it can be posted to a worker. */
export interface DashScene {
  /** The track as its file holds it (the worker rebuilds the same geometry and scenery from it). */
  readonly track: { readonly id: string; readonly name: string; readonly width: number; readonly controlPoints: readonly (readonly [number, number])[] };
  readonly theme: ThemeName;
  readonly width: number;
  readonly height: number;
  /**
   * The page renderer's scenery density, shadows and pixel ratio: all three show in the dash
   * frame (the ratio through three's point sizes: the stars at night).
   */
  readonly sceneryDensity: number;
  readonly shadows: boolean;
  readonly pixelRatio: number;
}

/** A key that changes whenever a scene would draw differently (the worker's scene is rebuilt then). */
export function dashSceneKey(s: DashScene): string {
  return `${s.track.id}|${s.track.width}|${s.track.controlPoints.length}|${s.theme}|${s.width}x${s.height}|${s.sceneryDensity}|${s.shadows ? 1 : 0}|${s.pixelRatio}`;
}

export interface DashCamera {
  readonly key: string;
  readonly softwareGl: boolean;
  /** The frame of a pose (RGB, row 0 at the top), into `out` if given; null while the context is lost. */
  render(pose: CarPose, view?: DashView, out?: Uint8Array): Uint8Array | null;
  dispose(): void;
}

/**
 * A dash camera for a scene, on an OffscreenCanvas. Throws NoWebGLError where the context has no
 * WebGL2 (an older browser's worker): the caller then keeps rendering on the page.
 */
export function createDashCamera(scene: DashScene): DashCamera {
  if (typeof OffscreenCanvas === 'undefined') throw new Error('this browser has no OffscreenCanvas');
  if (!isThemeName(scene.theme)) throw new RangeError(`unknown theme '${String(scene.theme)}'`);
  const track = buildTrack({ id: scene.track.id, name: scene.track.name, width: scene.track.width, controlPoints: scene.track.controlPoints.map((p) => [p[0], p[1]]) });
  // The main view is never drawn: a tiny canvas keeps its buffer small (at least a pixel at any ratio).
  const canvas = new OffscreenCanvas(4, 4);
  const r: Renderer = createRenderer({
    canvas,
    track,
    theme: scene.theme,
    dashWidth: scene.width,
    dashHeight: scene.height,
    quality: { sceneryDensity: scene.sceneryDensity, shadows: scene.shadows, pixelRatio: scene.pixelRatio, antialias: false },
  });
  return {
    key: dashSceneKey(scene),
    softwareGl: r.softwareGl,
    render: (pose, view, out) => r.renderDash(pose, view, out),
    dispose: () => r.dispose(),
  };
}
