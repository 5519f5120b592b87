// The driving worker's own dash camera, as the autopilot controller sees it: which scene the worker
// was given (by key) and whether it draws it. Real-time frames are rendered in the worker once its
// camera holds the scene the page draws now; until then, after a change of scene (another track,
// theme, camera size or scenery) and wherever the worker cannot draw (no OffscreenCanvas or WebGL2
// in workers, a lost context), the page renders them as before.

import type { DashSceneResult } from '../../workers/steeringApi.ts';
import { type DashScene, dashSceneKey } from '../render/dashCamera.ts';
import type { Renderer } from '../render/renderer.ts';
import type { Track } from '../sim/track.ts';
import { trackToFile } from '../sim/trackJson.ts';

/** Where the real-time autopilot's frames are rendered: the driving worker's own dash camera, or the page's. */
export type DashSource = 'worker' | 'page';

/** A dash scene with the live track object (cheap to ask for at every control tick; copied only on a change). */
export type DashSceneParts = Omit<DashScene, 'track'> & { track: Track };

interface SceneEntry {
  readonly key: string;
  state: 'pending' | 'ready' | 'failed';
  reason: string;
}

export class WorkerDash {
  private scene: SceneEntry | null = null;
  private said = false;

  /** `notify` hears, once, why the worker cannot draw. */
  constructor(private readonly notify: (text: string) => void) {}

  /**
   * Where this control tick's frame is rendered, given the scene the page draws now: 'worker' once
   * the worker's camera holds it; on a new scene the worker is given it (`setScene`) and the page
   * renders meanwhile.
   */
  source(parts: DashSceneParts | null, setScene: (scene: DashScene) => Promise<DashSceneResult>): DashSource {
    if (!parts) return 'page';
    const key = dashSceneKey(parts);
    if (this.scene?.key === key) return this.scene.state === 'ready' ? 'worker' : 'page';
    const scene = sceneToPost(parts);
    const entry: SceneEntry = { key, state: 'pending', reason: '' };
    this.scene = entry;
    setScene(scene).then(
      (r) => (r.ok ? (entry.state = 'ready') : this.failed(entry, r.reason)),
      (e: Error) => this.failed(entry, e.message),
    );
    return 'page';
  }

  /** The scene the worker draws now, or null (for `failFrame`). */
  get current(): object | null {
    return this.scene?.state === 'ready' ? this.scene : null;
  }

  get ready(): boolean {
    return this.scene?.state === 'ready';
  }

  /** Why the worker does not render the frames (null: it does, or has not been asked yet). */
  get problem(): string | null {
    return this.scene?.state === 'failed' ? this.scene.reason : null;
  }

  /** A frame of `scene` could not be rendered in the worker: the page renders the next ones. */
  failFrame(scene: object | null, reason: string): void {
    if (scene && scene === this.scene) this.failed(this.scene, reason);
  }

  /** A new worker has no scene yet. */
  forget(): void {
    this.scene = null;
  }

  private failed(entry: SceneEntry, reason: string): void {
    entry.state = 'failed';
    entry.reason = reason;
    if (this.said) return;
    this.said = true;
    this.notify(`The model's camera cannot be drawn next to it in its worker (${reason}); the page draws it, so answers come a little later.`);
  }
}

/** The scene a page renderer's dash camera draws on a track now. */
export function dashSceneOf(r: Renderer, track: Track): DashSceneParts {
  return { track, theme: r.theme, width: r.dashWidth, height: r.dashHeight, sceneryDensity: r.quality.sceneryDensity, shadows: r.quality.shadows, pixelRatio: r.quality.pixelRatio };
}

/** The plain-data scene for the worker: the track as its file holds it (the worker rebuilds the same geometry). */
export function sceneToPost(parts: DashSceneParts): DashScene {
  const { id, name, width, controlPoints } = trackToFile(parts.track);
  return { ...parts, track: { id, name, width, controlPoints } };
}
