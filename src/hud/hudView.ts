// The HUD's view model: `hudView(world, extras)` turns the world and what the app knows beside
// it (fps, recording, the model, reference laps) into a plain HudView: numbers for the
// graphics, finished strings for the text. Pure and DOM-free, so every figure the player reads
// is tested in Node; the pixi and DOM layers only copy it to the screen.

import { formatMs } from '../core/format.ts';
import { KMH_PER_MS } from '../core/units.ts';
import { carSpeed } from '../sim/car.ts';
import { TICK_HZ } from '../sim/constants.ts';
import { currentLapNumber, lapStarted } from '../sim/laps.ts';
import type { World } from '../sim/world.ts';

/** A lap to compare against: ticks for the lap and for each of its sectors. */
export interface ReferenceLap {
  readonly ticks: number;
  readonly sectorTicks: readonly number[];
}

/** Another car on the minimap (a replayed best lap, a model driving the same track...). */
export interface GhostCar {
  /** World position, m, and heading, rad (as CarState). */
  readonly x: number;
  readonly y: number;
  readonly heading: number;
  /** 0xRRGGBB; default a neutral violet. */
  readonly color?: number;
}

export interface RecordingInfo {
  /** Seconds recorded so far (simulated time). */
  readonly elapsedS: number;
  readonly frames: number;
  /** Bytes written so far. */
  readonly bytes: number;
}

export interface AutopilotInfo {
  /** Time from frame capture to prediction, ms (mean over the last second or so). */
  readonly latencyMs: number;
  /** Predictions applied per second. */
  readonly rateHz: number;
  /** Where the model runs: 'webgl', 'webgpu', 'wasm', 'cpu'. */
  readonly backend: string;
  /** Share of the time the model drove, 0..1 (as scoring computes it). */
  readonly autonomy: number;
  /** Times the human took over or the car was reset. */
  readonly interventions: number;
  /** The name of the model driving. */
  readonly model?: string | null;
}

/** What the HUD needs that the world does not hold. */
export interface HudExtras {
  /** Frames per second drawn, as the app measures it. */
  readonly fps: number;
  /**
   * The human's steering, -1..1. Default: the steering applied to the car, which is the human's
   * while a human drives; under autopilot pass the human input (usually near 0).
   */
  readonly humanSteer?: number;
  /** The model's latest steering prediction, -1..1, when a model runs (driving or shadowing). */
  readonly modelSteer?: number | null;
  /** Present while recording. */
  readonly recording?: RecordingInfo | null;
  /** Present while the model drives. */
  readonly autopilot?: AutopilotInfo | null;
  /** The player's stored best on this track; the session's fastest lap is used when faster. */
  readonly referenceLap?: ReferenceLap | null;
  /** Up to MAX_GHOSTS are shown. */
  readonly ghosts?: readonly GhostCar[];
  /** Laps in a race, to show "lap 2 / 5"; null for open practice. */
  readonly totalLaps?: number | null;
  /** Live gap to the race ghost, seconds (+ behind it); null without a ghost. See ghostGapSeconds. */
  readonly ghostGapS?: number | null;
}

/**
 * The live gap to a ghost started at the same lap time: how long the ghost took to cover the
 * road between the two cars (distance along the track over the ghost's speed, at least 5 m/s
 * so a standing start does not blow it up). + when the player is behind. Null on another track.
 */
export function ghostGapSeconds(player: World, ghost: World): number | null {
  if (player.track.id !== ghost.track.id) return null;
  const len = player.track.length;
  let ds = ghost.trackPos.s - player.trackPos.s;
  if (ds > len / 2) ds -= len;
  if (ds < -len / 2) ds += len;
  const v = Math.max(5, Math.hypot(ghost.car.vx, ghost.car.vy));
  return ds / v;
}

export type SectorState = 'pending' | 'live' | 'done' | 'faster' | 'slower' | 'even';

