// The replay verifier: one pure function from untrusted text to a verdict, shared by the game's
// import, `npm run verify` and the online leaderboard's worker pool. In order: byte cap, JSON,
// shape and ranges, track binding (a preset or seed id, or an inline file named by its hash),
// car whitelist, work cap, start state, controls (bounded inflate), driver record, then the
// re-simulation under a wall-time cap, and a tick-for-tick comparison with the claim. Who drove
// and the autonomy are derived here, never read from the claim. The result is plain data.

import { type CarParams } from '../sim/car.ts';
import { SIM_VERSION } from '../sim/constants.ts';
import type { Track } from '../sim/track.ts';
import { isTrackId, resolveTrack } from '../sim/tracks.ts';
import { TRACK_HASH_PREFIX, trackFromFile, trackHashId, type TrackFile } from '../sim/trackJson.ts';
import { CONTROL_STEPS, stepWorld, type World } from '../sim/world.ts';
import { type CarChange, checkCar, describeChanges } from './carRules.ts';
import { decodeControls, hashCarState, segmentStartWorld } from './replaySegment.ts';
import {
  parseReplayShape, type RefusalCode, type Replay, REPLAY_MAX_BYTES, REPLAY_MAX_TICKS, REPLAY_MAX_WALL_MS, REPLAY_MAX_WORK,
  ReplayRefusal, START_MAX_YAW_RATE, START_SPEED_MARGIN,
} from './replayFormat.ts';
import { type LapClass, lapDriversOf, scoreLap, type TickDriver } from './rules.ts';

export interface VerifyCaps {
  /** Largest replay text, characters. */
  maxBytes: number;
  /** Longest segment, ticks. */
  maxTicks: number;
  /** Largest ticks x physics sub-steps. */
  maxWork: number;
  /** Longest re-simulation, ms of wall time. */
  maxWallMs: number;
  /** The clock for the wall-time cap, ms (performance.now by default). */
  now: () => number;
  /**
   * Refuse, before simulating, a replay that could never be ranked here: a modified car or a
   * custom track whose id is not its hash (code 'unranked'). The game's import sets it.
   */
  rankedOnly?: boolean;
}

export const DEFAULT_VERIFY_CAPS: VerifyCaps = {
  maxBytes: REPLAY_MAX_BYTES,
  maxTicks: REPLAY_MAX_TICKS,
  maxWork: REPLAY_MAX_WORK,
  maxWallMs: REPLAY_MAX_WALL_MS,
  now: () => globalThis.performance.now(),
};

export interface VerifySuccess {
  ok: true;
  code: 'verified';
  /** The claimed lap as re-simulated. */
  lap: { ticks: number; sectorTicks: number[]; offRoadTicks: number; excursions: number; resets: number; timeS: number; penaltyS: number; scoreS: number };
  /** Derived from the per-tick driver record: human, expert, autopilot, or assisted (unranked). */
  driverClass: LapClass;
  autonomyPct: number;
  interventions: number;
  /** Ticks of the lap each driver produced. */
  driverTicks: Record<TickDriver, number>;
  /** True only if it may go on its class's board: default car, a ranked track, a ranked class. */
  ranked: boolean;
  /** Why it is not ranked (empty when ranked). */
  unranked: string[];
  track: { id: string; name: string; custom: boolean };
  car: { modified: boolean; changes: CarChange[] };
  driver: { name: string; modelId?: string; modelSha256?: string };
  assists: { governor: boolean };
  theme: string;
  createdAt: string;
  sessionLap: number;
  segmentTicks: number;
  endHash: string;
  verifyMs: number;
  /** The replay as parsed (plain JSON), for storing. */
  replay: Replay;
}

export interface VerifyFailure {
  ok: false;
  /** What kind of refusal, or 'error' for a fault of the verifier itself. */
  code: RefusalCode | 'error';
  /** A sentence naming the field and what was expected. */
  reason: string;
  field?: string;
}

export type VerifyResult = VerifySuccess | VerifyFailure;

const refuse = (code: RefusalCode, field: string, reason: string): never => {
  throw new ReplayRefusal(code, field, reason);
};

function failureOf(e: unknown): VerifyFailure {
  if (e instanceof ReplayRefusal) return { ok: false, code: e.code, reason: e.message, ...(e.field ? { field: e.field } : {}) };
  return { ok: false, code: 'error', reason: `the verifier failed: ${e instanceof Error ? e.message : String(e)}` };
}

