// safetensors (https://huggingface.co/docs/safetensors): an 8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {…}}, then the raw data. Our web
// format stores the state dict (pytorchvideo names) in F32, or F16 for conv/linear weights, plus the model
// config in the metadata. Every offset and size in a header is checked before any data is read.
import { packF16 } from '../../kernels/f16.ts';
import { ELEMENT_BYTES, toFloat32 } from './dtype.ts';
import { toByteSource, type WeightInput } from './byteSource.ts';
import { CheckpointError, type DType } from './pickle.ts';
import type { StateDict } from './stateDict.ts';

export type SafetensorsDType = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64';
const DTYPES: Record<SafetensorsDType, DType> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16', F64: 'float64', I64: 'int64' };

/** Headers above this are refused (real ones are a few hundred KB). */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;

export interface SafetensorsEntry {
  dtype: 'F32' | 'F16';
  shape: number[];
  data: Float32Array;
}

export function writeSafetensors(tensors: Map<string, SafetensorsEntry>, metadata: Record<string, string>): Uint8Array<ArrayBuffer> {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const bytes = t.dtype === 'F32'
      ? new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)
      : new Uint8Array(packF16(t.data).buffer, 0, t.data.length * 2);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    blobs.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned.
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const b of blobs) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
}

export function isSafetensors(head: Uint8Array): boolean {
  return head.length >= 9 && head[8] === 0x7b /* { */;
}

/** Reads the header, checks every entry against it and the file, then fetches the tensors one by one. */
export async function readSafetensors(input: WeightInput): Promise<{ dict: StateDict; metadata: Record<string, string> }> {
  const src = toByteSource(input);
  if (src.size < 8) throw new CheckpointError('the safetensors file is truncated (no header length)');
  const lengthBytes = await src.read(0, 8);
  const headerLength = new DataView(lengthBytes.buffer, lengthBytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) {
    throw new CheckpointError(`the safetensors header claims ${headerLength} bytes, more than the ${MAX_HEADER_BYTES} allowed`);
  }
  const dataStart = 8 + Number(headerLength);
  if (dataStart > src.size) throw new CheckpointError('the safetensors file is truncated inside its header');
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(await src.read(8, dataStart - 8)));
  } catch {
    throw new CheckpointError('the safetensors header is not valid JSON');
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new CheckpointError('the safetensors header is not an object');
  const dataLength = src.size - dataStart;
  // The format's metadata is string to string; a value is only ever read as text.
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const entries: { name: string; dtype: SafetensorsDType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    // Each field is checked below before it is used.
    const e = raw as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const dtype = e.dtype as SafetensorsDType; // checked on the next line
    if (!Object.hasOwn(DTYPES, dtype)) throw new CheckpointError(`${name}: unsupported safetensors dtype ${String(e.dtype)}`);
    if (!Array.isArray(e.shape) || e.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new CheckpointError(`${name}: bad shape ${JSON.stringify(e.shape)}`);
    const [begin, end] = e.data_offsets ?? [];
    if (!Number.isSafeInteger(begin) || !Number.isSafeInteger(end) || begin < 0 || end < begin || end > dataLength) {
      throw new CheckpointError(`${name}: data offsets ${JSON.stringify(e.data_offsets)} lie outside the ${dataLength} data bytes`);
    }
    const numel = e.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== numel * ELEMENT_BYTES[DTYPES[dtype]]) {
      throw new CheckpointError(`${name}: ${end - begin} bytes do not hold ${numel} ${dtype} values`);
    }
    entries.push({ name, dtype, shape: e.shape, begin, end });
  }
  const spans = [...entries].sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i].begin < spans[i - 1].end) throw new CheckpointError(`${spans[i].name} overlaps ${spans[i - 1].name} in the safetensors data`);
  }
  const dict: StateDict = new Map();
  for (const e of entries) {
    const numel = e.shape.reduce((a, b) => a * b, 1);
    const data = toFloat32(await src.read(dataStart + e.begin, e.end - e.begin), DTYPES[e.dtype], numel);
    dict.set(e.name, { shape: e.shape, dtype: DTYPES[e.dtype], data });
  }
  return { dict, metadata };
}
