// Recording: every k-th tick (60 / rateHz) the dash camera (and any side cameras) is rendered
// from the exact state of that tick and stored with the labels of the controls actually applied.
// The clip writer copies each step, so the render buffers are reused; memory stays flat.
// Every step also records the speed the expert would reach 1 s after its state (speedTarget), whoever drives.

import type { CameraSpec, ClipMeta, ClipStore, ClipWriter, DataError, Driver, LabelRow } from '../data/index.ts';
import { labelRowWidth } from '../data/index.ts';
import type { Meters, MetersPerSecond, Radians, Ticks } from '../core/units.ts';
import { carSpeed } from '../sim/car.ts';
import { SIM_VERSION, TICK_HZ } from '../sim/constants.ts';
import { createExpert, type Expert } from '../sim/expert.ts';
import { recoverySteer } from '../sim/recovery.ts';
import { curvatureAhead, type Track } from '../sim/track.ts';
import { type Controls, headingError, lapProgress, type World } from '../sim/world.ts';

/**
 * Horizon of the speedTarget label: the speed the expert reaches this many ticks after the state
 * (1 s, the model's default speed horizon, heads.speedAheadS).
 */
export const SPEED_TARGET_TICKS = TICK_HZ;

/** Distance over which "curvature ahead" is averaged, m. */
export const CURVATURE_LOOKAHEAD_M = 20;

/**
 * The expert (no noise; the recording's teacher pace, else its default) that labels every recorded
 * state with the speed it would reach 1 s on, one per track and pace: building its speed plan is
 * O(track samples), so it is made once, not per tick. Expert.speedAhead is pure, so sharing it
 * between recordings changes nothing.
 */
const speedTeachers = new WeakMap<Track, Map<number | undefined, Expert>>();

/** The speed teacher of a track at a pace (undefined: the expert's default pace). */
function speedTeacherFor(track: Track, pace?: number): Expert {
  let byPace = speedTeachers.get(track);
  if (!byPace) speedTeachers.set(track, (byPace = new Map()));
  let expert = byPace.get(pace);
  if (!expert) {
    expert = createExpert(track, pace === undefined ? {} : { pace });
    byPace.set(pace, expert);
  }
  return expert;
}

/**
 * The labels of one recorded step, from the world right after the tick: the controls applied,
 * or `label` when a teacher labels a state it did not drive (DAgger: the expert's controls for
 * the state the model steered into). `speedTarget` is the speed the expert (at `teacherPace`,
 * default the expert's) would reach 1 s after this state, had it driven on from it, whoever drives.
 */
export function labelsOf(world: World, driver: Driver, cameras: readonly CameraSpec[] = [], label?: Controls, teacherPace?: number): LabelRow {
  const applied = label ?? world.applied;
  const cameraSteer: Partial<Record<CameraSpec['id'], number>> = {};
  for (const cam of cameras) {
    if (cam.id !== 'center') cameraSteer[cam.id] = recoverySteer(world, applied.steer, cam.lateralM, cam.yawRad);
  }
  return {
    tick: world.tick as Ticks,
    steer: applied.steer,
    steerRad: world.car.steerAngle as Radians,
    speed: carSpeed(world.car) as MetersPerSecond,
    torque: applied.torque,
    brake: Math.max(0, -applied.torque),
    x: world.car.x as Meters,
    y: world.car.y as Meters,
    heading: world.car.heading as Radians,
    lateralOffset: world.trackPos.lateral as Meters,
    headingError: headingError(world) as Radians,
    curvatureAhead: curvatureAhead(world.track, world.trackPos.s, CURVATURE_LOOKAHEAD_M),
    lapProgress: lapProgress(world),
    speedTarget: speedTeacherFor(world.track, teacherPace).speedAhead(world, SPEED_TARGET_TICKS) as MetersPerSecond,
    driver,
    ...(cameras.length > 1 ? { cameraSteer } : {}),
  };
}