/** Parses replay text and verifies it. Never throws. */
export function verifyReplayText(text: string, caps: Partial<VerifyCaps> = {}): VerifyResult {
  const c = { ...DEFAULT_VERIFY_CAPS, ...caps };
  if (typeof text !== 'string') return { ok: false, code: 'schema', reason: 'a replay is JSON text' };
  if (text.length > c.maxBytes) return { ok: false, code: 'too-large', reason: `the replay is ${text.length} characters; at most ${c.maxBytes} are accepted` };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, code: 'not-json', reason: `not valid JSON (${(e as Error).message.slice(0, 200)})` };
  }
  return verifyReplay(raw, c);
}

/** Verifies a parsed (still untrusted) replay. Never throws. */
export function verifyReplay(raw: unknown, caps: Partial<VerifyCaps> = {}): VerifyResult {
  const c = { ...DEFAULT_VERIFY_CAPS, ...caps };
  try {
    const p = prepare(raw, c);
    simulate(p, p.r.ticks, c);
    return finish(p, c);
  } catch (e) {
    return failureOf(e);
  }
}

/**
 * verifyReplayText for a thread that must keep drawing (the game's tab): the re-simulation
 * runs in slices of `sliceTicks`, awaiting `yieldTo()` between them. Same checks, same result;
 * the wall-time cap counts the verifier's busy time only.
 */
export async function verifyReplayTextSliced(
  text: string,
  caps: Partial<VerifyCaps> & { sliceTicks?: number; yieldTo?: () => Promise<void> } = {},
): Promise<VerifyResult> {
  const c = { ...DEFAULT_VERIFY_CAPS, ...caps };
  if (typeof text !== 'string') return { ok: false, code: 'schema', reason: 'a replay is JSON text' };
  if (text.length > c.maxBytes) return { ok: false, code: 'too-large', reason: `the replay is ${text.length} characters; at most ${c.maxBytes} are accepted` };
  const slice = caps.sliceTicks ?? 1500;
  const yieldTo = caps.yieldTo ?? (() => new Promise<void>((res) => setTimeout(res, 0)));
  try {
    const p = prepare(JSON.parse(text) as unknown, c);
    while (p.done < p.r.ticks) {
      simulate(p, slice, c);
      if (p.done < p.r.ticks) await yieldTo();
    }
    return finish(p, c);
  } catch (e) {
    if (e instanceof SyntaxError) return { ok: false, code: 'not-json', reason: `not valid JSON (${e.message.slice(0, 200)})` };
    return failureOf(e);
  }
}

interface BoundTrack {
  track: Track;
  custom: boolean;
  unranked?: string;
}

/**
 * Custom tracks built from replays' inline files, by id and file text: a server verifying many
 * laps on one custom track builds it (and its search tables) once. Building is deterministic,
 * so a cached track is the one the file would build again.
 */
const customTracks = new Map<string, Track>();
const CUSTOM_TRACKS_KEPT = 16;

function bindTrack(r: Replay): BoundTrack {
  const { id, file } = r.track;
  if (!file) {
    if (!isTrackId(id)) refuse('track', 'track.id', `'${id}' is neither a preset nor a seed, and no track file is included`);
    return { track: resolveTrack(id), custom: false };
  }
  if (isTrackId(id)) refuse('track', 'track.file', `an inline track file may not claim the preset or seed id '${id}'`);
  const key = `${id}\n${JSON.stringify(file)}`;
  let track = customTracks.get(key);
  if (!track) {
    try {
      track = trackFromFile({ ...(file as object), id });
    } catch (e) {
      return refuse('track', 'track.file', (e as Error).message);
    }
    if (customTracks.size >= CUSTOM_TRACKS_KEPT) customTracks.delete(customTracks.keys().next().value as string);
    customTracks.set(key, track);
  }
  const hashId = trackHashId(file as TrackFile);
  if (id === hashId) return { track, custom: true };
  if (id.startsWith(TRACK_HASH_PREFIX)) refuse('track', 'track.id', `'${id}' does not match its file's hash (${hashId})`);
  return { track, custom: true, unranked: `the custom track's id is not its hash (${hashId})` };
}

function checkStart(r: Replay, track: Track, params: CarParams): void {
  if (r.start.kind !== 'lap') return;
  const { car, tick } = r.start;
  if (tick + r.ticks > 2 ** 31) refuse('schema', 'start.tick', 'is too large');
  const top = Math.cbrt(params.power / params.dragCoefficient) * START_SPEED_MARGIN;
  const speed = Math.hypot(car.vx, car.vy);
  if (speed > top) refuse('schema', 'start.car', `speed ${speed.toFixed(2)} m/s is over this car's top speed (${top.toFixed(2)} m/s)`);
  if (Math.abs(car.yawRate) > START_MAX_YAW_RATE) refuse('schema', 'start.car.yawRate', `must be within ±${START_MAX_YAW_RATE.toFixed(3)} rad/s`);
  if (Math.abs(car.steerAngle) > params.maxSteer) refuse('schema', 'start.car.steerAngle', `must be within ±${params.maxSteer} rad`);
  if (Math.abs(car.heading) > 1e6 || Math.abs(car.x) > 1e5 || Math.abs(car.y) > 1e5) refuse('schema', 'start.car', 'position or heading out of range');
  const w = segmentStartWorld(r.start, track, params);
  if (Math.abs(w.trackPos.lateral) > track.width) refuse('schema', 'start.car', `the car starts ${Math.abs(w.trackPos.lateral).toFixed(1)} m from the centreline, more than a road's width`);
}

