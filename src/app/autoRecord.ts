// Auto-record: the expert drives and records for N minutes over chosen tracks and themes, with
// seeded steering noise and weave-and-recover manoeuvres, optionally with side cameras whose
// frames carry recovery labels. It runs as fast as the dash camera renders, yielding to the page
// between slices so progress shows and Cancel works; a cancelled run keeps what it recorded.
//
// With a learner (DAgger, Ross et al. 2011), the model drives instead, in lockstep (each control
// tick waits for its prediction): it steers, and its speed head works the pedals through the
// autopilot's speed controller, so the rollout reaches the states the autopilot reaches (a bend
// taken too fast included). The expert labels every recorded state with what it would have done
// there (its steering and torque, and in the `speedTarget` column the speed it would reach 1 s
// on): the states are the model's, the labels the expert's. A car that leaves the road is put
// back (an intervention), so each round also measures the model's autonomy on the training tracks.

import type { CameraSpec, ClipMeta, ClipStore, DataError } from '../data/index.ts';
import { CENTER_CAMERA } from '../data/index.ts';
import { autonomyPct } from '../scoring/rules.ts';
import { torqueForSpeed } from './autopilot.ts';
import { carSpeed } from '../sim/car.ts';
import { createExpert } from '../sim/expert.ts';
import { TICK_HZ } from '../sim/constants.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { type Controls, createWorld, stepWorld, type World } from '../sim/world.ts';
import { type DashRenderer, type DashViewsRenderer, startRecording } from './recorder.ts';

/**
 * The pace the expert records at unless a plan says otherwise: below its own default (0.72), so the
 * speeds it teaches keep more of the tyres' grip in reserve for a model that sees bends late.
 * Chosen on the validation tracks (bench/results/starter-build.md: 91.8% against val-dart.md's 80.9% at 0.72 after 3
 * DAgger rounds). The lap-time reference of the benchmark and the leaderboard's expert stay at
 * the expert's default.
 */
export const DEMO_PACE = 0.62;

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
  /**
   * Speed noise, a fraction of the expert's target speed (see ExpertOptions.speedNoise): the
   * expert now and then drives too fast or too slow for the road, labelled (speedTarget) with
   * the speed the noise-free expert would reach 1 s on. Default 0.
   */
  speedNoise?: number;
  /** The speed noise only slows the expert (ExpertOptions.speedNoiseSlowerOnly). Default false. */
  speedNoiseSlowerOnly?: boolean;
  /**
   * What a step's steer and torque record (no learner): 'clean' (default), what the expert means
   * to do in that state without its noise or manoeuvre (`Expert.cleanControl`: the noise moves
   * the car, the label says how to drive on from there, as DART does); 'applied', the controls
   * the noisy expert applied (noise and weaves in the labels too, as before 2026-12-05).
   */
  labels?: 'clean' | 'applied';
  /**
   * The expert's pace (the share of the tyres' grip its speed plan uses in bends), for its driving
   * and its labels (speedTarget, DAgger's controls). Default DEMO_PACE.
   */
  pace?: number;
  /**
   * Where each clip starts: 'standing' (default), from the start line at rest, so the model sees
   * the launch every autopilot lap begins with; 'rolling', once the expert rolls at 10 m/s (as
   * before 2026-12-05: a model taught so crawled off a standing start); 'spread': a track's first
   * clip standing, its others spread around the lap (spreadStartS), each once the expert has
   * driven SPREAD_WARMUP_S from rest there, so a few seconds per clip cover every part of a track
   * instead of its first 150 m over and over.
   */
  start?: StartMode;
  /** Seed for the expert's noise: the same plan and seed record the same labels. */
  seed: number;
  /** Clip names start with this (default "Expert"). */
  namePrefix?: string;
}

export type StartMode = 'standing' | 'rolling' | 'spread';

/** Seconds the expert drives, unrecorded, from rest at a spread clip's start before recording begins. */
export const SPREAD_WARMUP_S = 5;

