// Reads zip archives by random access: the central directory first, then one file at a time
// (stored or deflated by fflate's inflateSync), each checked against its CRC-32. Reading from a
// Blob slices it, so an import holds one file of the archive in memory, never the whole
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

import { inflateSync } from 'fflate';
import { crc32 } from './crc32.ts';
import { DataError, describeError } from './dataErrors.ts';

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
    const tail = await src.read(src.size - tailLength, tailLength);
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
    const eocdAt = src.size - tailLength + eocd;
    if (cdOffset + cdSize > eocdAt) throw corrupt('the directory lies past the end of the data');
    const cd = await src.read(cdOffset, cdSize);
    const v = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
    const utf8 = new TextDecoder('utf-8');
    const entries: ZipEntry[] = [];
    let p = 0;
    for (let k = 0; k < count; k++) {
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
      if (entry.localHeaderOffset + 30 + entry.compressedSize > cdOffset) throw corrupt(`'${name}' lies past the end of the data`);
      if (!name.endsWith('/')) entries.push(entry);
      p += 46 + nameLen + extraLen + commentLen;
    }
    return new ZipReader(src, entries);
  }

  get(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  /** The file's bytes, inflated and checked against its CRC-32. */
  async read(entry: ZipEntry): Promise<Uint8Array> {
    const head = await this.src.read(entry.localHeaderOffset, 30);
    const hv = new DataView(head.buffer, head.byteOffset, head.byteLength);
    if (head.length < 30 || hv.getUint32(0, true) !== LOCAL_SIG) throw corrupt(`the header of '${entry.name}' is damaged`);
    const start = entry.localHeaderOffset + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
    const raw = await this.src.read(start, entry.compressedSize);
    if (raw.length !== entry.compressedSize) throw corrupt(`'${entry.name}' is cut short`);
    let data: Uint8Array;
    if (entry.method === 0) data = raw;
    else if (entry.method === 8) {
      try {
        data = inflateSync(raw, { out: new Uint8Array(entry.size) });
      } catch (e) {
        throw corrupt(`'${entry.name}' does not decompress (${describeError(e)})`, e);
      }
    } else throw corrupt(`'${entry.name}' uses compression method ${entry.method} (only stored and deflate are supported)`);
    if (data.length !== entry.size || crc32(data) !== entry.crc) throw corrupt(`'${entry.name}' fails its checksum`);
    return data;
  }
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