/** Interventions are derived from the driver record and resets; the listed ticks must match. */
function checkInterventions(r: Replay, driverAt: (t: number) => TickDriver): void {
  const resets = new Set(r.resets);
  const listed = new Set(r.interventions);
  for (const t of r.interventions) {
    const who = driverAt(t);
    if (!(who === 'human' || (who === 'model' && resets.has(t)))) refuse('drivers', 'interventions', `tick ${t} is listed as an intervention, but the ${who} drove it${who === 'model' ? ' without a reset' : ''}`);
  }
  for (let i = 1; i < r.drivers.length; i++) {
    const [t, who] = r.drivers[i];
    if (who === 'human' && r.drivers[i - 1][1] === 'model' && !listed.has(t)) refuse('drivers', 'interventions', `the human took over from the model at tick ${t}, which is not listed as an intervention`);
  }
  for (const t of r.resets) if (driverAt(t) === 'model' && !listed.has(t)) refuse('drivers', 'interventions', `the model's car was reset at tick ${t}, which is not listed as an intervention`);
}

/** A replay that passed every check before the re-simulation, with the world to run. */
interface Prepared {
  r: Replay;
  bound: BoundTrack;
  car: Extract<ReturnType<typeof checkCar>, { ok: true }>;
  pairs: Int16Array;
  resets: Set<number>;
  world: World;
  first: number;
  /** Ticks simulated so far, and ms spent on it. */
  done: number;
  busyMs: number;
}