/**
 * Where the j-th of n clips on a track starts with start 'spread' (m along the centre line):
 * clip 0 on the grid (undefined: createWorld's default), clip j > 0 at (j + u) / n of the lap,
 * u in [0, 1) drawn from the seed (golden-ratio steps), so each seed covers other places.
 */
export function spreadStartS(trackLength: number, j: number, n: number, seed: number): number | undefined {
  if (j <= 0 || n <= 1) return undefined;
  const u = (((seed * 0.6180339887498949) % 1) + 1) % 1;
  return ((trackLength * (j + u)) / n) % trackLength;
}

/** The model being taught (DAgger): drives from the dash frame; reset at each segment and reset of the car. */
export interface Learner {
  reset(): Promise<void>;
  /**
   * Steering -1..1 and the predicted speed (m/s, what the speed controller drives toward) for the
   * centre camera's frame of this control tick and the car's measured speed (m/s). The frame is
   * the recorder's buffer, overwritten at the next recorded step: copy it to keep it.
   */
  drive(frame: Uint8Array, speed: number): Promise<LearnerOutput>;
  /**
   * The torque the autopilot would apply for this output at the car's speed (its throttle rule,
   * e.g. modelTorque in autopilot.ts), so the rollouts visit the states the autopilot does; by
   * default the speed controller toward the predicted speed.
   */
  throttle?(out: LearnerOutput, speed: number): number;
}

/** A learner's answer for one frame: steering -1..1, predicted speed (m/s), and the torque head where it has one. */
export interface LearnerOutput {
  steering: number;
  speed: number;
  torque?: number;
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
  /** Renders the plan's cameras in one pass (src/render renderDashViews); else `render` per camera. */
  renderViews?: DashViewsRenderer;
  now(): number;
  onProgress(p: AutoRecordProgress): void;
  /** Called after each frame slice (for a live preview) with the centre camera's last recorded frame, if any. */
  onFrame?(world: World, frame: Uint8Array | null): void;
  signal?: AbortSignal;
  /** Real milliseconds of work between yields to the page. */
  sliceMs?: number;
  /** DAgger: the model steers, the expert labels (see the header). */
  learner?: Learner;
  /** Awaited when a clip's recording starts, with its segment's index (overlapTraining.ts tags some 'val' before they complete). */
  onClipStarted?(clipId: string, index: number): Promise<void>;
}

/** A car this far off the centreline for this long is put back on the road. */
const LOST_LATERAL_M = 15;

export interface AutoRecordResult {
  /** Clips written, also when cancelled or stopped part-way. */
  clips: ClipMeta[];
  cancelled: boolean;
  /** What stopped recording early (storage full), if anything. */
  error: DataError | null;
  /** With a learner: cars put back on the road, simulated seconds driven, and the autonomy % they give. */
  learner?: { interventions: number; seconds: number; autonomyPct: number };
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
  let interventions = 0;
  let drivenTicks = 0;
  /** The centre camera's index in each step's frames (-1: none recorded). */
  const centre = plan.cameras.findIndex((c) => c.lateralM === 0 && c.yawRad === 0);
  const learnerStats = (): AutoRecordResult['learner'] =>
    deps.learner ? { interventions, seconds: drivenTicks / TICK_HZ, autonomyPct: autonomyPct(interventions, drivenTicks / TICK_HZ) } : undefined;

