// Reads PyTorch checkpoints (torch.save) directly, in the browser and in Node: the zip format
// (archive/data.pkl + archive/data/<key>) and the legacy format (pickles followed by raw storages).
// The state dict is found inside {"model_state": …} / {"state_dict": …} wrappers or at the top level.
import { unzipSync } from 'fflate';
import { CheckpointError, PickledDict, unpickle, type StorageRef, type TensorRef } from './pickle.ts';
import { ELEMENT_BYTES, toFloat32 } from './dtype.ts';
import type { StateDict, WeightTensor } from './stateDict.ts';

/** Decompressed size above which we refuse to inflate (a zip bomb guard); official R101 checkpoints are ~0.5 GB. */
export const MAX_CHECKPOINT_BYTES = 2 ** 31;

/** Materialises a (possibly strided) tensor view of its storage as contiguous f32. */
function materialise(name: string, t: TensorRef, storageBytes: Uint8Array): WeightTensor {
  const { dtype } = t.storage;
  const size = ELEMENT_BYTES[dtype];
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (storageBytes.byteLength < t.storage.numel * size) {
    throw new CheckpointError(`${name}: its storage holds ${storageBytes.byteLength} bytes, ${t.storage.numel * size} expected (truncated file?)`);
  }
  const all = toFloat32(storageBytes, dtype, t.storage.numel);
  const contiguous = t.shape.every((_, i) => t.stride[i] === t.shape.slice(i + 1).reduce((a, b) => a * b, 1) || t.shape[i] === 1);
  let data: Float32Array<ArrayBuffer>;
  if (contiguous) {
    if (t.offset + count > t.storage.numel) throw new CheckpointError(`${name}: tensor runs past its storage`);
    data = all.slice(t.offset, t.offset + count);
  } else {
    data = new Float32Array(count);
    const idx = new Array(t.shape.length).fill(0);
    for (let i = 0; i < count; i++) {
      let src = t.offset;
      for (let d = 0; d < idx.length; d++) src += idx[d] * t.stride[d];
      if (src >= t.storage.numel) throw new CheckpointError(`${name}: tensor runs past its storage`);
      data[i] = all[src];
      for (let d = idx.length - 1; d >= 0 && ++idx[d] === t.shape[d]; d--) idx[d] = 0;
    }
  }
  return { shape: t.shape, dtype, data };
}

/** Finds the state dict inside a checkpoint object and materialises its tensors. */
function extractStateDict(root: unknown, storage: (ref: StorageRef) => Uint8Array): StateDict {
  let dict = root;
  for (const wrapper of ['model_state', 'state_dict', 'model']) {
    if (dict instanceof PickledDict && dict.get(wrapper) instanceof PickledDict) {
      dict = dict.get(wrapper);
      break;
    }
  }
  if (!(dict instanceof PickledDict)) throw new CheckpointError('the checkpoint holds no state dict (no dict of tensors found)');
  const out: StateDict = new Map();
  const cache = new Map<string, Uint8Array>();
  for (const [key, value] of dict) {
    const t = value as TensorRef;
    if (typeof key !== 'string' || !t || t.kind !== 'tensor') continue;
    let bytes = cache.get(t.storage.key);
    if (!bytes) cache.set(t.storage.key, (bytes = storage(t.storage)));
    out.set(key, materialise(key, t, bytes));
  }
  if (out.size === 0) throw new CheckpointError('the checkpoint holds no tensors');
  return out;
}

function readZip(bytes: Uint8Array): StateDict {
  let declared = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (f) => {
        declared += f.originalSize;
        if (declared > MAX_CHECKPOINT_BYTES) throw new CheckpointError(`the checkpoint unpacks to more than ${MAX_CHECKPOINT_BYTES} bytes; refusing (zip bomb?)`);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof CheckpointError) throw e;
    throw new CheckpointError(`the checkpoint's zip archive is damaged or truncated (${(e as Error).message})`);
  }
  const pkl = Object.keys(files).find((n) => n.endsWith('/data.pkl') || n === 'data.pkl');
  if (!pkl) throw new CheckpointError('a zip file, but not a PyTorch checkpoint: no data.pkl inside');
  const prefix = pkl.slice(0, -'data.pkl'.length);
  const { value } = unpickle(files[pkl]);
  return extractStateDict(value, (ref) => {
    const data = files[`${prefix}data/${ref.key}`];
    if (!data) throw new CheckpointError(`the checkpoint is missing tensor data '${prefix}data/${ref.key}'`);
    return data;
  });
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

function readLegacy(bytes: Uint8Array): StateDict {
  let pos = 0;
  const next = (persistent?: (pid: unknown) => unknown) => {
    const r = persistent ? unpickle(bytes, pos, persistent as never) : unpickle(bytes, pos);
    pos = r.end;
    return r.value;
  };
  const magic = next();
  if (BigInt(magic as number | bigint) !== LEGACY_MAGIC) throw new CheckpointError('not a PyTorch checkpoint (bad magic number)');
  next(); // protocol version
  next(); // sys info
  const root = next();
  const keys = next() as string[];
  if (!Array.isArray(keys)) throw new CheckpointError('legacy checkpoint: storage key list is missing');
  // Raw storages follow in key order, each an int64 element count then the data.
  const storages = new Map<string, Uint8Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sizes = collectStorageRefs(root);
  for (const key of keys) {
    if (pos + 8 > bytes.length) throw new CheckpointError('the legacy checkpoint is truncated (tensor data missing)');
    const numel = Number(view.getBigInt64(pos, true));
    pos += 8;
    const ref = sizes.get(String(key));
    const elementBytes = ref ? ELEMENT_BYTES[ref.dtype] : 4;
    const n = numel * elementBytes;
    if (numel < 0 || pos + n > bytes.length) throw new CheckpointError('the legacy checkpoint is truncated (tensor data cut short)');
    storages.set(String(key), bytes.subarray(pos, pos + n));
    pos += n;
  }
  return extractStateDict(root, (ref) => {
    const s = storages.get(ref.key);
    if (!s) throw new CheckpointError(`the legacy checkpoint is missing storage ${ref.key}`);
    return s;
  });
}

function collectStorageRefs(root: unknown): Map<string, StorageRef> {
  const out = new Map<string, StorageRef>();
  const visit = (v: unknown, depth: number) => {
    if (depth > 8 || !v) return;
    if (v instanceof Map) for (const x of v.values()) visit(x, depth + 1);
    else if (Array.isArray(v)) for (const x of v) visit(x, depth + 1);
    else if ((v as TensorRef).kind === 'tensor') out.set((v as TensorRef).storage.key, (v as TensorRef).storage);
  };
  visit(root, 0);
  return out;
}

/** Reads a .pyth / .pth checkpoint (zip or legacy) into a state dict of f32 tensors. */
export function readPyTorchCheckpoint(bytes: Uint8Array): StateDict {
  if (bytes.length === 0) throw new CheckpointError('the checkpoint file is empty');
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return readZip(bytes);
  if (bytes[0] === 0x80) return readLegacy(bytes);
  throw new CheckpointError('not a PyTorch checkpoint (neither a zip archive nor a pickle)');
}
