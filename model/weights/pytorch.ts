// Reads PyTorch checkpoints (torch.save) directly, in the browser and in Node: the zip format
// (archive/data.pkl + archive/data/<key>) and the legacy format (pickles followed by raw storages).
// The state dict is found inside {"model_state": …} / {"state_dict": …} wrappers or at the top level. Only
// the pickle and the storages of the state dict are read: an official checkpoint also carries the
// optimizer's momentum buffers (as large again as the weights), the epoch and the training config, and
// those storages are never fetched.
import { toByteSource, type ByteSource, type WeightInput } from './byteSource.ts';
import { ELEMENT_BYTES, toFloat32 } from './dtype.ts';
import { CheckpointError, PickledDict, TruncatedPickleError, unpickle, type StorageRef, type TensorRef } from './pickle.ts';
import type { StateDict, WeightTensor } from './stateDict.ts';
import { likelySpan, readZipDirectory, readZipEntry } from './zipArchive.ts';

/** Decompressed size above which we refuse to inflate (a zip bomb guard); official R101 checkpoints are ~0.5 GB. */
export const MAX_CHECKPOINT_BYTES = 2 ** 31;

export interface PyTorchCheckpoint {
  /** The model's tensors, as f32, in file order, under the names in the file. */
  dict: StateDict;
  /** The training config (PySlowFast's `cfg.dump()`, YAML text), where the checkpoint carries one. */
  cfg?: string;
  /** What else the checkpoint holds beside the state dict (optimizer_state, scaler_state, …), by top-level key. */
  extras: string[];
}

/** A (possibly strided) tensor view of its storage, as contiguous f32. */
function materialise(name: string, t: TensorRef, storageBytes: Uint8Array): WeightTensor {
  const { dtype } = t.storage;
  const size = ELEMENT_BYTES[dtype];
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (storageBytes.byteLength < t.storage.numel * size) {
    throw new CheckpointError(`${name}: its storage holds ${storageBytes.byteLength} bytes, ${t.storage.numel * size} expected (truncated file?)`);
  }
  const contiguous = t.shape.every((_, i) => t.stride[i] === t.shape.slice(i + 1).reduce((a, b) => a * b, 1) || t.shape[i] === 1);
  if (contiguous) {
    if (t.offset < 0 || t.offset + count > t.storage.numel) throw new CheckpointError(`${name}: tensor runs past its storage`);
    return { shape: t.shape, dtype, data: toFloat32(storageBytes.subarray(t.offset * size, (t.offset + count) * size), dtype, count) };
  }
  const all = toFloat32(storageBytes, dtype, t.storage.numel);
  const data = new Float32Array(count);
  const idx = new Array(t.shape.length).fill(0);
  for (let i = 0; i < count; i++) {
    let src = t.offset;
    for (let d = 0; d < idx.length; d++) src += idx[d] * t.stride[d];
    if (src < 0 || src >= t.storage.numel) throw new CheckpointError(`${name}: tensor runs past its storage`);
    data[i] = all[src];
    for (let d = idx.length - 1; d >= 0 && ++idx[d] === t.shape[d]; d--) idx[d] = 0;
  }
  return { shape: t.shape, dtype, data };
}

const STATE_DICT_WRAPPERS = ['model_state', 'state_dict', 'model'];

/** The state dict inside a checkpoint object, and what else the checkpoint says about itself. */
function findStateDict(root: unknown): { dict: PickledDict; cfg?: string; extras: string[] } {
  let dict = root;
  let wrapper: string | undefined;
  for (const w of STATE_DICT_WRAPPERS) {
    if (root instanceof PickledDict && root.get(w) instanceof PickledDict) {
      dict = root.get(w);
      wrapper = w;
      break;
    }
  }
  if (!(dict instanceof PickledDict)) throw new CheckpointError('the checkpoint holds no state dict (no dict of tensors found)');
  if (!wrapper || !(root instanceof PickledDict)) return { dict, extras: [] };
  const cfg = root.get('cfg');
  return {
    dict,
    cfg: typeof cfg === 'string' ? cfg : undefined,
    extras: [...root.keys()].filter((k): k is string => typeof k === 'string' && k !== wrapper),
  };
}

/** The state dict's tensors in file order; each storage is fetched when its first tensor comes and dropped after. */
async function materialiseAll(dict: PickledDict, storage: (ref: StorageRef) => Promise<Uint8Array>): Promise<StateDict> {
  const out: StateDict = new Map();
  let current: { key: string; bytes: Uint8Array } | undefined;
  for (const [key, value] of dict) {
    // Checked on the next line (its kind).
    const t = value as TensorRef;
    if (typeof key !== 'string' || !t || t.kind !== 'tensor') continue;
    // Views of one storage sit side by side (or it is one tensor's alone); another order only costs a re-read.
    if (current?.key !== t.storage.key) current = { key: t.storage.key, bytes: await storage(t.storage) };
    out.set(key, materialise(key, t, current.bytes));
  }
  if (out.size === 0) throw new CheckpointError('the checkpoint holds no tensors');
  return out;
}