  for (const [i, seg] of segments.entries()) {
    if (deps.signal?.aborted) break;
    const steps = Math.min(stepsPer, totalSteps - framesDone);
    if (steps <= 0) break;
    const track = resolveTrack(seg.trackId);
    deps.prepare(seg.trackId, seg.theme);
    const pace = plan.pace ?? DEMO_PACE;
    const expert = createExpert(track, { seed: `${plan.seed}:${i}`, pace, steerNoise: plan.steerNoise, weaveRate: plan.weaveRate, speedNoise: plan.speedNoise ?? 0, speedNoiseSlowerOnly: plan.speedNoiseSlowerOnly ?? false });
    const startMode = plan.start ?? 'standing';
    const startS = startMode === 'spread' ? spreadStartS(track.length, i % plan.themes.length, plan.themes.length, plan.seed) : undefined;
    let world = createWorld(track, startS === undefined ? {} : { startS });
    if (startMode === 'rolling') {
      while (world.car.vx < 10 && world.tick < TICK_HZ * 10) world = stepWorld(world, expert.control(world));
    } else if (startS !== undefined) {
      for (let t = 0; t < SPREAD_WARMUP_S * TICK_HZ; t++) world = stepWorld(world, expert.control(world));
    }
    const rec = await startRecording(world, {
      store: deps.store,
      render: deps.render,
      ...(deps.renderViews ? { renderViews: deps.renderViews } : {}),
      rateHz: plan.rateHz,
      frameWidth: plan.frameWidth,
      frameHeight: plan.frameHeight,
      cameras: plan.cameras,
      name: `${plan.namePrefix ?? 'Expert'} on ${track.name}, ${seg.theme}`,
      theme: seg.theme,
      now: deps.now,
      teacherPace: pace,
    });
    await deps.onClipStarted?.(rec.clipId, i);
    let recorded = 0;
    let lostTicks = 0;
    const learner = deps.learner;
    const cleanLabels = (plan.labels ?? 'clean') === 'clean';
    // The learner's output, held between control ticks; the expert's controls for the current state.
    let model: LearnerOutput = { steering: 0, speed: carSpeed(world.car) };
    const throttle = learner?.throttle?.bind(learner) ?? ((out: LearnerOutput, v: number) => torqueForSpeed(out.speed, v));
    let next: Controls = expert.control(world);
    if (learner) await learner.reset();
    while (recorded < steps && !deps.signal?.aborted && rec.writer.state === 'recording') {
      const sliceEnd = performance.now() + sliceMs;
      while (recorded < steps && performance.now() < sliceEnd && rec.writer.state === 'recording') {
        // The expert drifts far before it counts as lost; the learner is put back after half a second off the road.
        const lost = learner ? world.offRoad : Math.abs(world.trackPos.lateral) > LOST_LATERAL_M;
        lostTicks = lost ? lostTicks + 1 : 0;
        const reset = lostTicks > (learner ? TICK_HZ / 2 : TICK_HZ);
        const c: Controls = reset ? { steer: 0, torque: 0, reset: true } : learner ? { steer: model.steering, torque: throttle(model, carSpeed(world.car)) } : next;
        if (reset) {
          lostTicks = 0;
          if (learner) {
            interventions++;
            await learner.reset();
          }
        }
        world = stepWorld(world, c);
        next = expert.control(world);
        if (learner) drivenTicks++;
        if (world.tick % every === 0) {
          rec.afterTick(world, 'expert', learner ? next : cleanLabels ? expert.cleanControl(world) : undefined);
          recorded++;
          // The centre frame just recorded is the one the learner sees (no second render of it).
          if (learner) model = await learner.drive(centre >= 0 ? rec.lastFrames[centre] : deps.render(world, CENTER_CAMERA), carSpeed(world.car));
        }
      }
      deps.onFrame?.(world, centre >= 0 && recorded > 0 ? rec.lastFrames[centre] : null);
      deps.onProgress({
        fraction: (framesDone + recorded) / totalSteps,
        frames: framesDone + recorded,
        message: `${track.name}, ${seg.theme}: ${(recorded / plan.rateHz).toFixed(0)} s of ${(steps / plan.rateHz).toFixed(0)} s`
          + (learner ? `, ${interventions} intervention${interventions === 1 ? '' : 's'}` : ''),
      });
      await new Promise((r) => setTimeout(r, 0));
    }
    framesDone += recorded;
    if (rec.writer.state === 'stopped') {
      // Storage full: the writer kept what was saved and marked the clip complete; stop here.
      clips.push(await deps.store.getMeta(rec.clipId));
      return { clips, cancelled: false, error: rec.writer.error, ...(deps.learner ? { learner: learnerStats() } : {}) };
    }
    if (recorded > 0) clips.push(await rec.finish());
    else await rec.discard();
  }
  return { clips, cancelled: deps.signal?.aborted ?? false, error: null, ...(deps.learner ? { learner: learnerStats() } : {}) };
}
