// The replay file, version 2 (docs/formats.md, "Replays"): its types, its caps and the checks
// an untrusted replay passes before anything is decoded or simulated. Every check names the
// field and what was expected. Version 1 replays are refused with a message of their own.

import type { CarParams, CarState } from '../sim/car.ts';
import type { TrackFile } from '../sim/trackJson.ts';
import type { DriverRun, LapClass, TickDriver } from './rules.ts';

export const REPLAY_FORMAT = 'deepsteer-replay';
export const REPLAY_VERSION = 2;

/** Largest replay text, characters (a 60-minute segment of incompressible controls fits). */
export const REPLAY_MAX_BYTES = 2 * 1024 * 1024;
/** Longest segment a replay may hold: 60 simulated minutes at 60 Hz. */
export const REPLAY_MAX_TICKS = 216_000;
/** Work cap: segment ticks x physics sub-steps (60 minutes of the default car's 4). */
export const REPLAY_MAX_WORK = 864_000;
/** Wall-time cap of one verification, ms (callers may lower it). */
export const REPLAY_MAX_WALL_MS = 10_000;
/** Most driver runs, reset ticks and intervention ticks a replay may list (each). */
export const REPLAY_MAX_EVENTS = 20_000;
/** Longest short string (names, ids, theme, dates). */
export const REPLAY_MAX_NAME = 120;
/** A flying start may be at most this fraction over the car's top speed (power vs drag). */
export const START_SPEED_MARGIN = 1.02;
/** Largest yaw rate a start state may have, rad/s. */
export const START_MAX_YAW_RATE = 2 * Math.PI;

export interface ReplayDriver {
  /** Player name, or the model's name (informative). */
  name: string;
  /** Autopilot laps: the model's id and the SHA-256 of its weights (64 hex digits). */
  modelId?: string;
  modelSha256?: string;
  /**
   * Autopilot laps: how the autopilot turned the model's outputs into throttle, so the model can
   * be driven again the same way (app/watchModel.ts). Informative: the verifier replays the
   * recorded controls and never reads it. Absent (laps from before it was recorded): the speed
   * head through the proportional controller, the autopilot's only way then.
   */
  autopilot?: ReplayAutopilot;
}

/** The autopilot's throttle source and speed controller (src/app/autopilot.ts SpeedControl), and its governor. */
export interface ReplayAutopilotSettings {
  throttle: 'speed' | 'torque' | 'both';
  speedControl: { kind: 'proportional'; accelerate: number; brake: number } | { kind: 'dynamics'; horizonS: number; brakeHorizonS: number; softBrakeMps?: number };
  /** The speed governor. Absent (laps from before it was recorded here): `assists.governor`. */
  governor?: boolean;
}

/** The settings at the segment's first tick, and any the player changed during it. */
export interface ReplayAutopilot extends ReplayAutopilotSettings {
  /** From segment tick `tick` on, these settings (strictly ascending ticks, at most REPLAY_MAX_EVENTS). */
  changes?: (ReplayAutopilotSettings & { tick: number })[];
}

/** Where the segment starts: the world at tick 0, or the car as the lap before the claimed lap began. */
export type ReplayStart =
  | { kind: 'grid' }
  | { kind: 'lap'; tick: number; car: CarState };

export interface ReplayClaim {
  /** Tick (segment index) at which the claimed lap starts. */
  lapStart: number;
  ticks: number;
  sectorTicks: number[];
  offRoadTicks: number;
  excursions: number;
  resets: number;
  /** Lap time plus penalties, s. */
  scoreS: number;
  driverClass: LapClass;
  autonomyPct: number;
  /** hashCarState at the end of the lap. */
  endHash: string;
}

export interface Replay {
  format: typeof REPLAY_FORMAT;
  version: typeof REPLAY_VERSION;
  simVersion: number;
  /** A preset or seed id, or a custom track carried inline whose id is its hash (trackHashId). */
  track: { id: string; name?: string; file?: TrackFile };
  theme: string;
  /** 'default', or the parameters that differ from the default car (never ranked). */
  car: 'default' | Partial<CarParams>;
  driver: ReplayDriver;
  /** Driving aids that were on. */
  assists: { governor: boolean };
  /** ISO date the lap was driven (informative). */
  createdAt: string;
  /** The session's lap number (informative). */
  sessionLap: number;
  start: ReplayStart;
  /** Ticks in the segment: from `start` to the end of the claimed lap. */
  ticks: number;
  /** base64(deflate(int16 little-endian [steer, torque] per tick)), values x 32767. */
  controls: string;
  /** Segment ticks on which the car was reset onto the road. */
  resets: number[];
  /** Who drove, run-length encoded: [first tick, driver], ascending from tick 0. */
  drivers: DriverRun[];
  /** Segment ticks on which a human took over from the model, or the model's car was reset. */
  interventions: number[];
  claim: ReplayClaim;
}

export class ReplayRefusal extends Error {
  override name = 'ReplayRefusal';
  constructor(readonly code: RefusalCode, readonly field: string, reason: string) {
    super(field ? `${field}: ${reason}` : reason);
  }
}

