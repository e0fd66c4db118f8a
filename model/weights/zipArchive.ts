// The entries of a zip archive read one at a time from a ByteSource (PKWARE APPNOTE 6.3: end of central
// directory, zip64 locator and record, central directory, local headers). torch.save stores its entries
// uncompressed, so an entry is one ranged read; deflated entries (a re-zipped file) are inflated with
// fflate. fflate's own unzip needs the whole archive in memory, which for an official checkpoint is twice
// what a classifier reads, hence this directory walk. Every offset and size is checked against the file.
import { inflateSync } from 'fflate';
import type { ByteSource } from './byteSource.ts';
import { crc32 } from './crc32.ts';
import { CheckpointError } from './pickle.ts';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
  /** The CRC-32 of its unpacked bytes, as the central directory gives it. */
  crc32: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_COMMENT = 0xffff;
/** Room read for a local header's extra field beyond its fixed part and name. */
const LOCAL_EXTRA_GUESS = 128;

const damaged = (why: string) => new CheckpointError(`the checkpoint's zip archive is damaged or truncated (${why})`);

function u64(view: DataView, at: number): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw damaged('an impossibly large zip64 field');
  return Number(v);
}

/** The archive's entries by name, from its central directory. `maxBytes` bounds what they may unpack to. */
export async function readZipDirectory(src: ByteSource, maxBytes: number): Promise<Map<string, ZipEntry>> {
  const tailLength = Math.min(src.size, 22 + MAX_COMMENT);
  const tail = await src.read(src.size - tailLength, tailLength);
  const tailView = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tailView.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw damaged('no end of central directory');
  let count = tailView.getUint16(eocd + 10, true);
  let directorySize = tailView.getUint32(eocd + 12, true);
  let directoryOffset = tailView.getUint32(eocd + 16, true);
  // Fields that overflow 16/32 bits live in the zip64 record, which a locator just before the EOCD points to.
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    if (eocd < 20 || tailView.getUint32(eocd - 20, true) !== ZIP64_LOCATOR) throw damaged('no zip64 locator');
    const recordAt = u64(tailView, eocd - 12);
    if (recordAt + 56 > src.size) throw damaged('the zip64 record lies past the end');
    const record = await src.read(recordAt, 56);
    const rv = new DataView(record.buffer, record.byteOffset, 56);
    if (rv.getUint32(0, true) !== ZIP64_EOCD) throw damaged('no zip64 end of central directory');
    count = u64(rv, 32);
    directorySize = u64(rv, 40);
    directoryOffset = u64(rv, 48);
  }
  if (directoryOffset + directorySize > src.size) throw damaged('the central directory lies past the end');
  const dir = await src.read(directoryOffset, directorySize);
  const view = new DataView(dir.buffer, dir.byteOffset, dir.byteLength);
  const decoder = new TextDecoder();
  const entries = new Map<string, ZipEntry>();
  let declared = 0;
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > dir.length || view.getUint32(at, true) !== CENTRAL) throw damaged(`central directory entry ${i} is missing`);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > dir.length) throw damaged(`central directory entry ${i} runs past the directory`);
    const entry: ZipEntry = {
      name: decoder.decode(dir.subarray(at + 46, at + 46 + nameLength)),
      method: view.getUint16(at + 10, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localHeaderOffset: view.getUint32(at + 42, true),
      crc32: view.getUint32(at + 16, true),
    };
    readZip64Extra(view, at + 46 + nameLength, extraLength, entry);
    declared += entry.size;
    if (declared > maxBytes) throw new CheckpointError(`the checkpoint unpacks to more than ${maxBytes} bytes; refusing (zip bomb?)`);
    entries.set(entry.name, entry);
    at = next;
  }
  return entries;
}

/** Sizes and offset that did not fit 32 bits are in the zip64 extra field (id 1), in this order. */
function readZip64Extra(view: DataView, start: number, length: number, entry: ZipEntry): void {
  for (let at = start; at + 4 <= start + length;) {
    const id = view.getUint16(at, true);
    const size = view.getUint16(at + 2, true);
    if (at + 4 + size > start + length) throw damaged(`a bad extra field in ${entry.name}`);
    if (id === 1) {
      let field = at + 4;
      const take = () => {
        if (field + 8 > at + 4 + size) throw damaged(`a short zip64 field in ${entry.name}`);
        const v = u64(view, field);
        field += 8;
        return v;
      };
      if (entry.size === 0xffffffff) entry.size = take();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = take();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = take();
    }
    at += 4 + size;
  }
}

/**
 * One entry's bytes, checked against its CRC-32. A source that fetched them (a download by ranges) is asked to
 * fetch them again once; a file's bytes that fail the check are damage.
 */
export async function readZipEntry(src: ByteSource, entry: ZipEntry): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = await readZipEntryBytes(src, entry);
  if (crc32(bytes) === entry.crc32) return bytes;
  if (src.refresh) {
    await src.refresh(entry.localHeaderOffset, likelySpan(src, entry));
    const again = await readZipEntryBytes(src, entry);
    if (crc32(again) === entry.crc32) return again;
  }
  throw damaged(`${entry.name} fails its CRC-32 check`);
}

/**
 * The bytes an entry's local header and data likely take from its offset: a guess at the header's extra field
 * (torch pads its data to 64-byte alignment, so it is short but not the central directory's).
 */
export const likelySpan = (src: ByteSource, entry: ZipEntry) =>
  Math.min(src.size - entry.localHeaderOffset, 30 + entry.name.length * 4 + LOCAL_EXTRA_GUESS + entry.compressedSize);

/** One entry's bytes: a ranged read when stored, inflated when deflated. */
async function readZipEntryBytes(src: ByteSource, entry: ZipEntry): Promise<Uint8Array<ArrayBuffer>> {
  const at = entry.localHeaderOffset;
  if (at + 30 > src.size) throw damaged(`${entry.name}'s header lies past the end`);
  // Header and data in one read where the guess of the header's length holds: each read of a Blob is a
  // round trip to the browser's file store, and a checkpoint has hundreds of entries.
  let chunk = await src.read(at, likelySpan(src, entry));
  const hv = new DataView(chunk.buffer, chunk.byteOffset, 30);
  if (hv.getUint32(0, true) !== LOCAL) throw damaged(`${entry.name} has no local header`);
  const headerLength = 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
  if (at + headerLength + entry.compressedSize > src.size) throw damaged(`${entry.name} runs past the end of the file`);
  if (headerLength + entry.compressedSize > chunk.length) chunk = await src.read(at, headerLength + entry.compressedSize);
  const data = chunk.subarray(headerLength, headerLength + entry.compressedSize);
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw damaged(`${entry.name} is stored with two different sizes`);
    return data;
  }
  if (entry.method !== 8) throw new CheckpointError(`${entry.name} is compressed with zip method ${entry.method}, which we cannot read`);
  let out: Uint8Array;
  try {
    out = inflateSync(data, { out: new Uint8Array(entry.size) });
  } catch (e) {
    throw damaged(`${entry.name} does not inflate: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (out.length !== entry.size) throw damaged(`${entry.name} inflates to ${out.length} bytes, not ${entry.size}`);
  // fflate writes into the ArrayBuffer-backed array it was given.
  return out as Uint8Array<ArrayBuffer>;
}
