// The auto-record request: what the player asks the expert to record without driving, the
// ranges each field may take, and the check that refuses anything else with a sentence.
// The panel builds requests from its form; the app's recording engine receives them (and may
// re-check them with autoRecordProblems). Pure.

import type { Meters, Radians } from '../../core/units.ts';
import type { CameraSpec } from '../../data/index.ts';
import { CENTER_CAMERA } from '../../data/index.ts';
import { isTrackId } from '../../sim/tracks.ts';

/** Which tracks to drive: the one on screen, a list of presets and seeds, or fresh random seeds. */
export type AutoRecordTracks =
  | { readonly kind: 'current' }
  | { readonly kind: 'list'; readonly ids: readonly string[] }
  | { readonly kind: 'random'; readonly count: number };

/**
 * Where each clip starts (the engine's AutoRecordPlan.start, src/app/autoRecord.ts): 'standing' on
 * the grid at rest; 'rolling' once the expert rolls at 10 m/s; 'spread' a track's first clip on the
 * grid and its others around the lap, each after a few unrecorded seconds of driving there.
 */
export type StartMode = 'standing' | 'rolling' | 'spread';

export const START_MODES: readonly StartMode[] = ['standing', 'spread', 'rolling'];

/** Clips shorter than this from a standing start are mostly launch: the form suggests spreading. */
export const SHORT_CLIP_S = 6;

export interface AutoRecordRequest {
  /**
   * Simulated driving to record in total, minutes. The engine splits it evenly over the
   * track x theme combinations, one clip per combination.
   */
  readonly minutes: number;
  readonly tracks: AutoRecordTracks;
  /** Scenery themes, at least one; each combination with each track is recorded. */
  readonly themes: readonly string[];
  /** The expert's steering noise, in g of sideways acceleration (ExpertOptions.steerNoise). */
  readonly steerNoiseG: number;
  /** Weave-and-recover manoeuvres started per second on straight-ish road (ExpertOptions.weaveRate). */
  readonly weaveRatePerS: number;
  /** The expert's speed noise, a fraction of its target speed (ExpertOptions.speedNoise); absent: 0. */
  readonly speedNoise?: number;
  /**
   * Left and right cameras besides the center one, shifted sideways by lateralM and yawed by
   * yawRad (both positive; the right camera mirrors the left: see sideCameraSpecs), or null.
   */
  readonly sideCameras: { readonly lateralM: Meters; readonly yawRad: Radians } | null;
  readonly frameWidth: number;
  readonly frameHeight: number;
  /** Steps recorded per second: a divisor of the 60 Hz simulation (RATE_CHOICES). */
  readonly rateHz: number;
  /** Seeds the expert's noise and manoeuvres and the random tracks, so a request replays exactly. */
  readonly seed: number;
  /**
   * Train while recording (src/app/overlapTraining.ts): Quick train starts once the first clips
   * are in (every 6th clip held out), later clips join it at each epoch. Absent: record only.
   */
  readonly trainWhileRecording?: boolean;
  /** Where each clip starts; absent: 'standing' (requests from before the choice existed). */
  readonly start?: StartMode;
}

export const AUTO_LIMITS = {
  minutes: { min: 0.1, max: 60 },
  steerNoiseG: { min: 0, max: 0.3 },
  weaveRatePerS: { min: 0, max: 0.5 },
  speedNoise: { min: 0, max: 0.3 },
  sideLateralM: { min: 0.1, max: 2 },
  /** Degrees in the form; radians in the request. */
  sideYawDeg: { min: 0, max: 30 },
  randomTracks: { min: 1, max: 50 },
  listTracks: { max: 50 },
  seed: { min: 0, max: 2 ** 31 - 1 },
} as const;

/** Recording rates that divide the 60 Hz simulation step, as the recorder requires. */
export const RATE_CHOICES: readonly number[] = [10, 12, 15, 20, 30];

/** Frame sizes offered: PilotNet's 200x66 and smaller ones of about the same shape. */
export const FRAME_SIZE_CHOICES: readonly { readonly width: number; readonly height: number }[] = [
  { width: 200, height: 66 },
  { width: 160, height: 53 },
  { width: 128, height: 42 },
  { width: 100, height: 33 },
  { width: 64, height: 21 },
];

export const DEFAULT_THEMES: readonly string[] = ['day', 'dusk', 'overcast', 'night'];

export const DEFAULT_SIDE_LATERAL_M = 0.6;
/**
 * The form's speed noise: some recorded states too fast or too slow for the road, labelled with
 * the expert's target, so a model learns to brake when it arrives at a bend too fast.
 */
export const DEFAULT_SPEED_NOISE = 0.1;
export const DEFAULT_SIDE_YAW_DEG = 5;

function inRange(what: string, v: number, lo: number, hi: number, unit = ''): string | null {
  if (!Number.isFinite(v)) return `${what} must be a number`;
  if (v < lo || v > hi) return `${what} must be ${lo}..${hi}${unit}, got ${v}${unit}`;
  return null;
}