/** Why a replay was refused: each maps to one check (docs/formats.md lists them). */
export type RefusalCode =
  | 'too-large' | 'not-json' | 'old-format' | 'schema' | 'sim-version' | 'track' | 'car' | 'controls'
  | 'drivers' | 'work-cap' | 'time-cap' | 'no-lap' | 'mismatch' | 'claim' | 'unranked';

const TICK_DRIVERS: readonly TickDriver[] = ['human', 'model', 'expert'];
const LAP_CLASSES: readonly LapClass[] = ['human', 'expert', 'autopilot', 'assisted'];
const CAR_STATE_KEYS = ['x', 'y', 'heading', 'vx', 'vy', 'yawRate', 'steerAngle'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const fail = (code: RefusalCode, field: string, reason: string): never => {
  throw new ReplayRefusal(code, field, reason);
};

function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) fail('schema', field, `must be an integer from ${min} to ${max}`);
  return v as number;
}

function str(v: unknown, field: string, max = REPLAY_MAX_NAME, pattern?: RegExp): string {
  if (typeof v !== 'string' || v.length > max || (pattern && !pattern.test(v))) fail('schema', field, `must be a string of at most ${max} characters${pattern ? ` matching ${pattern}` : ''}`);
  return v as string;
}

function finite(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail('schema', field, 'must be a finite number');
  return v as number;
}

/** Ascending tick list within [0, ticks), at most REPLAY_MAX_EVENTS long. */
function tickList(v: unknown, field: string, ticks: number): number[] {
  if (!Array.isArray(v) || v.length > REPLAY_MAX_EVENTS) fail('schema', field, `must be an array of at most ${REPLAY_MAX_EVENTS} ticks`);
  const out = v as unknown[];
  out.forEach((t, i) => {
    int(t, `${field}[${i}]`, 0, ticks - 1);
    if (i > 0 && (t as number) <= (out[i - 1] as number)) fail('schema', `${field}[${i}]`, 'ticks must be strictly ascending');
  });
  return out as number[];
}

/** Autopilot settings at `field`: a throttle source, a speed controller of a known kind with gains in (0, 100], a governor flag. */
function checkAutopilotSettings(v: unknown, field: string): void {
  if (!isRecord(v)) fail('schema', field, 'must be an object');
  const a = v as Record<string, unknown>;
  if (a.throttle !== 'speed' && a.throttle !== 'torque' && a.throttle !== 'both') fail('schema', `${field}.throttle`, 'must be "speed", "torque" or "both"');
  if (!isRecord(a.speedControl)) fail('schema', `${field}.speedControl`, 'must be an object');
  const c = a.speedControl as Record<string, unknown>;
  const keys = c.kind === 'proportional' ? ['accelerate', 'brake'] : c.kind === 'dynamics' ? ['horizonS', 'brakeHorizonS'] : null;
  if (!keys) fail('schema', `${field}.speedControl.kind`, 'must be "proportional" or "dynamics"');
  for (const k of keys!) {
    const x = finite(c[k], `${field}.speedControl.${k}`);
    if (!(x > 0 && x <= 100)) fail('schema', `${field}.speedControl.${k}`, 'must be above 0 and at most 100');
  }
  if (c.kind === 'dynamics' && c.softBrakeMps !== undefined) {
    const x = finite(c.softBrakeMps, `${field}.speedControl.softBrakeMps`);
    if (!(x >= 0 && x <= 100)) fail('schema', `${field}.speedControl.softBrakeMps`, 'must be 0 to 100');
  }
  if (a.governor !== undefined && typeof a.governor !== 'boolean') fail('schema', `${field}.governor`, 'must be true or false');
}

/** `driver.autopilot`: settings, and their changes at strictly ascending ticks within the segment's [1, ticks). */
function checkAutopilot(v: unknown, ticks: number): void {
  checkAutopilotSettings(v, 'driver.autopilot');
  const changes = (v as Record<string, unknown>).changes;
  if (changes === undefined) return;
  if (!Array.isArray(changes) || changes.length > REPLAY_MAX_EVENTS) fail('schema', 'driver.autopilot.changes', `must be an array of at most ${REPLAY_MAX_EVENTS} changes`);
  let prev = 0;
  (changes as unknown[]).forEach((c, i) => {
    const field = `driver.autopilot.changes[${i}]`;
    checkAutopilotSettings(c, field);
    const t = int((c as Record<string, unknown>).tick, `${field}.tick`, 1, ticks - 1);
    if (t <= prev) fail('schema', `${field}.tick`, 'ticks must be strictly ascending');
    prev = t;
  });
}

/**
 * Checks the shape and ranges of a parsed replay and returns it typed. Throws ReplayRefusal.
 * Track geometry, car parameters and controls are checked by the verifier, which owns them.
 */
