// What the app works out once per drawn frame, apart from drawing: the frame rate over the last
// second, where the race ghost is and how far ahead, and the ML backend badge's words.

import { ghostGapSeconds } from '../hud/hudView.ts';
import { type CarPose, poseOfCar } from '../render/index.ts';
import type { World } from '../sim/world.ts';
import type { ModeName } from './modes/mode.ts';

/** Frames per second, measured over windows of at least one second. */
export class FpsMeter {
  fps = 0;
  private frames = 0;
  constructor(private windowStart: number) {}

  /** Counts a frame at `now` ms; true when a window closed (the figure changed). */
  frame(now: number): boolean {
    this.frames++;
    if (now - this.windowStart < 1000) return false;
    this.fps = (this.frames * 1000) / (now - this.windowStart);
    this.frames = 0;
    this.windowStart = now;
    return true;
  }
}

export interface GhostLike {
  readonly trackId: string;
  sync(ticksIntoLap: number): World;
}

/** The race ghost's pose and the live gap to it (s, + behind), only in Race on the ghost's track with ghosts on. */
export function raceGhostView(o: { world: World; trackId: string; mode: ModeName; ghostsOn: boolean; ghost: GhostLike | null }): { pose: CarPose | null; gapS: number | null } {
  const { ghost, world } = o;
  if (!ghost || o.mode !== 'race' || !o.ghostsOn || ghost.trackId !== o.trackId) return { pose: null, gapS: null };
  const l = world.laps;
  const gw = ghost.sync(l.lapStartTick >= 0 ? world.tick - l.lapStartTick : 0);
  return { pose: poseOfCar(gw.car), gapS: l.lapStartTick >= 0 ? ghostGapSeconds(world, gw) : null };
}

interface BackendStatus {
  backend: string | null;
  chosenBy: string | null;
}

/** The top bar's badge for the driving and training backends, or null before either worker started. */
export function backendBadge(drive: BackendStatus | null, train: BackendStatus | null): { text: string; title: string } | null {
  const d = drive?.backend ?? null;
  const t = train?.backend ?? null;
  if (!d && !t) return null;
  const how = drive?.chosenBy ?? train?.chosenBy ?? '';
  return {
    text: `ML ${d ?? '…'}${t && t !== d ? ` · train ${t}` : ''}`,
    title: `Backend for driving: ${d ?? 'not started'}; for training: ${t ?? 'not started'} (${how})`,
  };
}

/** The dash camera's frame of a tick, rendered once per tick whoever asks (recorder, autopilot, PiP). The renderer owns the buffer. */
export class DashCache {
  private tick = -1;
  private frame: Uint8Array | null = null;
  constructor(private readonly render: () => ((world: World) => Uint8Array | null) | null) {}

  of(world: World): Uint8Array | null {
    const render = this.render();
    if (!render) return null;
    if (this.tick !== world.tick || !this.frame) {
      this.frame = render(world);
      this.tick = world.tick;
    }
    return this.frame;
  }

  /** The camera changed (size, a new picture wanted for the same tick). */
  invalidate(): void {
    this.tick = -1;
    this.frame = null;
  }
}