export interface AutoRecordCheckOptions {
  /** Themes the app can draw; default DEFAULT_THEMES. */
  readonly themes?: readonly string[];
}

/** Every problem with a request, as sentences; empty when it may start. */
export function autoRecordProblems(req: AutoRecordRequest, options: AutoRecordCheckOptions = {}): string[] {
  const known = options.themes ?? DEFAULT_THEMES;
  const L = AUTO_LIMITS;
  const out: (string | null)[] = [
    inRange('Minutes', req.minutes, L.minutes.min, L.minutes.max),
    inRange('Steering noise', req.steerNoiseG, L.steerNoiseG.min, L.steerNoiseG.max, ' g'),
    inRange('Weave rate', req.weaveRatePerS, L.weaveRatePerS.min, L.weaveRatePerS.max, ' per s'),
    inRange('Speed noise', req.speedNoise ?? 0, L.speedNoise.min, L.speedNoise.max),
  ];
  const t = req.tracks;
  if (t.kind === 'list') {
    if (t.ids.length === 0) out.push('Choose at least one track: tick a preset or type a seed');
    if (t.ids.length > L.listTracks.max) out.push(`At most ${L.listTracks.max} tracks, got ${t.ids.length}`);
    const bad = t.ids.filter((id) => !isTrackId(id));
    if (bad.length > 0) out.push(`Not a preset or a seed (0..4294967295): ${bad.map((b) => `'${b}'`).join(', ')}`);
    if (new Set(t.ids).size !== t.ids.length) out.push('A track is listed twice');
  } else if (t.kind === 'random') {
    if (!Number.isInteger(t.count) || t.count < L.randomTracks.min || t.count > L.randomTracks.max) {
      out.push(`Random tracks must be a whole number ${L.randomTracks.min}..${L.randomTracks.max}, got ${t.count}`);
    }
  }
  if (req.themes.length === 0) out.push('Choose at least one theme');
  const unknown = req.themes.filter((th) => !known.includes(th));
  if (unknown.length > 0) out.push(`Unknown theme ${unknown.map((u) => `'${u}'`).join(', ')} (themes: ${known.join(', ')})`);
  if (new Set(req.themes).size !== req.themes.length) out.push('A theme is listed twice');
  if (req.sideCameras) {
    out.push(inRange('Side camera offset', req.sideCameras.lateralM, L.sideLateralM.min, L.sideLateralM.max, ' m'));
    const deg = (req.sideCameras.yawRad * 180) / Math.PI;
    out.push(inRange('Side camera yaw', Math.round(deg * 1e6) / 1e6, L.sideYawDeg.min, L.sideYawDeg.max, '°'));
  }
  if (!FRAME_SIZE_CHOICES.some((s) => s.width === req.frameWidth && s.height === req.frameHeight)) {
    out.push(`Frame size ${req.frameWidth}x${req.frameHeight} is not offered (${FRAME_SIZE_CHOICES.map((s) => `${s.width}x${s.height}`).join(', ')})`);
  }
  if (!RATE_CHOICES.includes(req.rateHz)) out.push(`Rate must be ${RATE_CHOICES.join(', ')} Hz (a divisor of 60), got ${req.rateHz}`);
  if (!Number.isInteger(req.seed) || req.seed < L.seed.min || req.seed > L.seed.max) {
    out.push(`Seed must be a whole number ${L.seed.min}..${L.seed.max}`);
  }
  if (req.start !== undefined && !START_MODES.includes(req.start)) {
    out.push(`Clips start must be ${START_MODES.map((m) => `'${m}'`).join(', ')}, got '${String(req.start)}'`);
  }
  return out.filter((p): p is string => p !== null);
}

/** The form's raw values: text from inputs, flags from checkboxes. */
export interface AutoRecordFormValues {
  readonly minutes: string;
  readonly tracksKind: AutoRecordTracks['kind'];
  readonly presets: readonly string[];
  /** Seeds or preset names, separated by commas or spaces. */
  readonly extraTracks: string;
  readonly randomCount: string;
  readonly themes: readonly string[];
  readonly steerNoiseG: string;
  readonly weaveRatePerS: string;
  /** Absent: 0 (a form without the field). */
  readonly speedNoise?: string;
  readonly sideCameras: boolean;
  readonly sideLateralM: string;
  readonly sideYawDeg: string;
  /** "200x66". */
  readonly frameSize: string;
  readonly rateHz: string;
  readonly seed: string;
  /** Absent: false (a form without the box). */
  readonly trainWhileRecording?: boolean;
  /** A StartMode as the select's value; absent: 'standing' (a form without the field). */
  readonly start?: string;
}

export type AutoRecordParse =
  | { readonly ok: true; readonly request: AutoRecordRequest }
  | { readonly ok: false; readonly problems: readonly string[] };