export function parseReplayShape(r: unknown): Replay {
  if (!isRecord(r)) fail('schema', '(file)', 'must be a JSON object');
  const o = r as Record<string, unknown>;
  if (o.format !== REPLAY_FORMAT) fail('schema', 'format', `must be "${REPLAY_FORMAT}"`);
  if (o.version === 1) fail('old-format', 'version', `this is an old replay format (version 1, from before laps recorded who drove each tick); this game reads version ${REPLAY_VERSION}: drive the lap again to get a verifiable replay`);
  if (o.version !== REPLAY_VERSION) fail('old-format', 'version', `replay version ${typeof o.version === 'number' ? o.version : `of type ${typeof o.version}`} is not supported (this game reads ${REPLAY_VERSION})`);
  if (typeof o.simVersion !== 'number') fail('schema', 'simVersion', 'must be a number');
  if (!isRecord(o.track)) fail('schema', 'track', 'must be an object');
  const track = o.track as Record<string, unknown>;
  str(track.id, 'track.id', 64, /^[A-Za-z0-9_-]{1,64}$/);
  if (track.name !== undefined) str(track.name, 'track.name');
  if (track.file !== undefined && !isRecord(track.file)) fail('schema', 'track.file', 'must be a track file object');
  str(o.theme, 'theme', 32);
  if (!(o.car === 'default' || isRecord(o.car))) fail('car', 'car', 'must be "default" or an object of car parameters');
  if (!isRecord(o.driver)) fail('schema', 'driver', 'must be an object');
  const d = o.driver as Record<string, unknown>;
  str(d.name, 'driver.name');
  if (d.modelId !== undefined) str(d.modelId, 'driver.modelId');
  if (d.modelSha256 !== undefined) str(d.modelSha256, 'driver.modelSha256', 64, /^[0-9a-f]{64}$/);
  if (!isRecord(o.assists) || typeof (o.assists as Record<string, unknown>).governor !== 'boolean') fail('schema', 'assists.governor', 'must be true or false');
  str(o.createdAt, 'createdAt', 40);
  int(o.sessionLap, 'sessionLap', 1, 1_000_000);
  if (!isRecord(o.start)) fail('schema', 'start', 'must be an object');
  const s = o.start as Record<string, unknown>;
  if (s.kind === 'lap') {
    int(s.tick, 'start.tick', 1, 2 ** 31 - 1);
    if (!isRecord(s.car)) fail('schema', 'start.car', 'must be the car state object');
    for (const k of CAR_STATE_KEYS) finite((s.car as Record<string, unknown>)[k], `start.car.${k}`);
  } else if (s.kind !== 'grid') fail('schema', 'start.kind', 'must be "grid" or "lap"');
  const ticks = int(o.ticks, 'ticks', 1, REPLAY_MAX_TICKS);
  if (d.autopilot !== undefined) checkAutopilot(d.autopilot, ticks);
  if (typeof o.controls !== 'string') fail('controls', 'controls', 'must be a base64 string');
  tickList(o.resets, 'resets', ticks);
  tickList(o.interventions, 'interventions', ticks);
  const runs = o.drivers;
  if (!Array.isArray(runs) || runs.length < 1 || runs.length > REPLAY_MAX_EVENTS) fail('drivers', 'drivers', `must list 1 to ${REPLAY_MAX_EVENTS} [tick, driver] runs`);
  (runs as unknown[]).forEach((run, i) => {
    if (!Array.isArray(run) || run.length !== 2 || !TICK_DRIVERS.includes(run[1] as TickDriver)) fail('drivers', `drivers[${i}]`, 'must be [tick, "human" | "model" | "expert"]');
    const [t, who] = run as [unknown, TickDriver];
    int(t, `drivers[${i}][0]`, 0, ticks - 1);
    if (i === 0 && t !== 0) fail('drivers', 'drivers[0]', 'the first run must start at tick 0');
    const prev = i > 0 ? (runs as [number, TickDriver][])[i - 1] : undefined;
    if (prev && ((t as number) <= prev[0] || who === prev[1])) fail('drivers', `drivers[${i}]`, 'runs must ascend and change driver');
  });
  if (!isRecord(o.claim)) fail('claim', 'claim', 'must be an object');
  const c = o.claim as Record<string, unknown>;
  int(c.lapStart, 'claim.lapStart', 0, ticks - 1);
  int(c.ticks, 'claim.ticks', 1, ticks);
  for (const k of ['offRoadTicks', 'excursions', 'resets'] as const) int(c[k], `claim.${k}`, 0, ticks);
  if (!Array.isArray(c.sectorTicks) || c.sectorTicks.length > 64) fail('claim', 'claim.sectorTicks', 'must be an array of at most 64 tick counts');
  (c.sectorTicks as unknown[]).forEach((t, i) => int(t, `claim.sectorTicks[${i}]`, 0, ticks));
  finite(c.scoreS, 'claim.scoreS');
  finite(c.autonomyPct, 'claim.autonomyPct');
  if (!LAP_CLASSES.includes(c.driverClass as LapClass)) fail('claim', 'claim.driverClass', `must be one of ${LAP_CLASSES.join(', ')}`);
  str(c.endHash, 'claim.endHash', 16, /^[0-9a-f]{16}$/);
  return o as unknown as Replay;
}
