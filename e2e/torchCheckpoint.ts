// Writes PyTorch checkpoints byte for byte as torch.save lays them out (a protocol-2 pickle with persistent
// storage ids; the zip layout or the legacy one), streamed to disk one tensor at a time, so tests can make
// checkpoints of the official size and shape without Python: a state dict plus what a PySlowFast training
// run saves beside it (optimizer momentum buffers, epoch, the YAML cfg, the AMP scaler's state).
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';
import { Zip, ZipPassThrough } from 'fflate';

export interface TensorSpec {
  key: string;
  shape: number[];
  dtype: 'float32' | 'int64';
}

export interface CheckpointContents {
  /** The state dict, in order. */
  tensors: TensorSpec[];
  /** The bytes of tensor i's storage, made when it is written. */
  data(i: number): Uint8Array;
  /** Where the state dict sits: `{"model_state": …}` (PySlowFast, the zoo) or the bare dict. */
  wrap?: boolean;
  /** SGD momentum buffers, one per trainable tensor (not BN statistics), made when written. */
  momentum?(i: number): Uint8Array;
  epoch?: number;
  cfg?: string;
  scaler?: boolean;
  /** Writes more key/value pairs into the root dict (a test's hostile entry, say). */
  extra?: (w: PickleWriter) => void;
}

const STORAGE_TYPE = { float32: 'FloatStorage', int64: 'LongStorage' } as const;
const ELEMENT_BYTES = { float32: 4, int64: 8 } as const;
export const numel = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
export const isTrainable = (t: TensorSpec) => t.dtype === 'float32' && !/running_(mean|var)$/.test(t.key);

/** Protocol-2 pickle opcodes, as Python's pickle module writes them. */
export class PickleWriter {
  private readonly out: number[] = [];
  private readonly enc = new TextEncoder();

