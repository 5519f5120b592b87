// The clip schema in memory: what one recorded step holds (frames + labels), what a clip's
// meta says, the packed label row stored per step, and the checks every writer and importer
// runs on them. Formats on disk are described in docs/formats.md ("Clips").

import type { Meters, MetersPerSecond, Radians, Ticks } from '../core/units.ts';
import { DataError } from './dataErrors.ts';

/**
 * Version of the clip record layout (meta + chunk + label records) that this build writes.
 * Each clip's meta keeps the version it was written with, and readers pick the label row
 * layout by it (labelFieldsOf), so older clips load without a migration. 1: the first 13
 * numeric labels; 2: + speedTarget.
 */
export const CLIP_SCHEMA_VERSION = 2;

export const DEFAULT_RATE_HZ = 20;
export const MIN_RATE_HZ = 10;
export const MAX_RATE_HZ = 30;
export const DEFAULT_FRAME_WIDTH = 200;
export const DEFAULT_FRAME_HEIGHT = 66;
export const MAX_FRAME_SIDE = 4096;
/** Simulation ticks per second: label `tick` counts these. */
export const SIM_TICKS_PER_SECOND = 60;

export type CameraId = 'center' | 'left' | 'right';
export const CAMERA_IDS: readonly CameraId[] = ['center', 'left', 'right'];

/**
 * A dash camera. Side cameras are shifted sideways and yawed so their frames show the view
 * of a car that drifted off line; their steer label is the recovery steering.
 */
export interface CameraSpec {
  readonly id: CameraId;
  /** Sideways shift from the car's centreline, + = left. */
  readonly lateralM: Meters;
  /** Yaw relative to the car's heading, + = counter-clockwise (towards the left). */
  readonly yawRad: Radians;
}

export const CENTER_CAMERA: CameraSpec = { id: 'center', lateralM: 0 as Meters, yawRad: 0 as Radians };

export type Driver = 'human' | 'expert' | 'autopilot' | 'takeover';
/** Stored code of each driver is its index here: append only, never reorder. */
export const DRIVERS: readonly Driver[] = ['human', 'expert', 'autopilot', 'takeover'];

export type ClipTag = 'train' | 'val';

/**
 * The numeric labels of one step, in stored column order. Sign conventions (the contract the
 * recorder must satisfy): steer and steerRad > 0 turn left (counter-clockwise, like heading);
 * lateralOffset > 0 is left of the centreline; torque < 0 brakes.
 */
export const NUMERIC_LABEL_FIELDS = [
  'tick',
  'steer',
  'steerRad',
  'speed',
  'torque',
  'brake',
  'x',
  'y',
  'heading',
  'lateralOffset',
  'headingError',
  'curvatureAhead',
  'lapProgress',
  'speedTarget',
] as const;
export type NumericLabelField = (typeof NUMERIC_LABEL_FIELDS)[number];

/** Numeric label columns of schema 1 clips: every field before speedTarget, in the same order. */
const SCHEMA_1_FIELDS: readonly NumericLabelField[] = NUMERIC_LABEL_FIELDS.slice(0, NUMERIC_LABEL_FIELDS.indexOf('speedTarget'));

/**
 * The numeric label columns stored by clips of `schemaVersion` (a prefix of
 * NUMERIC_LABEL_FIELDS: versions only append columns). Refuses a version this build cannot read.
 */
export function labelFieldsOf(schemaVersion: number): readonly NumericLabelField[] {
  if (schemaVersion === 1) return SCHEMA_1_FIELDS;
  if (schemaVersion === CLIP_SCHEMA_VERSION) return NUMERIC_LABEL_FIELDS;
  throw new DataError(
    'unsupported-version',
    `clip schema version ${schemaVersion} cannot be read here (this build reads 1..${CLIP_SCHEMA_VERSION}): update DeepSteer`,
  );
}

/** Highest plausible speedTarget, m/s (the car tops out far below). */
export const MAX_SPEED_TARGET = 100;