async function readZip(src: ByteSource): Promise<PyTorchCheckpoint> {
  const entries = await readZipDirectory(src, MAX_CHECKPOINT_BYTES);
  const pkl = [...entries.keys()].find((n) => n.endsWith('/data.pkl') || n === 'data.pkl');
  if (!pkl) throw new CheckpointError('a zip file, but not a PyTorch checkpoint: no data.pkl inside');
  const prefix = pkl.slice(0, -'data.pkl'.length);
  const { value } = unpickle(await readZipEntry(src, entries.get(pkl)!));
  const found = findStateDict(value);
  if (src.plan) {
    // A download by ranges fetches these records and no others: it can say how much that is before it starts.
    const keys = new Set<string>();
    // An unpickled value is a tensor when its kind says so.
    for (const v of found.dict.values()) if ((v as TensorRef)?.kind === 'tensor') keys.add((v as TensorRef).storage.key);
    const spans = [...keys].map((k) => entries.get(`${prefix}data/${k}`)).filter((e) => e !== undefined).map((e) => ({ offset: e.localHeaderOffset, length: likelySpan(src, e) }));
    await src.plan(spans);
  }
  const dict = await materialiseAll(found.dict, async (ref) => {
    const entry = entries.get(`${prefix}data/${ref.key}`);
    if (!entry) throw new CheckpointError(`the checkpoint is missing tensor data '${prefix}data/${ref.key}'`);
    return readZipEntry(src, entry);
  });
  return { dict, cfg: found.cfg, extras: found.extras };
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
/** How much of a legacy file is read first for its pickles; doubled until they fit. */
const LEGACY_HEAD_BYTES = 1 << 20;

async function readLegacy(src: ByteSource): Promise<PyTorchCheckpoint> {
  // The pickles come first (magic, protocol, sys info, the object, the storage keys), then every storage in
  // key order. Their length is known only by parsing them, so parse a prefix and grow it until they fit.
  let head = Math.min(src.size, LEGACY_HEAD_BYTES);
  let parsed: { root: unknown; keys: unknown; end: number };
  for (;;) {
    const bytes = await src.read(0, head);
    try {
      parsed = parseLegacyPickles(bytes);
      break;
    } catch (e) {
      if (!(e instanceof TruncatedPickleError) || head === src.size) throw e;
      head = Math.min(src.size, head * 2);
    }
  }
  const { root, keys } = parsed;
  if (!Array.isArray(keys)) throw new CheckpointError('legacy checkpoint: storage key list is missing');
  const found = findStateDict(root);
  const refs = collectStorageRefs(root);
  const wanted = new Set<string>();
  // An unpickled value is a tensor when its kind says so.
  for (const v of found.dict.values()) if ((v as TensorRef)?.kind === 'tensor') wanted.add((v as TensorRef).storage.key);
  // Each raw storage: an int64 element count, then the data. Only the state dict's are read.
  const spans = new Map<string, { at: number; bytes: number }>();
  let pos = parsed.end;
  for (const key of keys) {
    if (pos + 8 > src.size) throw new CheckpointError('the legacy checkpoint is truncated (tensor data missing)');
    const countBytes = await src.read(pos, 8);
    const numel = Number(new DataView(countBytes.buffer, countBytes.byteOffset, 8).getBigInt64(0, true));
    pos += 8;
    const ref = refs.get(String(key));
    const n = numel * (ref ? ELEMENT_BYTES[ref.dtype] : 4);
    if (numel < 0 || pos + n > src.size) throw new CheckpointError('the legacy checkpoint is truncated (tensor data cut short)');
    if (wanted.has(String(key))) spans.set(String(key), { at: pos, bytes: n });
    pos += n;
  }
  const dict = await materialiseAll(found.dict, async (ref) => {
    const span = spans.get(ref.key);
    if (!span) throw new CheckpointError(`the legacy checkpoint is missing storage ${ref.key}`);
    return src.read(span.at, span.bytes);
  });
  return { dict, cfg: found.cfg, extras: found.extras };
}

function parseLegacyPickles(bytes: Uint8Array): { root: unknown; keys: unknown; end: number } {
  let pos = 0;
  const next = () => {
    const r = unpickle(bytes, pos);
    pos = r.end;
    return r.value;
  };
  const magic = next();
  // (BigInt after the check that it is an integer.)
  if (!(typeof magic === 'bigint' || Number.isSafeInteger(magic)) || BigInt(magic as number | bigint) !== LEGACY_MAGIC) throw new CheckpointError('not a PyTorch checkpoint (bad magic number)');
  next(); // protocol version
  next(); // sys info
  const root = next();
  const keys = next();
  return { root, keys, end: pos };
}

function collectStorageRefs(root: unknown): Map<string, StorageRef> {
  const out = new Map<string, StorageRef>();
  const visit = (v: unknown, depth: number) => {
    if (depth > 8 || !v) return;
    if (v instanceof Map) for (const x of v.values()) visit(x, depth + 1);
    else if (Array.isArray(v)) for (const x of v) visit(x, depth + 1);
    // An unpickled value is a tensor when its kind says so.
    else if ((v as TensorRef).kind === 'tensor') out.set((v as TensorRef).storage.key, (v as TensorRef).storage);
  };
  visit(root, 0);
  return out;
}

/** Reads a .pyth / .pth checkpoint (zip or legacy): its state dict as f32 tensors, and what it says of itself. */
export async function readPyTorchCheckpoint(input: WeightInput): Promise<PyTorchCheckpoint> {
  const src = toByteSource(input);
  if (src.size === 0) throw new CheckpointError('the checkpoint file is empty');
  const magic = await src.read(0, Math.min(2, src.size));
  if (magic[0] === 0x50 && magic[1] === 0x4b) return readZip(src);
  if (magic[0] === 0x80) return readLegacy(src);
  throw new CheckpointError('not a PyTorch checkpoint (neither a zip archive nor a pickle)');
}
