// manifest.json of a clip archive: its zod schema, its version, and the validation that turns
// any problem into a message naming the field (documented in docs/formats.md, "Clip archive").

import { z } from 'zod';
import { meters, radians } from '../core/units.ts';
import { CAMERA_IDS, MAX_FRAME_SIDE, MAX_RATE_HZ, MIN_RATE_HZ } from './clipTypes.ts';
import { DataError } from './dataErrors.ts';

export const ARCHIVE_FORMAT = 'deepsteer-clips';
export const ARCHIVE_FORMAT_VERSION = 1;

const camera = z.object({
  id: z.enum(CAMERA_IDS as ['center', 'left', 'right']),
  lateralM: z.number().transform(meters),
  yawRad: z.number().transform(radians),
});

const frameFile = z.object({
  file: z.string().min(1),
  /** First step in the file. */
  start: z.int().min(0),
  /** Steps in the file (each with one frame per camera). */
  count: z.int().min(1),
});

export const manifestClipSchema = z.object({
  id: z.string().min(1).max(200),
  name: z.string().max(200),
  createdAt: z.number(),
  trackId: z.string(),
  theme: z.string(),
  rateHz: z.number().min(MIN_RATE_HZ).max(MAX_RATE_HZ),
  frameWidth: z.int().min(1).max(MAX_FRAME_SIDE),
  frameHeight: z.int().min(1).max(MAX_FRAME_SIDE),
  cameras: z.array(camera).min(1).max(CAMERA_IDS.length),
  frameCount: z.int().min(0),
  complete: z.boolean(),
  tag: z.enum(['train', 'val']).nullable(),
  simVersion: z.string(),
  schemaVersion: z.int().min(1),
  chunkSteps: z.int().min(1).max(100_000),
  labels: z.object({ file: z.string().min(1), rows: z.int().min(0) }),
  frames: z.object({ encoding: z.literal('rgb8'), files: z.array(frameFile) }),
});

export const manifestSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  formatVersion: z.literal(ARCHIVE_FORMAT_VERSION),
  clips: z.array(manifestClipSchema).min(1),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestClip = z.infer<typeof manifestClipSchema>;

/** "clips[0].cameras[1].id" from a zod issue path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? String(p) : `.${String(p)}`;
  return s || '(top level)';
}

/** Checks the version first (so a newer archive gets a clear message), then the whole shape. */
export function parseManifest(json: unknown): Manifest {
  const raw = json as { format?: unknown; formatVersion?: unknown } | null;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new DataError('bad-manifest', 'manifest.json is invalid: it must hold a JSON object');
  }
  if (raw.format !== ARCHIVE_FORMAT) {
    throw new DataError('bad-manifest', `manifest.json is invalid: format: expected '${ARCHIVE_FORMAT}', got ${JSON.stringify(raw.format)}`);
  }
  const v = raw.formatVersion;
  if (typeof v === 'number' && Number.isInteger(v) && v > ARCHIVE_FORMAT_VERSION) {
    throw new DataError(
      'unsupported-version',
      `this archive was written by a newer DeepSteer (format version ${v}; this build reads version ${ARCHIVE_FORMAT_VERSION}): update DeepSteer to import it`,
    );
  }
  if (v !== ARCHIVE_FORMAT_VERSION) {
    throw new DataError('unsupported-version', `manifest.json has an unknown formatVersion ${JSON.stringify(v)} (this build reads ${ARCHIVE_FORMAT_VERSION})`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${formatPath(i.path)}: ${i.message}`);
    const more = parsed.error.issues.length > 5 ? ` (and ${parsed.error.issues.length - 5} more)` : '';
    throw new DataError('bad-manifest', `manifest.json is invalid: ${issues.join('; ')}${more}`);
  }
  return parsed.data;
}