/** The labels of one recorded step, as the recorder passes them. */
export interface LabelRow {
  /** Simulation tick (60 Hz) of the step: an integer. */
  readonly tick: Ticks;
  /** Steering as applied, -1..1, + = left. */
  readonly steer: number;
  readonly steerRad: Radians;
  readonly speed: MetersPerSecond;
  /** Drive torque as applied, -1..1, negative = braking. */
  readonly torque: number;
  /** Brake as applied, 0..1. */
  readonly brake: number;
  readonly x: Meters;
  readonly y: Meters;
  readonly heading: Radians;
  /** Signed distance from the centreline, + = left. */
  readonly lateralOffset: Meters;
  readonly headingError: Radians;
  /** Signed curvature of the road ahead, 1/m, + = turning left. */
  readonly curvatureAhead: number;
  /** Fraction of the lap done, 0..1. */
  readonly lapProgress: number;
  /**
   * The speed the expert would reach 1 s after this state driving on from it (Expert.speedAhead):
   * the speed it is about to hold, as a teacher, recorded whoever drives;
   * NaN where not recorded: clips from schema 1, imports from other formats. Omitted = NaN.
   */
  readonly speedTarget?: MetersPerSecond;
  readonly driver: Driver;
  /**
   * Recovery steer label (-1..1) for each side camera the clip has. The center camera's
   * label is `steer` itself and need not be given.
   */
  readonly cameraSteer?: Partial<Record<CameraId, number>>;
}

/** A clip's labels, one column per field (all `count` long; speedTarget is NaN where not recorded). */
export type ClipLabels = { readonly [K in NumericLabelField]: Float64Array } & {
  readonly count: number;
  /** Codes into DRIVERS. */
  readonly driver: Uint8Array;
  /** Steer label of each camera the clip has (center's equals `steer`). */
  readonly cameraSteer: Partial<Record<CameraId, Float64Array>>;
};

