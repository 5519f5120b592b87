// Auto-record: the expert drives and records for N minutes over chosen tracks and themes, with
// seeded steering noise and weave-and-recover manoeuvres, optionally with side cameras whose
// frames carry recovery labels. It runs as fast as the dash camera renders, yielding to the page
// between slices so progress shows and Cancel works; a cancelled run keeps what it recorded.

import type { CameraSpec, ClipMeta, ClipStore, DataError } from '../data/index.ts';
import { createExpert } from '../sim/expert.ts';
import { TICK_HZ } from '../sim/constants.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { createWorld, stepWorld, type World } from '../sim/world.ts';
import { type DashRenderer, startRecording } from './recorder.ts';

export interface AutoRecordPlan {
  /** Simulated minutes to record in all. */
  minutes: number;
  trackIds: readonly string[];
  themes: readonly string[];
  /** Steering noise, g of sideways acceleration (see ExpertOptions.steerNoise). */
  steerNoise: number;
  /** Weave-and-recover manoeuvres per second. */
  weaveRate: number;
  cameras: readonly CameraSpec[];
  rateHz: number;
  frameWidth: number;
  frameHeight: number;
  /** Seed for the expert's noise: the same plan and seed record the same labels. */
  seed: number;
}

export interface AutoRecordProgress {
  fraction: number;
  frames: number;
  message: string;
}

export interface AutoRecordDeps {
  store: ClipStore;
  /** Points the dash camera at a track and theme before a segment. */
  prepare(trackId: string, theme: string): void;
  render: DashRenderer;
  now(): number;
  onProgress(p: AutoRecordProgress): void;
  /** Called after each frame slice with the frame just captured (for a live preview). */
  onFrame?(world: World): void;
  signal?: AbortSignal;
  /** Real milliseconds of work between yields to the page. */
  sliceMs?: number;
}

/** A car this far off the centreline for this long is put back on the road. */
const LOST_LATERAL_M = 15;

export interface AutoRecordResult {
  /** Clips written, also when cancelled or stopped part-way. */
  clips: ClipMeta[];
  cancelled: boolean;
  /** What stopped recording early (storage full), if anything. */
  error: DataError | null;
}

/** Records the plan. Never loses what was recorded: a cancel or a full disk keeps every frame saved. */
export async function autoRecord(plan: AutoRecordPlan, deps: AutoRecordDeps): Promise<AutoRecordResult> {
  const segments: { trackId: string; theme: string }[] = [];
  for (const trackId of plan.trackIds) for (const theme of plan.themes) segments.push({ trackId, theme });
  if (segments.length === 0) throw new Error('choose at least one track and one theme');
  const totalSteps = Math.max(1, Math.round(plan.minutes * 60 * plan.rateHz));
  const stepsPer = Math.ceil(totalSteps / segments.length);
  const every = TICK_HZ / plan.rateHz;
  const sliceMs = deps.sliceMs ?? 40;
  const clips: ClipMeta[] = [];
  let framesDone = 0;

  for (const [i, seg] of segments.entries()) {
    if (deps.signal?.aborted) break;
    const steps = Math.min(stepsPer, totalSteps - framesDone);
    if (steps <= 0) break;
    const track = resolveTrack(seg.trackId);
    deps.prepare(seg.trackId, seg.theme);
    const expert = createExpert(track, { seed: `${plan.seed}:${i}`, steerNoise: plan.steerNoise, weaveRate: plan.weaveRate });
    let world = createWorld(track);
    // Start rolling: the standing start is not what the model will face.
    while (world.car.vx < 10 && world.tick < TICK_HZ * 10) world = stepWorld(world, expert.control(world));
    const rec = await startRecording(world, {
      store: deps.store,
      render: deps.render,
      rateHz: plan.rateHz,
      frameWidth: plan.frameWidth,
      frameHeight: plan.frameHeight,
      cameras: plan.cameras,
      name: `Expert on ${track.name}, ${seg.theme}`,
      theme: seg.theme,
      now: deps.now,
    });
    let recorded = 0;
    let lostTicks = 0;
    while (recorded < steps && !deps.signal?.aborted && rec.writer.state === 'recording') {
      const sliceEnd = performance.now() + sliceMs;
      while (recorded < steps && performance.now() < sliceEnd && rec.writer.state === 'recording') {
        const lost = Math.abs(world.trackPos.lateral) > LOST_LATERAL_M;
        lostTicks = lost ? lostTicks + 1 : 0;
        const c = lostTicks > TICK_HZ ? { steer: 0, torque: 0, reset: true } : expert.control(world);
        world = stepWorld(world, c);
        if (world.tick % every === 0) {
          rec.afterTick(world, 'expert');
          recorded++;
        }
      }
      deps.onFrame?.(world);
      deps.onProgress({
        fraction: (framesDone + recorded) / totalSteps,
        frames: framesDone + recorded,
        message: `${track.name}, ${seg.theme}: ${(recorded / plan.rateHz).toFixed(0)} s of ${(steps / plan.rateHz).toFixed(0)} s`,
      });
      await new Promise((r) => setTimeout(r, 0));
    }
    framesDone += recorded;
    if (rec.writer.state === 'stopped') {
      // Storage full: the writer kept what was saved and marked the clip complete; stop here.
      clips.push(await deps.store.getMeta(rec.clipId));
      return { clips, cancelled: false, error: rec.writer.error };
    }
    if (recorded > 0) clips.push(await rec.finish());
    else await rec.discard();
  }
  return { clips, cancelled: deps.signal?.aborted ?? false, error: null };
}
