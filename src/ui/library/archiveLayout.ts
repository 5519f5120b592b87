// Which importer a chosen .zip needs. We peek at the zip's central directory (the file list
// at its end: a few KB even for thousands of images) instead of trying the DeepSteer importer
// and falling back on its error, so the choice does not hang on an error message's wording and
// a broken DeepSteer archive reports its own problem rather than "no driving_log.csv".
// Anything we cannot read here is handed to the DeepSteer importer, whose DataError then says
// what is wrong with the file (not a zip, truncated, ...).

export type ArchiveLayout = 'deepsteer' | 'udacity' | 'unknown';

/** The layout a list of zip entry names shows (rules of docs/formats.md, "Clips"). */
export function layoutOfNames(names: readonly string[]): ArchiveLayout {
  if (names.includes('manifest.json')) return 'deepsteer';
  if (names.some((n) => /(^|[\\/])driving_log\.csv$/i.test(n))) return 'udacity';
  return 'unknown';
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
/** A central directory larger than this is not peeked at (~600k entries). */
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;

async function bytesOf(blob: Blob, start: number, end: number): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(start, end).arrayBuffer());
}

/**
 * The entry names of a zip, read from its central directory, or null when the blob is not a
 * zip this can read (too short, no end record, zip64, a directory that does not parse).
 */
export async function zipEntryNames(blob: Blob): Promise<string[] | null> {
  if (blob.size < EOCD_SIZE) return null;
  const tailStart = Math.max(0, blob.size - EOCD_SIZE - MAX_COMMENT);
  const tail = await bytesOf(blob, tailStart, blob.size);
  const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  // The end record sits before a comment of at most 64 KiB; search backwards for the signature
  // whose comment length reaches exactly to the end of the file.
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD_SIGNATURE && i + EOCD_SIZE + tv.getUint16(i + 20, true) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const count = tv.getUint16(eocd + 10, true);
  const size = tv.getUint32(eocd + 12, true);
  const offset = tv.getUint32(eocd + 16, true);
  if (count === 0xffff || offset === 0xffffffff || size === 0xffffffff) return null;
  if (size > MAX_DIRECTORY_BYTES || offset + size > tailStart + eocd) return null;
  const dir = await bytesOf(blob, offset, offset + size);
  const dv = new DataView(dir.buffer, dir.byteOffset, dir.byteLength);
  const decoder = new TextDecoder('utf-8');
  const names: string[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > dir.length || dv.getUint32(p, true) !== CENTRAL_SIGNATURE) return null;
    const nameLen = dv.getUint16(p + 28, true);
    const extraLen = dv.getUint16(p + 30, true);
    const commentLen = dv.getUint16(p + 32, true);
    if (p + 46 + nameLen > dir.length) return null;
    names.push(decoder.decode(dir.subarray(p + 46, p + 46 + nameLen)));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

/** The layout of a zip file; 'unknown' also for files that are not readable zips. */
export async function detectArchiveLayout(blob: Blob): Promise<ArchiveLayout> {
  const names = await zipEntryNames(blob).catch(() => null);
  return names ? layoutOfNames(names) : 'unknown';
}