export interface SectorView {
  readonly state: SectorState;
  /** Sector time, ticks: finished, or so far for the live one; null when not reached. */
  readonly ticks: number | null;
  readonly text: string;
  /** Against the reference's same sector, ticks (+ slower); null without a reference or while unfinished. */
  readonly deltaTicks: number | null;
  readonly deltaText: string;
}

export interface HudView {
  /** Speed over ground, km/h, unsigned; `reversing` says which way. */
  readonly speedKmh: number;
  readonly reversing: boolean;
  readonly steer: {
    /** -1..1, + left. */
    readonly human: number;
    readonly model: number | null;
    /** |human - model|, 0..2; null without a model. */
    readonly disagreement: number | null;
    /** 0xRRGGBB for the model's marker: green when they agree, through amber, to red. */
    readonly color: number;
    /** Who is steering the car. */
    readonly driver: 'human' | 'model';
  };
  /** 0..1 each, from the applied torque. */
  readonly throttle: number;
  readonly brake: number;
  readonly lap: {
    /** 0 before the first crossing of the start line. */
    readonly number: number;
    readonly total: number | null;
    /** Ticks into the current lap (0 before the start line). */
    readonly currentTicks: number;
    readonly lastTicks: number | null;
    readonly bestTicks: number | null;
    /** The last lap against the best before it, ticks (- is a new best); null without one to compare. */
    readonly lastDeltaTicks: number | null;
  };
  /** The sectors shown: the current lap's, or for a few seconds after the line, the lap just finished. */
  readonly sectors: readonly SectorView[];
  readonly sectorsOf: 'current' | 'last';
  /** Running gap to the reference at the last finished sector of the current lap, ticks. */
  readonly runningDeltaTicks: number | null;
  readonly car: { readonly x: number; readonly y: number; readonly heading: number };
  readonly ghosts: readonly GhostCar[];
  readonly offRoad: boolean;
  /** Moving against the direction of the track. */
  readonly wrongWay: boolean;
  readonly fps: number;
  readonly recording: RecordingInfo | null;
  readonly autopilot: AutopilotInfo | null;
  /** Everything the text layer shows, formatted. */
  readonly text: {
    readonly speed: string;
    readonly lap: string;
    readonly totalLaps: string;
    readonly lapTime: string;
    readonly lastLap: string;
    readonly lastDelta: string;
    readonly bestLap: string;
    readonly runningDelta: string;
    readonly fps: string;
    readonly recording: string;
    /** "+0.42 s" behind the ghost, "-1.10 s" ahead; "" without one. */
    readonly ghostGap: string;
    readonly autopilot: {
      readonly latency: string;
      readonly rate: string;
      readonly backend: string;
      readonly autonomy: string;
      readonly interventions: string;
      readonly model: string;
    } | null;
  };
}

/** Ghost cars drawn at most (the minimap pools this many markers). */
export const MAX_GHOSTS = 4;
/** How long the finished lap's sectors stay up after the line, ticks (3 s). */
export const LAST_LAP_HOLD_TICKS = 3 * TICK_HZ;
/** Below this speed, m/s, the car is not "going the wrong way", just manoeuvring. */
const WRONG_WAY_MIN_SPEED = 3;

/** Milliseconds in a whole number of ticks, truncated (timing screens truncate, never round up). */
function ticksToMs(ticks: number): number {
  return Math.floor((Math.abs(ticks) * 1000) / TICK_HZ);
}

/** A lap time from ticks (60 per second): "m:ss.mmm"; "--" for null or a negative count. */
export function formatLapTime(ticks: number | null): string {
  if (ticks === null || !Number.isFinite(ticks) || ticks < 0) return '--';
  return formatMs(ticksToMs(ticks));
}

