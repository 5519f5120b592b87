// Verifiable lap replays. A replay holds everything needed to re-simulate a lap from the first
// tick: the track, the simulation version, the car, and the controls of every tick (int16, the
// grid the simulation applies them on, deflated and base64-encoded), plus the claimed result.
// verifyReplay re-runs it and accepts only an exact, tick-for-tick match. Format: docs/formats.md.
//
// What a replay proves: the claimed lap time and penalties follow from the controls under the
// rules of this simulation version. Who produced the controls (human, expert, model) is declared.

import { fromBase64, toBase64 } from '../core/base64.ts';
import { deflateSync, inflateSync } from 'fflate';
import { DEFAULT_CAR, type CarParams } from '../sim/car.ts';
import { SIM_VERSION } from '../sim/constants.ts';
import type { LapRecord } from '../sim/laps.ts';
import type { Track } from '../sim/track.ts';
import { trackFromFile, trackToFile, type TrackFile } from '../sim/trackJson.ts';
import { isTrackId, resolveTrack } from '../sim/tracks.ts';
import { CONTROL_STEPS, type Controls, createWorld, hashWorld, stepWorld, type World } from '../sim/world.ts';
import { autonomyPct, type DriverClass, scoreLap } from './rules.ts';

export const REPLAY_FORMAT = 'deepsteer-replay';
export const REPLAY_VERSION = 1;

export interface ReplayDriver {
  kind: DriverClass;
  /** Player name, or the model's name. */
  name: string;
  /** For autopilot laps: the id of the model that drove. */
  modelId?: string;
}

export interface ReplayClaim {
  /** Which lap of the run (1-based) is claimed. */
  lap: number;
  ticks: number;
  sectorTicks: number[];
  offRoadTicks: number;
  excursions: number;
  resets: number;
  /** Lap time plus penalties, s. */
  scoreS: number;
  /** Autopilot laps: human interventions during the lap and the resulting autonomy %. */
  interventions: number;
  autonomyPct: number;
  /** hashWorld at the end of the lap. */
  stateHash: string;
}

export interface Replay {
  format: typeof REPLAY_FORMAT;
  version: number;
  simVersion: number;
  /** A preset or seed id, or a custom track carried inline. */
  track: { id: string; file?: TrackFile };
  theme: string;
  /** 'default', or every parameter when the car was modified (such laps are not ranked). */
  car: 'default' | CarParams;
  driver: ReplayDriver;
  /** ISO date the lap was driven (informative). */
  createdAt: string;
  /** Number of ticks in `controls`: from the world's first tick to the end of the claimed lap. */
  ticks: number;
  /** base64(deflate(int16 little-endian [steer, torque] per tick)), values x 32767. */
  controls: string;
  /** Ticks (0-based indices into controls) on which the car was reset onto the road. */
  resets: number[];
  claim: ReplayClaim;
}

/** Records the controls of a run as it is driven, then packs a replay of any completed lap. */
export class ReplayRecorder {
  private data = new Int16Array(4096);
  private n = 0;
  private readonly resetTicks: number[] = [];
  private readonly interventionTicks: number[] = [];