/** An empty field reads as NaN, so it is refused rather than taken as 0. */
function num(text: string): number {
  return text.trim() === '' ? NaN : Number(text);
}

/** Builds a request from the form and checks it. */
export function parseAutoRecordForm(v: AutoRecordFormValues, options: AutoRecordCheckOptions = {}): AutoRecordParse {
  let tracks: AutoRecordTracks;
  if (v.tracksKind === 'current') tracks = { kind: 'current' };
  else if (v.tracksKind === 'random') tracks = { kind: 'random', count: num(v.randomCount) };
  else {
    const typed = v.extraTracks.split(/[\s,;]+/).filter((s) => s !== '');
    tracks = { kind: 'list', ids: [...new Set([...v.presets, ...typed])] };
  }
  const [w, h] = v.frameSize.split('x').map(Number);
  const request: AutoRecordRequest = {
    minutes: num(v.minutes),
    tracks,
    themes: [...v.themes],
    steerNoiseG: num(v.steerNoiseG),
    weaveRatePerS: num(v.weaveRatePerS),
    speedNoise: v.speedNoise === undefined ? 0 : num(v.speedNoise),
    sideCameras: v.sideCameras
      ? { lateralM: num(v.sideLateralM) as Meters, yawRad: ((num(v.sideYawDeg) * Math.PI) / 180) as Radians }
      : null,
    frameWidth: w,
    frameHeight: h,
    rateHz: num(v.rateHz),
    seed: num(v.seed),
    ...(v.trainWhileRecording ? { trainWhileRecording: true } : {}),
    // Unchecked here: autoRecordProblems refuses anything but a StartMode, naming the value.
    ...(v.start === undefined ? {} : { start: v.start as StartMode }),
  };
  const problems = autoRecordProblems(request, options);
  return problems.length === 0 ? { ok: true, request } : { ok: false, problems };
}

/**
 * The cameras a request records: center, then left (shifted and yawed to the left, + in the
 * clip schema's convention) and right (mirrored), whose labels are recovery steering.
 */
export function sideCameraSpecs(req: Pick<AutoRecordRequest, 'sideCameras'>): CameraSpec[] {
  const s = req.sideCameras;
  if (!s) return [CENTER_CAMERA];
  return [
    CENTER_CAMERA,
    { id: 'left', lateralM: s.lateralM, yawRad: s.yawRad },
    { id: 'right', lateralM: -s.lateralM as Meters, yawRad: -s.yawRad as Radians },
  ];
}

/** How many tracks a request drives ("current" is one). */
export function trackCount(req: Pick<AutoRecordRequest, 'tracks'>): number {
  const t = req.tracks;
  return t.kind === 'current' ? 1 : t.kind === 'random' ? t.count : t.ids.length;
}

/** A recording past this many bytes is large: the Library says so before it starts. */
export const LARGE_RECORDING_BYTES = 256 * 1024 * 1024;

/**
 * What the Library says about a recording's estimated size: null when it is small and fits,
 * else a sentence (more than the free space, or large: training holds every frame in memory).
 */
export function recordingSizeWarning(bytes: number, availableBytes: number | null, format: (b: number) => string): string | null {
  if (availableBytes !== null && bytes > availableBytes) return `more than the ${format(availableBytes)} free`;
  if (bytes > LARGE_RECORDING_BYTES) {
    return `a large recording: training holds every frame in memory, which may be slow or fail on a phone; fewer minutes, a lower rate or a smaller frame make it lighter`;
  }
  return null;
}

/**
 * A sentence for the estimate line: null unless the request starts every clip on the grid and its
 * clips are shorter than SHORT_CLIP_S each (the minutes split over tracks x themes), when they
 * would hold little but launches from the start line. Also null with one theme: 'spread' starts a
 * track's first clip on the grid, so with one clip per track it would change nothing.
 */
export function startHint(req: AutoRecordRequest): string | null {
  if ((req.start ?? 'standing') !== 'standing' || req.themes.length < 2) return null;
  const clips = trackCount(req) * req.themes.length;
  if (clips <= 0) return null;
  const seconds = (req.minutes * 60) / clips;
  if (!(seconds < SHORT_CLIP_S)) return null;
  return `Each clip is about ${seconds.toFixed(1)} s from a standing start, mostly the launch: "spread around the lap" shows more of each track.`;
}

/** Steps and bytes a request will store (frames plus labels, as ClipMeta.byteSize counts them). */
export function estimateAutoRecord(req: AutoRecordRequest): { steps: number; bytes: number; clips: number } {
  const cameras = req.sideCameras ? 3 : 1;
  const steps = Math.round(req.minutes * 60 * req.rateHz);
  const stepBytes = cameras * req.frameWidth * req.frameHeight * 3 + (14 + cameras) * 8;
  return { steps, bytes: steps * stepBytes, clips: trackCount(req) * req.themes.length };
}
