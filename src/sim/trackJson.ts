// The track file format (docs/formats.md, "Tracks"): a track's control points, width and name.
// Loading validates every field and names the first bad one; the result is checked against the
// same rules as generated tracks (corner radius, clearance, no crossing).

import { buildTrack, MAX_WIDTH, MIN_WIDTH, type Track, validateTrack } from './track.ts';

export const TRACK_FORMAT = 'deepsteer-track';
export const TRACK_FORMAT_VERSION = 1;

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
  if (cps.length < 4 || cps.length > 5000) throw new TrackFormatError('controlPoints', `needs 4..5000 points, got ${cps.length}`);
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