  /** Call with the controls passed to stepWorld, in order, from the world's first tick. */
  push(c: Controls): void {
    if (2 * this.n + 2 > this.data.length) {
      const bigger = new Int16Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[2 * this.n] = Math.round(clamp1(c.steer) * CONTROL_STEPS);
    this.data[2 * this.n + 1] = Math.round(clamp1(c.torque) * CONTROL_STEPS);
    if (c.reset) this.resetTicks.push(this.n);
    this.n++;
  }

  /** Marks a human takeover during an autopilot run at the current tick. */
  intervention(): void {
    this.interventionTicks.push(this.n);
  }

  get ticks(): number {
    return this.n;
  }

  /** Interventions within [startTick, endTick). */
  interventionsBetween(startTick: number, endTick: number): number {
    return this.interventionTicks.filter((t) => t >= startTick && t < endTick).length;
  }

  /** The replay of `lap` (a completed lap of `world`, which was driven with these controls). */
  replayOf(world: World, lap: LapRecord, meta: { theme: string; driver: ReplayDriver; createdAt: string }): Replay {
    const end = lap.startTick + lap.ticks;
    if (end > this.n) throw new Error(`lap ${lap.lap} ends at tick ${end} but only ${this.n} ticks were recorded`);
    const interventions = this.interventionsBetween(lap.startTick, end);
    const s = scoreLap(lap);
    const track = world.track;
    return {
      format: REPLAY_FORMAT,
      version: REPLAY_VERSION,
      simVersion: SIM_VERSION,
      track: isTrackId(track.id) ? { id: track.id } : { id: track.id, file: trackToFile(track) },
      theme: meta.theme,
      car: sameParams(world.params, DEFAULT_CAR) ? 'default' : { ...world.params },
      driver: meta.driver,
      createdAt: meta.createdAt,
      ticks: end,
      controls: encodeControls(this.data.subarray(0, 2 * end)),
      resets: this.resetTicks.filter((t) => t < end),
      claim: {
        lap: lap.lap,
        ticks: lap.ticks,
        sectorTicks: [...lap.sectorTicks],
        offRoadTicks: lap.offRoadTicks,
        excursions: lap.excursions,
        resets: lap.resets,
        scoreS: s.scoreS,
        interventions,
        autonomyPct: meta.driver.kind === 'autopilot' ? autonomyPct(interventions, s.timeS) : 100,
        stateHash: world.laps.completed.length === lap.lap && world.tick === end ? hashWorld(world) : '',
      },
    };
  }
}

function clamp1(x: number): number {
  return !Number.isFinite(x) ? 0 : x < -1 ? -1 : x > 1 ? 1 : x;
}

function sameParams(a: CarParams, b: CarParams): boolean {
  return (Object.keys(b) as (keyof CarParams)[]).every((k) => a[k] === b[k]);
}


export function encodeControls(pairs: Int16Array): string {
  const bytes = new Uint8Array(pairs.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < pairs.length; i++) view.setInt16(2 * i, pairs[i], true);
  return toBase64(deflateSync(bytes, { level: 9 }));
}

export function decodeControls(text: string): Int16Array {
  const bytes = inflateSync(fromBase64(text));
  if (bytes.length % 4 !== 0) throw new Error('controls do not hold whole [steer, torque] pairs');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int16Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(2 * i, true);
  return out;
}

export type VerifyResult =
  | { ok: true; lap: LapRecord; stateHash: string; track: Track }
  | { ok: false; reason: string };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the shape of an untrusted replay; returns a reason or undefined. */
function shapeProblem(r: unknown): string | undefined {
  if (!isRecord(r)) return 'not a JSON object';
  if (r.format !== REPLAY_FORMAT) return `format must be "${REPLAY_FORMAT}"`;
  if (r.version !== REPLAY_VERSION) return `replay version ${String(r.version)} is not supported (this game reads ${REPLAY_VERSION})`;
  if (r.simVersion !== SIM_VERSION) return `it was driven on simulation version ${String(r.simVersion)}; this is version ${SIM_VERSION}, whose physics could score it differently`;
  if (!isRecord(r.track) || typeof r.track.id !== 'string') return 'track.id is missing';
  if (!(r.car === 'default' || isRecord(r.car))) return 'car must be "default" or a parameter object';
  if (!isRecord(r.driver) || !['human', 'expert', 'autopilot'].includes(String(r.driver.kind))) return 'driver.kind must be human, expert or autopilot';
  if (typeof r.ticks !== 'number' || !Number.isInteger(r.ticks) || r.ticks < 1 || r.ticks > 60 * 60 * 60) return 'ticks must be an integer from 1 to 216000';
  if (typeof r.controls !== 'string') return 'controls must be a base64 string';
  if (!Array.isArray(r.resets) || !r.resets.every((t) => Number.isInteger(t) && t >= 0 && t < (r.ticks as number))) return 'resets must list tick indices within the run';
  const c = r.claim;
  if (!isRecord(c)) return 'claim is missing';
  for (const k of ['lap', 'ticks', 'offRoadTicks', 'excursions', 'resets', 'interventions'] as const) {
    if (typeof c[k] !== 'number' || !Number.isInteger(c[k]) || (c[k] as number) < 0) return `claim.${k} must be a non-negative integer`;
  }
  if (!Array.isArray(c.sectorTicks) || !c.sectorTicks.every((t) => Number.isInteger(t))) return 'claim.sectorTicks must be integers';
  if (typeof c.scoreS !== 'number' || typeof c.autonomyPct !== 'number') return 'claim.scoreS and claim.autonomyPct must be numbers';
  return undefined;
}

/** Re-simulates a replay tick for tick and compares every claimed figure. */
export function verifyReplay(raw: unknown): VerifyResult {
  const problem = shapeProblem(raw);
  if (problem) return { ok: false, reason: problem };
  const r = raw as Replay;
  let track: Track;
  try {
    track = r.track.file ? trackFromFile(r.track.file) : resolveTrack(r.track.id);
  } catch (e) {
    return { ok: false, reason: `track: ${(e as Error).message}` };
  }
  let pairs: Int16Array;
  try {
    pairs = decodeControls(r.controls);
  } catch (e) {
    return { ok: false, reason: `controls cannot be decoded (${(e as Error).message})` };
  }
  if (pairs.length !== 2 * r.ticks) return { ok: false, reason: `controls hold ${pairs.length / 2} ticks, the replay says ${r.ticks}` };
  const params = r.car === 'default' ? DEFAULT_CAR : { ...DEFAULT_CAR, ...r.car };
  let world = createWorld(track, { params });
  const resets = new Set(r.resets);
  for (let i = 0; i < r.ticks; i++) {
    world = stepWorld(world, { steer: pairs[2 * i] / CONTROL_STEPS, torque: pairs[2 * i + 1] / CONTROL_STEPS, reset: resets.has(i) });
  }
  const c = r.claim;
  const lap = world.laps.completed[c.lap - 1];
  if (!lap) return { ok: false, reason: `the controls complete ${world.laps.completed.length} laps; lap ${c.lap} never finishes` };
  if (lap.startTick + lap.ticks !== r.ticks) return { ok: false, reason: `lap ${c.lap} ends at tick ${lap.startTick + lap.ticks}, but the replay runs to tick ${r.ticks}` };
  const mismatches: string[] = [];
  if (lap.ticks !== c.ticks) mismatches.push(`lap time ${lap.ticks} ticks, claimed ${c.ticks}`);
  if (lap.sectorTicks.join() !== c.sectorTicks.join()) mismatches.push(`sectors ${lap.sectorTicks.join('/')} ticks, claimed ${c.sectorTicks.join('/')}`);
  if (lap.offRoadTicks !== c.offRoadTicks) mismatches.push(`off road ${lap.offRoadTicks} ticks, claimed ${c.offRoadTicks}`);
  if (lap.excursions !== c.excursions) mismatches.push(`excursions ${lap.excursions}, claimed ${c.excursions}`);
  if (lap.resets !== c.resets) mismatches.push(`resets ${lap.resets}, claimed ${c.resets}`);
  const score = scoreLap(lap);
  if (Math.abs(score.scoreS - c.scoreS) > 1e-9) mismatches.push(`score ${score.scoreS.toFixed(3)} s, claimed ${c.scoreS.toFixed(3)} s`);
  if (r.driver.kind === 'autopilot' && Math.abs(autonomyPct(c.interventions, score.timeS) - c.autonomyPct) > 1e-9) {
    mismatches.push(`autonomy for ${c.interventions} interventions is ${autonomyPct(c.interventions, score.timeS).toFixed(2)}%, claimed ${c.autonomyPct.toFixed(2)}%`);
  }
  const stateHash = hashWorld(world);
  if (c.stateHash && c.stateHash !== stateHash) mismatches.push(`final state hash ${stateHash}, claimed ${c.stateHash}`);
  if (mismatches.length) return { ok: false, reason: `the lap does not reproduce: ${mismatches.join('; ')}` };
  return { ok: true, lap, stateHash, track };
}

/** Parses replay JSON text and verifies it. */
export function verifyReplayText(text: string): VerifyResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `not valid JSON (${(e as Error).message})` };
  }
  return verifyReplay(raw);
}

/** Controls of a replay as a per-tick function, for ghost cars. */
export function replayControls(r: Replay): (tick: number) => Controls {
  const pairs = decodeControls(r.controls);
  const resets = new Set(r.resets);
  return (tick) => tick < r.ticks
    ? { steer: pairs[2 * tick] / CONTROL_STEPS, torque: pairs[2 * tick + 1] / CONTROL_STEPS, reset: resets.has(tick) }
    : { steer: 0, torque: -1 };
}
