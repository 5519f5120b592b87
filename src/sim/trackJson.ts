// The track file format (docs/formats.md, "Tracks"): a track's control points, width and name.
// Loading validates every field and names the first bad one; the result is checked against the
// same rules as generated tracks (corner radius, clearance, no crossing). A custom track's
// ranked id is the SHA-256 of its canonical file (trackHashId), so the id cannot lie about it.

import { sha256Hex } from '../core/sha256.ts';
import { buildTrack, MAX_WIDTH, MIN_WIDTH, type Track, validateTrack } from './track.ts';

export const TRACK_FORMAT = 'deepsteer-track';
export const TRACK_FORMAT_VERSION = 1;
/** Largest track file, characters (5000 control points written out fit in ~250 KB). */
export const TRACK_MAX_BYTES = 512 * 1024;
/** Most control points a track file may have. */
export const TRACK_MAX_POINTS = 5000;
/** Prefix of the ids of custom tracks named by their hash. */
export const TRACK_HASH_PREFIX = 'custom-';

export interface TrackFile {
  format: typeof TRACK_FORMAT;
  version: number;
  id: string;
  name: string;
  /** Road width, m. */
  width: number;
  /** Closed loop of [x, y] control points, m (x east, y north). */
  controlPoints: [number, number][];
}

export class TrackFormatError extends Error {
  override name = 'TrackFormatError';
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses and validates a track file. Throws TrackFormatError naming the bad field. */
export function parseTrackJson(text: string): Track {
  if (text.length > TRACK_MAX_BYTES) throw new TrackFormatError('(file)', `is ${text.length} characters; a track file is at most ${TRACK_MAX_BYTES}`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new TrackFormatError('(file)', `not valid JSON (${(e as Error).message})`);
  }
  return trackFromFile(raw);
}

export function trackFromFile(raw: unknown): Track {
  if (!isRecord(raw)) throw new TrackFormatError('(file)', 'must be a JSON object');
  if (raw.format !== TRACK_FORMAT) throw new TrackFormatError('format', `must be "${TRACK_FORMAT}"`);
  if (typeof raw.version !== 'number' || !Number.isInteger(raw.version)) throw new TrackFormatError('version', 'must be an integer');
  if (raw.version > TRACK_FORMAT_VERSION) throw new TrackFormatError('version', `${raw.version} is newer than this game reads (${TRACK_FORMAT_VERSION})`);
  if (raw.version < 1) throw new TrackFormatError('version', 'must be at least 1');
  if (typeof raw.id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(raw.id)) throw new TrackFormatError('id', 'must be 1-64 letters, digits, - or _');
  if (typeof raw.name !== 'string' || raw.name.length === 0 || raw.name.length > 80) throw new TrackFormatError('name', 'must be a string of 1-80 characters');
  if (typeof raw.width !== 'number' || !Number.isFinite(raw.width)) throw new TrackFormatError('width', 'must be a number (metres)');
  if (raw.width < MIN_WIDTH || raw.width > MAX_WIDTH) throw new TrackFormatError('width', `must be within ${MIN_WIDTH}..${MAX_WIDTH} m, got ${raw.width}`);
  const cps = raw.controlPoints;
  if (!Array.isArray(cps)) throw new TrackFormatError('controlPoints', 'must be an array of [x, y] pairs');
  if (cps.length < 4 || cps.length > TRACK_MAX_POINTS) throw new TrackFormatError('controlPoints', `needs 4..${TRACK_MAX_POINTS} points, got ${cps.length}`);
  const points: [number, number][] = [];
  cps.forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2) throw new TrackFormatError(`controlPoints[${i}]`, 'must be an [x, y] pair');
    p.forEach((c, j) => {
      if (typeof c !== 'number' || !Number.isFinite(c)) throw new TrackFormatError(`controlPoints[${i}][${j}]`, 'must be a finite number');
      if (Math.abs(c) > 100_000) throw new TrackFormatError(`controlPoints[${i}][${j}]`, 'must be within ±100 km');
    });
    points.push([p[0], p[1]]);
  });
  const track = buildTrack({ id: raw.id, name: raw.name, width: raw.width, controlPoints: points });
  const problems = validateTrack(track);
  if (problems.length > 0) throw new TrackFormatError(problems[0].field, problems[0].message);
  return track;
}

/** The file for a track (round-trips through parseTrackJson to the same geometry). */
export function trackToFile(track: Track): TrackFile {
  return {
    format: TRACK_FORMAT,
    version: TRACK_FORMAT_VERSION,
    id: track.id,
    name: track.name,
    width: track.width,
    controlPoints: track.controlPoints.map((p) => [p[0], p[1]]),
  };
}

/**
 * The canonical text of a track's geometry: format, version, width and control points in a
 * fixed key order, numbers as JavaScript writes them. Name and id are left out (the id is
 * derived from this text; renaming a track keeps its board).
 */
export function canonicalTrackText(file: Pick<TrackFile, 'width' | 'controlPoints'>): string {
  return JSON.stringify({
    format: TRACK_FORMAT,
    version: TRACK_FORMAT_VERSION,
    width: file.width,
    controlPoints: file.controlPoints.map((p) => [p[0], p[1]]),
  });
}

/** The id a custom track is ranked under: 'custom-' and the first 20 hex digits of its SHA-256. */
export function trackHashId(file: Pick<TrackFile, 'width' | 'controlPoints'>): string {
  return TRACK_HASH_PREFIX + sha256Hex(canonicalTrackText(file)).slice(0, 20);
}