function prepare(raw: unknown, caps: VerifyCaps): Prepared {
  const t0 = caps.now();
  const r = parseReplayShape(raw);
  if (r.simVersion !== SIM_VERSION) refuse('sim-version', 'simVersion', `it was driven on simulation version ${r.simVersion}; this is version ${SIM_VERSION}, whose physics could score it differently`);
  if (r.ticks > caps.maxTicks) refuse('work-cap', 'ticks', `tick cap: ${r.ticks} ticks is more than ${caps.maxTicks}`);
  const bound = bindTrack(r);
  const car = checkCar(r.car);
  if (!car.ok) return refuse('car', car.field, car.reason);
  const params = car.params;
  const work = r.ticks * params.substeps;
  if (work > caps.maxWork) refuse('work-cap', 'car.substeps', `work cap: ${r.ticks} ticks x ${params.substeps} sub-steps = ${work}, more than ${caps.maxWork}`);
  if (caps.rankedOnly && car.changes.length > 0) refuse('unranked', 'car', `it was driven on a modified car (${describeChanges(car.changes)}): only the default car is ranked`);
  if (caps.rankedOnly && bound.unranked) refuse('unranked', 'track.id', bound.unranked);
  checkStart(r, bound.track, params);
  const pairs = decodeControls(r.controls, r.ticks);
  const runStarts = r.drivers.map((d) => d[0]);
  const driverAt = (t: number): TickDriver => {
    let lo = 0;
    let hi = runStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (runStarts[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    return r.drivers[lo][1];
  };
  checkInterventions(r, driverAt);
  const world = segmentStartWorld(r.start, bound.track, params);
  return { r, bound, car, pairs, resets: new Set(r.resets), world, first: world.tick, done: 0, busyMs: caps.now() - t0 };
}

/** Re-simulates up to `count` more ticks, under the wall-time cap (busy time only). */
function simulate(p: Prepared, count: number, caps: VerifyCaps): void {
  const t0 = caps.now();
  const end = Math.min(p.r.ticks, p.done + count);
  let world = p.world;
  // One controls object for the whole run: stepWorld reads it and keeps none of it.
  const controls = { steer: 0, torque: 0, reset: false };
  for (let i = p.done; i < end; i++) {
    if ((i & 1023) === 1023 && p.busyMs + caps.now() - t0 > caps.maxWallMs) refuse('time-cap', '', `time cap: verification passed ${caps.maxWallMs} ms at tick ${i} of ${p.r.ticks}`);
    controls.steer = p.pairs[2 * i] / CONTROL_STEPS;
    controls.torque = p.pairs[2 * i + 1] / CONTROL_STEPS;
    controls.reset = p.resets.has(i);
    world = stepWorld(world, controls);
  }
  p.world = world;
  p.done = end;
  p.busyMs += caps.now() - t0;
}

function finish(p: Prepared, caps: VerifyCaps): VerifySuccess {
  const t0 = caps.now();
  const { r, bound, car, world, first } = p;
  const lap = world.laps.completed[0];
  const claim = r.claim;
  if (!lap) refuse('no-lap', 'claim', `the controls complete no lap${r.start.kind === 'lap' ? ' after the warm-up lap' : ''}`);
  const lapStart = lap.startTick - first;
  if (lapStart + lap.ticks !== r.ticks) refuse('no-lap', 'ticks', `the lap ends at segment tick ${lapStart + lap.ticks}, but the replay runs to tick ${r.ticks}`);
  const mismatches: string[] = [];
  if (lapStart !== claim.lapStart) mismatches.push(`lap starts at tick ${lapStart}, claimed ${claim.lapStart}`);
  if (lap.ticks !== claim.ticks) mismatches.push(`lap time ${lap.ticks} ticks, claimed ${claim.ticks}`);
  if (lap.sectorTicks.join() !== claim.sectorTicks.join()) mismatches.push(`sectors ${lap.sectorTicks.join('/')} ticks, claimed ${claim.sectorTicks.join('/')}`);
  if (lap.offRoadTicks !== claim.offRoadTicks) mismatches.push(`off road ${lap.offRoadTicks} ticks, claimed ${claim.offRoadTicks}`);
  if (lap.excursions !== claim.excursions) mismatches.push(`excursions ${lap.excursions}, claimed ${claim.excursions}`);
  if (lap.resets !== claim.resets) mismatches.push(`resets ${lap.resets}, claimed ${claim.resets}`);
  const score = scoreLap(lap);
  if (Math.abs(score.scoreS - claim.scoreS) > 1e-9) mismatches.push(`score ${score.scoreS.toFixed(3)} s, claimed ${claim.scoreS.toFixed(3)} s`);
  const endHash = hashCarState(world);
  if (endHash !== claim.endHash) mismatches.push(`final car state ${endHash}, claimed ${claim.endHash}`);
  if (mismatches.length) refuse('mismatch', 'claim', `the lap does not reproduce: ${mismatches.join('; ')}`);

  const who = lapDriversOf(r.drivers, r.interventions, lapStart, r.ticks);
  if (who.driverClass !== claim.driverClass) {
    refuse('claim', 'claim.driverClass', `claims a ${claim.driverClass} lap, but the driver record makes it ${who.driverClass} (human ${who.ticks.human}, model ${who.ticks.model}, expert ${who.ticks.expert} ticks; ${who.interventions} interventions; autonomy ${who.autonomyPct.toFixed(2)}%)`);
  }
  if (Math.abs(who.autonomyPct - claim.autonomyPct) > 1e-9) refuse('claim', 'claim.autonomyPct', `claims ${claim.autonomyPct.toFixed(2)}% autonomy; the driver record gives ${who.autonomyPct.toFixed(2)}%`);

  const unranked: string[] = [];
  if (who.driverClass === 'assisted') unranked.push(`assisted lap (model ${who.ticks.model}, human ${who.ticks.human}, expert ${who.ticks.expert} ticks; autonomy ${who.autonomyPct.toFixed(1)}%): not an autopilot, human or expert lap`);
  if (car.changes.length > 0) unranked.push('modified car');
  if (bound.unranked) unranked.push(bound.unranked);
  if (who.driverClass === 'autopilot' && !r.driver.modelSha256) unranked.push('autopilot lap without the SHA-256 of the model weights');
  return {
    ok: true,
    code: 'verified',
    lap: { ticks: lap.ticks, sectorTicks: [...lap.sectorTicks], offRoadTicks: lap.offRoadTicks, excursions: lap.excursions, resets: lap.resets, ...score },
    driverClass: who.driverClass,
    autonomyPct: who.autonomyPct,
    interventions: who.interventions,
    driverTicks: { ...who.ticks },
    ranked: unranked.length === 0,
    unranked,
    track: { id: r.track.id, name: bound.track.name, custom: bound.custom },
    car: { modified: car.changes.length > 0, changes: car.changes },
    driver: { name: r.driver.name, ...(r.driver.modelId ? { modelId: r.driver.modelId } : {}), ...(r.driver.modelSha256 ? { modelSha256: r.driver.modelSha256 } : {}) },
    assists: { governor: r.assists.governor },
    theme: r.theme,
    createdAt: r.createdAt,
    sessionLap: r.sessionLap,
    segmentTicks: r.ticks,
    endHash,
    verifyMs: p.busyMs + caps.now() - t0,
    replay: r,
  };
}