/** Renders the dash frame of `world` as seen by `camera`: RGB, width x height x 3, row 0 top. */
export type DashRenderer = (world: World, camera: CameraSpec) => Uint8Array;

/**
 * Renders every camera's frame of `world` at once into outs[i] (as DashRenderer would, one
 * readback for all: src/render renderDashViews). False if it could not (the GPU context lost).
 */
export type DashViewsRenderer = (world: World, cameras: readonly CameraSpec[], outs: readonly Uint8Array[]) => boolean;

export interface RecorderOptions {
  store: ClipStore;
  render: DashRenderer;
  /** With several cameras, renders them in one pass instead of calling `render` per camera. */
  renderViews?: DashViewsRenderer;
  rateHz: number;
  frameWidth: number;
  frameHeight: number;
  cameras: readonly CameraSpec[];
  name: string;
  theme: string;
  /** ms since epoch (the app's clock). */
  now: () => number;
  onStopped?: (error: DataError) => void;
  /** The pace of the expert whose speed 1 s on is `speedTarget` (auto-record: its own); default the expert's. */
  teacherPace?: number;
}

export interface ActiveRecording {
  readonly writer: ClipWriter;
  readonly clipId: string;
  /** Simulated seconds recorded. */
  readonly elapsedS: number;
  readonly frames: number;
  readonly bytes: number;
  /** The frames of the last recorded step, one per camera in order (overwritten by the next). */
  readonly lastFrames: readonly Uint8Array[];
  /** Call after every tick; records on every k-th. Returns the main-thread ms spent (0 if skipped). */
  afterTick(world: World, driver: Driver, label?: Controls): number;
  finish(): Promise<ClipMeta>;
  discard(): Promise<void>;
}

export async function startRecording(world: World, opts: RecorderOptions): Promise<ActiveRecording> {
  if (TICK_HZ % opts.rateHz !== 0) throw new Error(`recording rate must divide ${TICK_HZ} Hz (10, 12, 15, 20 or 30), got ${opts.rateHz}`);
  const every = TICK_HZ / opts.rateHz;
  const writer = await opts.store.startRecording({
    name: opts.name,
    createdAt: opts.now(),
    trackId: world.track.id,
    theme: opts.theme,
    simVersion: String(SIM_VERSION),
    rateHz: opts.rateHz,
    frameWidth: opts.frameWidth,
    frameHeight: opts.frameHeight,
    cameras: opts.cameras,
    ...(opts.onStopped ? { onStopped: opts.onStopped } : {}),
  });
  speedTeacherFor(world.track, opts.teacherPace); // build the speed plan now, not on the first recorded tick
  // Bytes stored per step: the frames and one label row (ClipMeta.byteSize counts the same).
  const stepBytes = opts.frameWidth * opts.frameHeight * 3 * opts.cameras.length + labelRowWidth(opts.cameras.length) * 8;
  // One scratch frame per camera: the renderer may hand back the same buffer on every call.
  const frames = opts.cameras.map(() => new Uint8Array(opts.frameWidth * opts.frameHeight * 3));
  let count = 0;
  return {
    writer,
    clipId: writer.clipId,
    get elapsedS() {
      return count / opts.rateHz;
    },
    get frames() {
      return count;
    },
    get bytes() {
      return count * stepBytes;
    },
    lastFrames: frames,
    afterTick(w, driver, label) {
      if (w.tick % every !== 0 || writer.state !== 'recording') return 0;
      const t0 = performance.now();
      const oneReadback = opts.cameras.length > 1 && opts.renderViews !== undefined && opts.renderViews(w, opts.cameras, frames);
      if (!oneReadback) opts.cameras.forEach((cam, i) => frames[i].set(opts.render(w, cam)));
      writer.append({ frames, labels: labelsOf(w, driver, opts.cameras, label, opts.teacherPace) });
      count++;
      return performance.now() - t0;
    },
    finish: () => writer.finish(),
    discard: () => writer.discard(),
  };
}
