// Random access to a weight file without holding all of it: an official checkpoint is mostly optimizer state
// that a classifier never reads, so the readers fetch only the byte ranges they need. A dropped File, a
// downloaded Blob (both disk-backed in browsers) and an in-memory array all serve.
import { CheckpointError } from './pickle.ts';

export interface ByteSource {
  readonly size: number;
  /** `length` bytes from `offset`; throws a CheckpointError if the file ends first. */
  read(offset: number, length: number): Promise<Uint8Array<ArrayBuffer>>;
  /** Where the bytes were fetched (a download by ranges): forget these, so the next read fetches them again. */
  refresh?(offset: number, length: number): Promise<void>;
  /** Where the bytes are fetched: the spans the reader will read, once it knows (so a download can say its size). */
  plan?(spans: readonly { offset: number; length: number }[]): Promise<void>;
}

export type WeightInput = Uint8Array | Blob | ByteSource;

function checkRange(size: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new CheckpointError(`the file is truncated: ${length} bytes at ${offset} lie past its end (${size} bytes)`);
  }
}

/** An array already in memory: reads are views into it, not copies. */
export function bytesSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.byteLength,
    async read(offset, length) {
      checkRange(bytes.byteLength, offset, length);
      // Weights are never in a SharedArrayBuffer: the bytes come from a file, a fetch or our own arrays.
      return bytes.subarray(offset, offset + length) as Uint8Array<ArrayBuffer>;
    },
  };
}

export function blobSource(blob: Blob): ByteSource {
  return {
    size: blob.size,
    async read(offset, length) {
      checkRange(blob.size, offset, length);
      try {
        return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
      } catch (e) {
        // A File the user dropped can vanish or change on disk while it is read.
        throw new CheckpointError(`the file could not be read (${e instanceof Error ? e.message : String(e)}); was it moved or changed?`);
      }
    },
  };
}

export function toByteSource(input: WeightInput): ByteSource {
  if (input instanceof Uint8Array) return bytesSource(input);
  if (typeof Blob !== 'undefined' && input instanceof Blob) return blobSource(input);
  // Not narrowed by the guarded instanceof above (Blob may not exist here): what is left is a ByteSource.
  return input as ByteSource;
}