  op(...b: number[]): this {
    for (const x of b) this.out.push(x);
    return this;
  }
  str(s: string): this {
    const b = this.enc.encode(s);
    if (b.length < 256) return this.op(0x8c, b.length, ...b); // SHORT_BINUNICODE
    this.op(0x58, b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, b.length >>> 24); // BINUNICODE
    for (const x of b) this.out.push(x);
    return this;
  }
  int(n: number): this {
    const v = new DataView(new ArrayBuffer(4));
    v.setInt32(0, n, true);
    return this.op(0x4a, ...new Uint8Array(v.buffer)); // BININT
  }
  float(x: number): this {
    const v = new DataView(new ArrayBuffer(8));
    v.setFloat64(0, x, false);
    return this.op(0x47, ...new Uint8Array(v.buffer)); // BINFLOAT, big-endian
  }
  global(module: string, name: string): this {
    return this.op(0x63, ...this.enc.encode(`${module}\n${name}\n`)); // GLOBAL
  }
  ints(ns: number[]): this {
    this.op(0x28); // MARK
    for (const n of ns) this.int(n);
    return this.op(0x74); // TUPLE
  }
  orderedDict(): this {
    return this.global('collections', 'OrderedDict').op(0x29, 0x52); // EMPTY_TUPLE, REDUCE
  }
  /** torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks). */
  tensor(t: TensorSpec, storageKey: string, legacy: boolean): this {
    const stride = t.shape.map((_, i) => numel(t.shape.slice(i + 1)));
    this.global('torch._utils', '_rebuild_tensor_v2').op(0x28);
    this.op(0x28).str('storage').global('torch', STORAGE_TYPE[t.dtype]).str(storageKey).str('cpu').int(numel(t.shape));
    if (legacy) this.op(0x4e); // view metadata: None
    this.op(0x74, 0x51); // TUPLE, BINPERSID
    this.int(0).ints(t.shape).ints(stride).op(0x89).orderedDict(); // offset, size, stride, False, hooks
    return this.op(0x74, 0x52); // TUPLE, REDUCE
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

/** The root object's pickle and its storages, in the order torch.save numbers them. */
interface Storage {
  key: string;
  dtype: TensorSpec['dtype'];
  bytes: () => Uint8Array;
}

function rootPickle(c: CheckpointContents, legacy: boolean): { pickle: Uint8Array; storages: Storage[] } {
  const w = new PickleWriter().op(0x80, 2);
  const storages: Storage[] = [];
  const tensor = (t: TensorSpec, bytes: () => Uint8Array) => {
    const key = String(storages.length);
    storages.push({ key, dtype: t.dtype, bytes });
    w.tensor(t, key, legacy);
  };
  const wrap = c.wrap ?? true;
  if (wrap) w.op(0x7d, 0x28).str('model_state'); // EMPTY_DICT, MARK
  w.orderedDict().op(0x28);
  c.tensors.forEach((t, i) => {
    w.str(t.key);
    tensor(t, () => c.data(i));
  });
  w.op(0x75); // SETITEMS
  if (c.momentum) {
    const trainable = c.tensors.map((t, i) => [t, i] as const).filter(([t]) => isTrainable(t));
    w.str('optimizer_state').op(0x7d, 0x28).str('state').op(0x7d, 0x28);
    trainable.forEach(([t, i], p) => {
      w.int(p).op(0x7d).str('momentum_buffer');
      tensor({ ...t, key: `momentum ${t.key}` }, () => c.momentum!(i));
      w.op(0x73); // SETITEM
    });
    w.op(0x75).str('param_groups').op(0x5d, 0x28); // SETITEMS, EMPTY_LIST, MARK
    // PySlowFast's two groups: BN parameters without weight decay, the rest with it.
    const groups = [trainable.filter(([t]) => /norm|bn/.test(t.key)), trainable.filter(([t]) => !/norm|bn/.test(t.key))];
    groups.forEach((group, g) => {
      w.op(0x7d, 0x28).str('lr').float(0.000_8).str('momentum').float(0.9).str('dampening').float(0);
      w.str('weight_decay').float(g === 0 ? 0 : 1e-4).str('nesterov').op(0x88).str('params').op(0x5d, 0x28);
      for (const [, i] of group) w.int(trainable.findIndex(([, j]) => j === i));
      w.op(0x65, 0x75); // APPENDS, SETITEMS
    });
    w.op(0x65, 0x75); // APPENDS (the groups), SETITEMS (the optimizer state)
  }
  if (c.epoch !== undefined) w.str('epoch').int(c.epoch);
  if (c.cfg !== undefined) w.str('cfg').str(c.cfg);
  if (c.scaler) {
    w.str('scaler_state').op(0x7d, 0x28).str('scale').float(65536).str('growth_factor').float(2).str('backoff_factor').float(0.5);
    w.str('growth_interval').int(2000).str('_growth_tracker').int(117).op(0x75);
  }
  c.extra?.(w);
  if (wrap) w.op(0x75);
  w.op(0x2e); // STOP
  return { pickle: w.bytes(), storages };
}

/** Writes the checkpoint to `path` (through a temporary file, so a reader never sees half of it). */
export function writeTorchCheckpoint(path: string, c: CheckpointContents, format: 'zip' | 'legacy' = 'zip'): void {
  const partial = `${path}.${process.pid}.part`;
  const fd = openSync(partial, 'w');
  try {
    if (format === 'zip') writeZip(fd, c);
    else writeLegacy(fd, c);
  } finally {
    closeSync(fd);
  }
  renameSync(partial, path);
}

function writeZip(fd: number, c: CheckpointContents): void {
  const { pickle, storages } = rootPickle(c, false);
  let failure: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) failure = err;
    else writeSync(fd, chunk);
  });
  const entry = (name: string, bytes: Uint8Array) => {
    const file = new ZipPassThrough(name);
    zip.add(file);
    file.push(bytes, true);
    if (failure) throw failure;
  };
  entry('archive/data.pkl', pickle);
  for (const s of storages) entry(`archive/data/${s.key}`, s.bytes());
  entry('archive/version', new TextEncoder().encode('3\n'));
  zip.end();
  if (failure) throw failure;
}

function writeLegacy(fd: number, c: CheckpointContents): void {
  const small = (build: (w: PickleWriter) => PickleWriter) => writeSync(fd, build(new PickleWriter().op(0x80, 2)).op(0x2e).bytes());
  // Magic number 0x1950a86a20f9469cfc6c (LONG1), protocol version 1001, sys info.
  small((w) => w.op(0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19));
  small((w) => w.op(0x4d, 0xe9, 0x03));
  small((w) => w.op(0x7d, 0x28).str('protocol_version').op(0x4d, 0xe9, 0x03).str('little_endian').op(0x88).op(0x75));
  const { pickle, storages } = rootPickle(c, true);
  writeSync(fd, pickle);
  small((w) => {
    w.op(0x5d, 0x28);
    for (const s of storages) w.str(s.key);
    return w.op(0x65);
  });
  for (const s of storages) {
    const bytes = s.bytes();
    // Its element count, then its bytes.
    const count = new DataView(new ArrayBuffer(8));
    count.setBigInt64(0, BigInt(bytes.length / ELEMENT_BYTES[s.dtype]), true);
    writeSync(fd, new Uint8Array(count.buffer));
    writeSync(fd, bytes);
  }
}