/** A time gap from ticks: "+0.350", "-1.204", "+1:02.345" past a minute; "" for null. */
export function formatDelta(ticks: number | null): string {
  if (ticks === null || !Number.isFinite(ticks)) return '';
  if (ticks === 0) return '\u00b10.000';
  const ms = ticksToMs(ticks);
  const sign = ticks < 0 ? '-' : '+';
  if (ms < 60000) return `${sign}${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;
  return `${sign}${formatLapTime(Math.abs(ticks))}`;
}

const AGREE = 0x3ddc84;
const DIFFER = 0xffc23d;
const CONFLICT = 0xff4d5e;
/** Disagreement (steering units) at the colour stops: agree up to 0.05, amber at 0.2, red from 0.4. */
const STOPS: readonly (readonly [number, number])[] = [[0.05, AGREE], [0.2, DIFFER], [0.4, CONFLICT]];

function mix(a: number, b: number, t: number): number {
  const ch = (c: number, shift: number) => (c >> shift) & 0xff;
  const lerp = (shift: number) => Math.round(ch(a, shift) + (ch(b, shift) - ch(a, shift)) * t);
  return (lerp(16) << 16) | (lerp(8) << 8) | lerp(0);
}

/** Colour for a human-model steering disagreement (|human - model|, 0..2). */
export function disagreementColor(d: number): number {
  if (!(d > STOPS[0][0])) return STOPS[0][1];
  for (let i = 1; i < STOPS.length; i++) {
    const [d1, c1] = STOPS[i];
    if (d <= d1) {
      const [d0, c0] = STOPS[i - 1];
      return mix(c0, c1, (d - d0) / (d1 - d0));
    }
  }
  return STOPS[STOPS.length - 1][1];
}

function isUsable(ref: ReferenceLap | null | undefined, sectors: number): ref is ReferenceLap {
  return !!ref && ref.ticks > 0 && ref.sectorTicks.length === sectors;
}

/** The faster of the stored reference and the given laps, if any fits the track's sectors. */
function fastest(stored: ReferenceLap | null | undefined, laps: readonly ReferenceLap[], sectors: number): ReferenceLap | null {
  let best: ReferenceLap | null = isUsable(stored, sectors) ? stored : null;
  for (const lap of laps) if (isUsable(lap, sectors) && (best === null || lap.ticks < best.ticks)) best = lap;
  return best;
}

function sectorViews(done: readonly number[], live: number | null, ref: ReferenceLap | null, count: number): SectorView[] {
  const out: SectorView[] = [];
  for (let i = 0; i < count; i++) {
    if (i < done.length) {
      const delta = ref ? done[i] - ref.sectorTicks[i] : null;
      const state: SectorState = delta === null ? 'done' : delta < 0 ? 'faster' : delta > 0 ? 'slower' : 'even';
      out.push({ state, ticks: done[i], text: formatLapTime(done[i]), deltaTicks: delta, deltaText: formatDelta(delta) });
    } else if (i === done.length && live !== null) {
      out.push({ state: 'live', ticks: live, text: formatLapTime(live), deltaTicks: null, deltaText: '' });
    } else {
      out.push({ state: 'pending', ticks: null, text: '--', deltaTicks: null, deltaText: '' });
    }
  }
  return out;
}

function sum(xs: readonly number[], n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i];
  return s;
}

function formatLatency(ms: number): string {
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

/** Builds the HUD's view of the world. Pure. */
export function hudView(world: World, extras: HudExtras): HudView {
  const { laps, track, car } = world;
  const sectorCount = track.sectorStarts.length;

  const v = carSpeed(car);
  const speedKmh = Math.abs(v) * KMH_PER_MS;
  const reversing = v < -0.05;

  const human = extras.humanSteer ?? world.applied.steer;
  const model = extras.modelSteer ?? null;
  const disagreement = model === null ? null : Math.abs(human - model);

  const torque = world.applied.torque;

  const started = lapStarted(laps);
  const currentTicks = started ? world.tick - laps.lapStartTick : 0;
  const completed = laps.completed;
  const last = completed.length > 0 ? completed[completed.length - 1] : null;
  const reference = fastest(extras.referenceLap, completed, sectorCount);
  let bestTicks: number | null = reference ? reference.ticks : null;
  for (const lap of completed) if (bestTicks === null || lap.ticks < bestTicks) bestTicks = lap.ticks;
  const beforeLast = last ? fastest(extras.referenceLap, completed.slice(0, -1), sectorCount) : null;
  const lastDeltaTicks = last && beforeLast ? last.ticks - beforeLast.ticks : null;

  // Sectors: the lap just finished stays up for a moment, so its last sector is seen.
  const showLast = last !== null && started && currentTicks < LAST_LAP_HOLD_TICKS && laps.sectorTicks.length === 0;
  const sectors = showLast
    ? sectorViews(last.sectorTicks, null, beforeLast, sectorCount)
    : started
      ? sectorViews(laps.sectorTicks, world.tick - laps.sectorStartTick, reference, sectorCount)
      : sectorViews([], null, null, sectorCount);
  const doneSectors = laps.sectorTicks.length;
  const runningDeltaTicks = started && reference && doneSectors > 0
    ? sum(laps.sectorTicks, doneSectors) - sum(reference.sectorTicks, doneSectors)
    : null;

  // Wrong way: moving (not merely pointing) more than 120 degrees off the road's direction.
  const ch = Math.cos(car.heading);
  const sh = Math.sin(car.heading);
  const along = (car.vx * ch - car.vy * sh) * Math.cos(world.trackPos.heading) + (car.vx * sh + car.vy * ch) * Math.sin(world.trackPos.heading);
  const wrongWay = Math.abs(v) > WRONG_WAY_MIN_SPEED && along < -0.5 * Math.abs(v);

  const recording = extras.recording ?? null;
  const autopilot = extras.autopilot ?? null;
  const lapNumber = currentLapNumber(laps);
  const total = extras.totalLaps ?? null;
  const fps = Number.isFinite(extras.fps) ? Math.max(0, extras.fps) : 0;

  return {
    speedKmh,
    reversing,
    steer: {
      human,
      model,
      disagreement,
      color: disagreement === null ? AGREE : disagreementColor(disagreement),
      driver: autopilot ? 'model' : 'human',
    },
    throttle: Math.max(0, torque),
    brake: Math.max(0, -torque),
    lap: { number: lapNumber, total, currentTicks, lastTicks: last ? last.ticks : null, bestTicks, lastDeltaTicks },
    sectors,
    sectorsOf: showLast ? 'last' : 'current',
    runningDeltaTicks,
    car: { x: car.x, y: car.y, heading: car.heading },
    ghosts: (extras.ghosts ?? []).slice(0, MAX_GHOSTS),
    offRoad: world.offRoad,
    wrongWay,
    fps,
    recording,
    autopilot,
    text: {
      speed: String(Math.round(speedKmh)),
      lap: String(lapNumber),
      totalLaps: total === null ? '' : String(total),
      lapTime: formatLapTime(currentTicks),
      lastLap: formatLapTime(last ? last.ticks : null),
      lastDelta: formatDelta(lastDeltaTicks),
      bestLap: formatLapTime(bestTicks),
      runningDelta: formatDelta(runningDeltaTicks),
      fps: String(Math.round(fps)),
      ghostGap: typeof extras.ghostGapS === 'number' && Number.isFinite(extras.ghostGapS) ? `${extras.ghostGapS >= 0 ? '+' : '-'}${Math.abs(extras.ghostGapS).toFixed(2)} s` : '',
      recording: recording
        ? `${recording.elapsedS.toFixed(1)} s \u00b7 ${recording.frames} fr \u00b7 ${(recording.bytes / 1e6).toFixed(1)} MB`
        : '',
      autopilot: autopilot
        ? {
          latency: formatLatency(autopilot.latencyMs),
          rate: `${Math.round(autopilot.rateHz)} Hz`,
          backend: autopilot.backend,
          autonomy: `${(Math.min(1, Math.max(0, autopilot.autonomy)) * 100).toFixed(1)}%`,
          interventions: String(autopilot.interventions),
          model: autopilot.model ?? '',
        }
        : null,
    },
  };
}
