// A safe unpickler for PyTorch checkpoints. It understands the opcodes that torch.save writes and resolves
// only the globals a state dict needs, each to our own constructor; any other global (os.system,
// builtins.eval, subprocess.Popen…) or opcode is refused with an UnsafePickleError. Nothing named in a file
// is ever imported or executed.

export class CheckpointError extends Error {
  override readonly name: string = 'CheckpointError';
}

export class UnsafePickleError extends CheckpointError {
  override readonly name = 'UnsafePickleError';
}

/** The pickle runs past the bytes given (a cut file, or a reader that fetched too little of it). */
export class TruncatedPickleError extends CheckpointError {
  override readonly name = 'TruncatedPickleError';
}

/** A storage reference from a persistent id: the tensor data lives elsewhere in the file. */
export interface StorageRef {
  kind: 'storage';
  dtype: DType;
  key: string;
  numel: number;
}

export type DType = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

/** A pickled dict (or OrderedDict): keys in insertion order. */
export class PickledDict extends Map<unknown, unknown> {}

/** A global that the pickle names; only these exist. */
interface Global {
  kind: 'global';
  name: string;
  call?: (args: unknown[]) => unknown;
  dtype?: DType;
}

const STORAGE_DTYPES: Record<string, DType> = {
  FloatStorage: 'float32', HalfStorage: 'float16', BFloat16Storage: 'bfloat16', DoubleStorage: 'float64',
  LongStorage: 'int64', IntStorage: 'int32', ShortStorage: 'int16', CharStorage: 'int8', ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

const TORCH_DTYPES: Record<string, DType> = {
  float32: 'float32', float: 'float32', float16: 'float16', half: 'float16', bfloat16: 'bfloat16',
  float64: 'float64', double: 'float64', int64: 'int64', long: 'int64', int32: 'int32', int: 'int32',
  int16: 'int16', int8: 'int8', uint8: 'uint8', bool: 'bool',
};

function rebuildTensor(args: unknown[]): TensorRef {
  // The unpickled arguments, each checked below before it is used.
  const [storage, offset, shape, stride] = args as [StorageRef, number, number[], number[]];
  if (!storage || storage.kind !== 'storage') throw new CheckpointError('a tensor in the checkpoint has no storage');
  return { kind: 'tensor', storage, offset: Number(offset), shape: (shape ?? []).map(Number), stride: (stride ?? []).map(Number) };
}

function allowedGlobal(module: string, name: string): Global {
  const full = `${module}.${name}`;
  if (full === 'collections.OrderedDict') return { kind: 'global', name: full, call: () => new PickledDict() };
  if (full === 'torch._utils._rebuild_tensor_v2' || full === 'torch._utils._rebuild_tensor') {
    return { kind: 'global', name: full, call: rebuildTensor };
  }
  // nn.Parameter: (tensor, requires_grad, hooks) → the tensor.
  if (full === 'torch._utils._rebuild_parameter') return { kind: 'global', name: full, call: (a) => a[0] };
  if (module === 'torch' && name in STORAGE_DTYPES) return { kind: 'global', name: full, dtype: STORAGE_DTYPES[name] };
  if (module === 'torch' && name in TORCH_DTYPES) return { kind: 'global', name: full, dtype: TORCH_DTYPES[name] };
  if (full === 'torch.storage.UntypedStorage') return { kind: 'global', name: full, dtype: 'uint8' };
  throw new UnsafePickleError(
    `checkpoint refers to the Python global '${full}', which a state dict never needs; refusing to load it ` +
      '(nothing from the file was run)',
  );
}


export interface UnpickleResult {
  value: unknown;
  /** Offset just past the STOP opcode (legacy checkpoints hold several pickles back to back). */
  end: number;
}

/**
 * Reads one pickle starting at `start`. `persistentLoad` turns a persistent id (a tuple) into a value; the
 * default makes StorageRefs from torch's ('storage', type, key, location, numel) ids.
 */
export function unpickle(bytes: Uint8Array, start = 0, persistentLoad = storageFromPersistentId): UnpickleResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new TextDecoder();
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = start;

  const need = (n: number) => {
    if (pos + n > bytes.length) throw new TruncatedPickleError(`checkpoint is truncated: pickle data ends at byte ${bytes.length}`);
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new CheckpointError('checkpoint has an impossibly large length');
    return Number(v);
  };
  const take = (n: number) => {
    need(n);
    pos += n;
    return bytes.subarray(pos - n, pos);
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new TruncatedPickleError('checkpoint is truncated inside a pickle text field');
    const s = decoder.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = () => {
    if (stack.length === 0 || (marks.length && stack.length <= marks[marks.length - 1])) {
      throw new CheckpointError('malformed pickle: stack underflow');
    }
    return stack.pop();
  };
  const popMark = () => {
    const m = marks.pop();
    if (m === undefined) throw new CheckpointError('malformed pickle: no mark');
    return stack.splice(m);
  };
  const top = () => {
    if (stack.length === 0) throw new CheckpointError('malformed pickle: empty stack');
    return stack[stack.length - 1];
  };
  const setItems = (target: unknown, items: unknown[]) => {
    if (!(target instanceof Map)) throw new CheckpointError('malformed pickle: SETITEM on a non-dict');
    for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const appendItems = (target: unknown, items: unknown[]) => {
    if (!Array.isArray(target)) throw new CheckpointError('malformed pickle: APPEND on a non-list');
    target.push(...items);
  };
  const call = (fn: unknown, args: unknown) => {
    // Checked on the next line: only our own Global objects are callable.
    const g = fn as Global;
    if (!g || g.kind !== 'global' || !g.call) {
      throw new UnsafePickleError(`checkpoint asks to call ${g && g.kind === 'global' ? g.name : 'a non-function'}; refusing`);
    }
    if (!Array.isArray(args)) throw new CheckpointError('malformed pickle: call arguments are not a tuple');
    return g.call(args);
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME
      case 0x2e: return { value: pop(), end: pos }; // STOP
      case 0x28: marks.push(stack.length); break; // MARK
      case 0x7d: stack.push(new PickledDict()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x8f: stack.push(new Set()); break; // EMPTY_SET
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x8a: case 0x8b: { // LONG1, LONG4
        const n = op === 0x8a ? u8() : u32();
        const b = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: { need(8); stack.push(view.getFloat64(pos, false)); pos += 8; break; } // BINFLOAT (big-endian)
      case 0x49: { // INT (text)
        const s = line();
        stack.push(s === '00' ? false : s === '01' ? true : Number.parseInt(s, 10));
        break;
      }
      case 0x4c: stack.push(Number.parseInt(line().replace(/L$/, ''), 10)); break; // LONG (text)
      case 0x46: stack.push(Number.parseFloat(line())); break; // FLOAT (text)
      case 0x58: stack.push(decoder.decode(take(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(decoder.decode(take(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(decoder.decode(take(u64()))); break; // BINUNICODE8
      case 0x55: stack.push(decoder.decode(take(u8()))); break; // SHORT_BINSTRING
      case 0x54: stack.push(decoder.decode(take(u32()))); break; // BINSTRING
      case 0x43: stack.push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x42: stack.push(take(u32()).slice()); break; // BINBYTES
      case 0x8e: stack.push(take(u64()).slice()); break; // BINBYTES8
      case 0x56: stack.push(line()); break; // UNICODE (text)
      case 0x53: stack.push(line().replace(/^'(.*)'$/, '$1')); break; // STRING (text)
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push([a, b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push([a, b, c]); break; } // TUPLE3
      case 0x74: stack.push(popMark()); break; // TUPLE
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x64: { const d = new PickledDict(); setItems(d, popMark()); stack.push(d); break; } // DICT
      case 0x61: { const v = pop(); appendItems(top(), [v]); break; } // APPEND
      case 0x65: { const items = popMark(); appendItems(top(), items); break; } // APPENDS
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x90: { const items = popMark(); const s = top(); if (s instanceof Set) items.forEach((i) => s.add(i)); break; } // ADDITEMS
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x70: memo.set(Number.parseInt(line(), 10), top()); break; // PUT
      case 0x68: case 0x6a: case 0x67: { // BINGET, LONG_BINGET, GET
        const k = op === 0x68 ? u8() : op === 0x6a ? u32() : Number.parseInt(line(), 10);
        if (!memo.has(k)) throw new CheckpointError(`malformed pickle: memo ${k} is missing`);
        stack.push(memo.get(k));
        break;
      }
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      case 0x63: { const module = line(); const name = line(); stack.push(allowedGlobal(module, name)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw new CheckpointError('malformed pickle: STACK_GLOBAL');
        stack.push(allowedGlobal(module, name));
        break;
      }
      case 0x52: { const args = pop(); const fn = pop(); stack.push(call(fn, args)); break; } // REDUCE
      case 0x81: { const args = pop(); const cls = pop(); stack.push(call(cls, args)); break; } // NEWOBJ
      case 0x62: pop(); break; // BUILD: object state (an OrderedDict's _metadata) is not needed
      case 0x51: stack.push(persistentLoad(pop())); break; // BINPERSID
      case 0x50: stack.push(persistentLoad(line())); break; // PERSID
      case 0x69: { // INST: names its class inline; an unknown one is refused by name, an allowed one still builds nothing
        const module = line();
        const name = line();
        allowedGlobal(module, name);
        throw new UnsafePickleError(`checkpoint uses pickle opcode INST to build a ${module}.${name}; refusing (nothing from the file was run)`);
      }
      case 0x6f: case 0x92: // OBJ, NEWOBJ_EX: build arbitrary objects
        throw new UnsafePickleError(`checkpoint uses pickle opcode 0x${op.toString(16)} to build an arbitrary object; refusing (nothing from the file was run)`);
      default:
        throw new CheckpointError(`not a PyTorch checkpoint: unknown pickle opcode 0x${op.toString(16)} at byte ${pos - 1}`);
    }
  }
}

/** torch's persistent id for tensor data: ('storage', storage type or dtype, key, location, numel, …). */
export function storageFromPersistentId(pid: unknown): StorageRef {
  if (!Array.isArray(pid) || pid[0] !== 'storage') throw new CheckpointError(`unexpected persistent id ${JSON.stringify(pid)}`);
  // Checked on the next line.
  const type = pid[1] as Global;
  if (!type || type.kind !== 'global' || !type.dtype) throw new CheckpointError('a storage in the checkpoint has no known type');
  return { kind: 'storage', dtype: type.dtype, key: String(pid[2]), numel: Number(pid[4]) };
}
