// Reads zip archives by random access: the central directory first, then one file at a time
// (stored, or deflated through the bounded inflate of src/data/untrusted), each checked against
// its CRC-32 and the caps of untrusted/limits.ts (entry count, declared sizes, ratio). Reading
// from a Blob slices it, so an import holds one file of the archive in memory, never the whole
// archive. No zip64: archives and files stay under 4 GiB.
//
// Why not fflate's streaming Unzip over blob.stream() (checked against fflate 0.8.3, the latest
// release; the tests in codecs.test.ts and the bench in dataBench.test.ts pin these facts):
// - fflate's streaming Zip, which our exporter uses, writes every entry with a data descriptor
//   (sizes after the data). Unzip then finds an entry's end by scanning for zip signatures, so
//   a file whose bytes contain "PK\x03\x04", "PK\x07\x08" or "PK\x01\x02" is cut short, silently
//   for stored files (fflate issues #208 and #243, fix proposed in PR #275). Compressed frames
//   are near-random: about one false match per 1.4 GB, so large exports would fail to import.
// - That scan runs at ~25 MB/s: reading a level-0 export in two passes took 24 MB/s against
//   162 MB/s here (the dataBench 'zip read' lines).
// - Entries that are not start()ed are kept in memory (start may come later), so a first pass
//   for the index files alone buffers every frame file.
// - Unzip exposes no CRC-32 and never reads the central directory, so a corrupt stored file or
//   an archive cut after its last entry goes unnoticed; 4 in 5 single-bit flips in deflated
//   data also inflate without error. The directory is the only place the checksums are kept.
// fflate does the decompression; this file reads only what fflate does not expose.

import { crc32 } from './crc32.ts';
import { DataError } from './dataErrors.ts';
import { checkEntrySizes, inflateExactly } from './untrusted/guards.ts';
import { ZIP_MAX_ENTRIES, ZIP_MAX_ENTRY_BYTES, ZIP_MAX_TOTAL_BYTES } from './untrusted/limits.ts';

/** Bytes that can be read at any offset: an in-memory array or a Blob (a File from an input). */
export interface RandomAccessBytes {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export type ArchiveInput = Uint8Array | ArrayBuffer | Blob;

export function randomAccess(input: ArchiveInput): RandomAccessBytes {
  if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
    const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
    return { size: bytes.length, read: async (o, n) => bytes.subarray(o, o + n) };
  }
  return {
    size: input.size,
    read: async (o, n) => new Uint8Array(await input.slice(o, o + n).arrayBuffer()),
  };
}

export interface ZipEntry {
  readonly name: string;
  /** 0 stored, 8 deflated. */
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

const EOCD_SIG = 0x06054b50;
const CDIR_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

const corrupt = (why: string, cause?: unknown): DataError =>
  new DataError('bad-archive', `the file is not a readable zip archive (corrupt or truncated): ${why}`, { cause });

export class ZipReader {
  private readonly byName = new Map<string, ZipEntry>();

  private constructor(
    private readonly src: RandomAccessBytes,
    /** File entries (folders left out), in central-directory order. */
    readonly entries: readonly ZipEntry[],
  ) {
    for (const e of entries) this.byName.set(e.name, e);
  }

  static async open(input: ArchiveInput): Promise<ZipReader> {
    const src = randomAccess(input);
    if (src.size < 22) throw corrupt(`${src.size} bytes is too short for a zip`);
    const tailLength = Math.min(src.size, 22 + 0xffff);
    const dir = findDirectory(await src.read(src.size - tailLength, tailLength), src.size);
    return new ZipReader(src, parseDirectory(await src.read(dir.cdOffset, dir.cdSize), dir));
  }

  /** The same over bytes already in memory, synchronously (model zips). */
  static openSync(bytes: Uint8Array): ZipReader {
    if (bytes.length < 22) throw corrupt(`${bytes.length} bytes is too short for a zip`);
    const tailLength = Math.min(bytes.length, 22 + 0xffff);
    const dir = findDirectory(bytes.subarray(bytes.length - tailLength), bytes.length);
    const reader = new ZipReader(randomAccess(bytes), parseDirectory(bytes.subarray(dir.cdOffset, dir.cdOffset + dir.cdSize), dir));
    reader.bytes = bytes;
    return reader;
  }

