// Which importer a chosen .zip needs. We peek at the zip's central directory (the file list
// at its end: a few KB even for thousands of images) instead of trying the DeepSteer importer
// and falling back on its error, so the choice does not hang on an error message's wording and
// a broken DeepSteer archive reports its own problem rather than "no driving_log.csv".
// Anything we cannot read here is handed to the DeepSteer importer, whose DataError then says
// what is wrong with the file (not a zip, truncated, ...).

import { archiveEntryNames } from '../../data/index.ts';

export type ArchiveLayout = 'deepsteer' | 'udacity' | 'unknown';

/** The layout a list of zip entry names shows (rules of docs/formats.md, "Clips"). */
export function layoutOfNames(names: readonly string[]): ArchiveLayout {
  if (names.includes('manifest.json')) return 'deepsteer';
  if (names.some((n) => /(^|[\\/])driving_log\.csv$/i.test(n))) return 'udacity';
  return 'unknown';
}

/**
 * The entry names of a zip, read from its central directory by the data layer's zip reader, or
 * null when the blob is not a zip it can read.
 */
export function zipEntryNames(blob: Blob): Promise<string[] | null> {
  return archiveEntryNames(blob);
}

/** The layout of a zip file; 'unknown' also for files that are not readable zips. */
export async function detectArchiveLayout(blob: Blob): Promise<ArchiveLayout> {
  const names = await zipEntryNames(blob).catch(() => null);
  return names ? layoutOfNames(names) : 'unknown';
}