/** A small preview of the first center frame, RGB, row 0 at the top. */
export interface Thumbnail {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

export interface ClipMeta {
  readonly id: string;
  readonly name: string;
  /** Milliseconds since the Unix epoch, given by the caller. */
  readonly createdAt: number;
  /** A numeric seed ("12345") or a preset name ("oval"). */
  readonly trackId: string;
  readonly theme: string;
  /** Recording rate, steps per second (MIN_RATE_HZ..MAX_RATE_HZ). */
  readonly rateHz: number;
  /** Pixels of every frame of every camera. */
  readonly frameWidth: number;
  readonly frameHeight: number;
  /** Camera order is the frame order within a step; always starts with center. */
  readonly cameras: readonly CameraSpec[];
  /** Steps stored (each step has one frame per camera). */
  readonly frameCount: number;
  /** Bytes stored for frames and labels: frameCount * (stepBytes + labelRowBytes). */
  readonly byteSize: number;
  /** False while recording, or after a tab closed mid-recording (then see recoverClip). */
  readonly complete: boolean;
  readonly tag: ClipTag | null;
  readonly thumbnail: Thumbnail | null;
  /** Version string of the simulation that produced the clip. */
  readonly simVersion: string;
  readonly schemaVersion: number;
  /** Steps per stored chunk record (the last chunk may hold fewer). */
  readonly chunkSteps: number;
}

/** Bytes of one RGB frame. */
export function frameBytes(meta: Pick<ClipMeta, 'frameWidth' | 'frameHeight'>): number {
  return meta.frameWidth * meta.frameHeight * 3;
}

/** Bytes of one step's frames: one frame per camera, in camera order. */
export function stepBytes(meta: Pick<ClipMeta, 'frameWidth' | 'frameHeight' | 'cameras'>): number {
  return frameBytes(meta) * meta.cameras.length;
}

/**
 * Float64 values in one stored label row: the numeric fields of the schema version (default:
 * the one this build writes), the driver code, one steer per camera.
 */
export function labelRowWidth(cameraCount: number, schemaVersion = CLIP_SCHEMA_VERSION): number {
  return labelFieldsOf(schemaVersion).length + 1 + cameraCount;
}

/** Column of the driver code in a row of the current schema (of schema v: labelFieldsOf(v).length). */
export const DRIVER_COLUMN = NUMERIC_LABEL_FIELDS.length;

/** Bytes a clip stores for frames and labels, with the label row of its own schema version. */
export function byteSizeOf(meta: Pick<ClipMeta, 'frameWidth' | 'frameHeight' | 'cameras' | 'frameCount' | 'schemaVersion'>): number {
  return meta.frameCount * (stepBytes(meta) + labelRowWidth(meta.cameras.length, meta.schemaVersion) * 8);
}

export function cameraIndex(meta: Pick<ClipMeta, 'cameras'>, camera: CameraId): number {
  const i = meta.cameras.findIndex((c) => c.id === camera);
  if (i < 0) throw new DataError('invalid-input', `this clip has no '${camera}' camera`);
  return i;
}

/**
 * Default steps per chunk record: one second of driving, so a recorder that writes each
 * chunk as it fills flushes once a second without rewriting anything; capped so one record
 * stays under ~8 MiB however large the frames.
 */
export function defaultChunkSteps(rateHz: number, bytesPerStep: number): number {
  const maxBytes = 8 * 1024 * 1024;
  return Math.max(1, Math.min(Math.round(rateHz), Math.floor(maxBytes / bytesPerStep)));
}

export interface ClipShape {
  readonly rateHz: number;
  readonly frameWidth: number;
  readonly frameHeight: number;
  readonly cameras: readonly CameraSpec[];
}

/** Refuses a clip shape the schema cannot hold, naming the field. */
export function checkClipShape(shape: ClipShape): void {
  const { rateHz, frameWidth, frameHeight, cameras } = shape;
  if (!(Number.isFinite(rateHz) && rateHz >= MIN_RATE_HZ && rateHz <= MAX_RATE_HZ)) {
    throw new DataError('invalid-input', `rateHz must be ${MIN_RATE_HZ}..${MAX_RATE_HZ}, got ${rateHz}`);
  }
  for (const [what, v] of [['frameWidth', frameWidth], ['frameHeight', frameHeight]] as const) {
    if (!(Number.isInteger(v) && v >= 1 && v <= MAX_FRAME_SIDE)) {
      throw new DataError('invalid-input', `${what} must be an integer 1..${MAX_FRAME_SIDE}, got ${v}`);
    }
  }
  if (cameras.length === 0 || cameras[0].id !== 'center') {
    throw new DataError('invalid-input', `cameras must start with 'center'`);
  }
  const seen = new Set<CameraId>();
  for (const c of cameras) {
    if (!CAMERA_IDS.includes(c.id)) throw new DataError('invalid-input', `unknown camera '${String(c.id)}'`);
    if (seen.has(c.id)) throw new DataError('invalid-input', `camera '${c.id}' is listed twice`);
    if (!Number.isFinite(c.lateralM) || !Number.isFinite(c.yawRad)) {
      throw new DataError('invalid-input', `camera '${c.id}' needs finite lateralM and yawRad`);
    }
    seen.add(c.id);
  }
}

const UNIT_RANGE: Partial<Record<NumericLabelField, readonly [number, number]>> = {
  steer: [-1, 1],
  torque: [-1, 1],
  brake: [0, 1],
  lapProgress: [0, 1],
};

/**
 * Checks one numeric label value. Returns null when valid, else the problem (without the
 * location, which the caller adds: "row 7, column 'steer': ...").
 */
export function labelValueProblem(field: NumericLabelField | 'cameraSteer', v: number): string | null {
  if (field === 'speedTarget') {
    if (Number.isNaN(v) || (v >= 0 && v <= MAX_SPEED_TARGET)) return null;
    return `${v} is not a speed 0..${MAX_SPEED_TARGET} m/s (or NaN: not recorded)`;
  }
  if (!Number.isFinite(v)) return `${v} is not a finite number`;
  if (field === 'tick') return Number.isSafeInteger(v) && v >= 0 ? null : `${v} is not a tick count (integer >= 0)`;
  const range = field === 'cameraSteer' ? ([-1, 1] as const) : UNIT_RANGE[field];
  if (range && (v < range[0] || v > range[1])) return `${v} is outside ${range[0]}..${range[1]}`;
  return null;
}

/**
 * Packs one step's labels into `out` at `offset` (labelRowWidth values, the current schema),
 * checking each; a missing speedTarget is stored as NaN. NOTE mutates out.
 */
export function packLabelRow(
  row: LabelRow,
  cameras: readonly CameraSpec[],
  out: Float64Array,
  offset: number,
): void {
  for (let f = 0; f < NUMERIC_LABEL_FIELDS.length; f++) {
    const field = NUMERIC_LABEL_FIELDS[f];
    const v = (row[field] as number | undefined) ?? NaN;
    const problem = labelValueProblem(field, v);
    if (problem) throw new DataError('invalid-input', `label '${field}': ${problem}`);
    out[offset + f] = v;
  }
  const code = DRIVERS.indexOf(row.driver);
  if (code < 0) throw new DataError('invalid-input', `label 'driver': unknown driver '${String(row.driver)}'`);
  out[offset + DRIVER_COLUMN] = code;
  for (let c = 0; c < cameras.length; c++) {
    const id = cameras[c].id;
    let v: number;
    if (id === 'center') {
      v = row.steer;
      const given = row.cameraSteer?.center;
      if (given !== undefined && !Object.is(given, v)) {
        throw new DataError('invalid-input', `label 'cameraSteer.center' must equal steer (${v}), got ${given}`);
      }
    } else {
      const given = row.cameraSteer?.[id];
      if (given === undefined) throw new DataError('invalid-input', `label 'cameraSteer.${id}' is missing`);
      v = given;
    }
    const problem = labelValueProblem('cameraSteer', v);
    if (problem) throw new DataError('invalid-input', `label 'cameraSteer.${id}': ${problem}`);
    out[offset + DRIVER_COLUMN + 1 + c] = v;
  }
}

/** Allocates empty label columns for `count` steps. */
export function allocLabels(count: number, cameras: readonly CameraSpec[]): ClipLabels {
  const cols = {} as Record<NumericLabelField, Float64Array>;
  for (const f of NUMERIC_LABEL_FIELDS) cols[f] = new Float64Array(count);
  const cameraSteer: Partial<Record<CameraId, Float64Array>> = {};
  for (const c of cameras) cameraSteer[c.id] = c.id === 'center' ? cols.steer : new Float64Array(count);
  return { ...cols, count, driver: new Uint8Array(count), cameraSteer };
}

/** How a clip's label rows are laid out: its cameras and the schema version it was written with. */
export type LabelLayout = Pick<ClipMeta, 'cameras' | 'schemaVersion'>;

/**
 * Copies `rows` packed rows (row-major, labelRowWidth(cameras, schemaVersion) wide) into
 * columns starting at `at`; columns the layout's schema lacks (speedTarget in schema 1) get
 * NaN. NOTE mutates labels.
 */
export function unpackLabelRows(packed: Float64Array, rows: number, layout: LabelLayout, labels: ClipLabels, at: number): void {
  const { cameras } = layout;
  const fields = labelFieldsOf(layout.schemaVersion);
  const driverColumn = fields.length;
  const width = labelRowWidth(cameras.length, layout.schemaVersion);
  if (packed.length < rows * width) {
    throw new DataError('storage', `a label record holds ${packed.length} values; ${rows} rows of ${width} need ${rows * width}`);
  }
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    for (let f = 0; f < fields.length; f++) labels[fields[f]][at + r] = packed[o + f];
    for (let f = fields.length; f < NUMERIC_LABEL_FIELDS.length; f++) labels[NUMERIC_LABEL_FIELDS[f]][at + r] = NaN;
    labels.driver[at + r] = packed[o + driverColumn];
    for (let c = 0; c < cameras.length; c++) {
      if (cameras[c].id !== 'center') labels.cameraSteer[cameras[c].id]![at + r] = packed[o + driverColumn + 1 + c];
    }
  }
}

/** The labels of step i as a row (for callers that want one step, not columns). */
export function labelRowAt(labels: ClipLabels, i: number): LabelRow {
  const row: Record<string, unknown> = {};
  for (const f of NUMERIC_LABEL_FIELDS) row[f] = labels[f][i];
  row.driver = DRIVERS[labels.driver[i]];
  const cameraSteer: Partial<Record<CameraId, number>> = {};
  for (const id of CAMERA_IDS) {
    const col = labels.cameraSteer[id];
    if (col && id !== 'center') cameraSteer[id] = col[i];
  }
  row.cameraSteer = cameraSteer;
  return row as unknown as LabelRow;
}