  get(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  /** Set by openSync: the whole archive, for readSync. */
  private bytes: Uint8Array | null = null;

  /**
   * The file's bytes, inflated and checked against its CRC-32. Refused before reading when it
   * declares more than `maxBytes` or a bomb's ratio; the inflate stops at the declared size.
   */
  async read(entry: ZipEntry, maxBytes = ZIP_MAX_ENTRY_BYTES): Promise<Uint8Array> {
    checkEntrySizes(entry, maxBytes);
    const head = await this.src.read(entry.localHeaderOffset, 30);
    const start = dataStart(head, entry);
    return unpack(await this.src.read(start, entry.compressedSize), entry);
  }

  /** read() for a reader made by openSync. */
  readSync(entry: ZipEntry, maxBytes = ZIP_MAX_ENTRY_BYTES): Uint8Array {
    if (!this.bytes) throw new Error('readSync needs a reader made by openSync');
    checkEntrySizes(entry, maxBytes);
    const start = dataStart(this.bytes.subarray(entry.localHeaderOffset, entry.localHeaderOffset + 30), entry);
    return unpack(this.bytes.subarray(start, start + entry.compressedSize), entry);
  }
}

function dataStart(head: Uint8Array, entry: ZipEntry): number {
  const hv = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (head.length < 30 || hv.getUint32(0, true) !== LOCAL_SIG) throw corrupt(`the header of '${entry.name}' is damaged`);
  return entry.localHeaderOffset + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
}

function unpack(raw: Uint8Array, entry: ZipEntry): Uint8Array {
  if (raw.length !== entry.compressedSize) throw corrupt(`'${entry.name}' is cut short`);
  let data: Uint8Array;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) data = inflateExactly(raw, entry.size, entry.name);
  else throw corrupt(`'${entry.name}' uses compression method ${entry.method} (only stored and deflate are supported)`);
  if (data.length !== entry.size || crc32(data) !== entry.crc) throw corrupt(`'${entry.name}' fails its checksum`);
  return data;
}

interface Directory {
  count: number;
  cdOffset: number;
  cdSize: number;
}

/** The end-of-archive record in the archive's last bytes (`tail`), checked against `size`. */
function findDirectory(tail: Uint8Array, size: number): Directory {
  const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD_SIG && i + 22 + tv.getUint16(i + 20, true) <= tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw corrupt('no end-of-archive record');
  const count = tv.getUint16(eocd + 10, true);
  const cdSize = tv.getUint32(eocd + 12, true);
  const cdOffset = tv.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff) throw corrupt('zip64 archives are not supported');
  if (count > ZIP_MAX_ENTRIES) throw new DataError('bad-archive', `the archive lists ${count} files; at most ${ZIP_MAX_ENTRIES} are read`);
  const eocdAt = size - tail.length + eocd;
  if (cdOffset + cdSize > eocdAt) throw corrupt('the directory lies past the end of the data');
  return { count, cdOffset, cdSize };
}

function parseDirectory(cd: Uint8Array, dir: Directory): ZipEntry[] {
  const v = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
  const utf8 = new TextDecoder('utf-8');
  const entries: ZipEntry[] = [];
  let total = 0;
  let p = 0;
  for (let k = 0; k < dir.count; k++) {
    if (p + 46 > cd.length || v.getUint32(p, true) !== CDIR_SIG) throw corrupt(`directory entry ${k + 1} is damaged`);
    const nameLen = v.getUint16(p + 28, true);
    const extraLen = v.getUint16(p + 30, true);
    const commentLen = v.getUint16(p + 32, true);
    const name = utf8.decode(cd.subarray(p + 46, p + 46 + nameLen));
    const entry: ZipEntry = {
      name,
      method: v.getUint16(p + 10, true),
      crc: v.getUint32(p + 16, true),
      compressedSize: v.getUint32(p + 20, true),
      size: v.getUint32(p + 24, true),
      localHeaderOffset: v.getUint32(p + 42, true),
    };
    if (entry.localHeaderOffset + 30 + entry.compressedSize > dir.cdOffset) throw corrupt(`'${name}' lies past the end of the data`);
    total += entry.size;
    if (total > ZIP_MAX_TOTAL_BYTES) throw new DataError('bad-archive', `the archive declares more than ${ZIP_MAX_TOTAL_BYTES} bytes of files; at most that much is imported`);
    if (!name.endsWith('/')) entries.push(entry);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/**
 * The file names in a zip, from its central directory alone (a few KB even for thousands of
 * images), or null when the input is not a zip this reader can open. For choosing an importer.
 */
export async function archiveEntryNames(input: ArchiveInput): Promise<string[] | null> {
  try {
    return (await ZipReader.open(input)).entries.map((e) => e.name);
  } catch {
    return null;
  }
}
