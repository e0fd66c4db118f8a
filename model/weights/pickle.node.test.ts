// The unpickler builds only what a state dict needs and refuses everything else without running it.
import { describe, expect, it } from 'vitest';
import { CheckpointError, PickledDict, UnsafePickleError, unpickle } from './pickle.ts';
import { readPyTorchCheckpoint } from './pytorch.ts';

const enc = new TextEncoder();
const bytes = (...parts: (number | string)[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : [...enc.encode(p)])));

// Protocol-2 opcodes used below.
const PROTO2 = [0x80, 2];
const STOP = 0x2e;
const GLOBAL = 0x63; // c module\nname\n
const REDUCE = 0x52;
const EMPTY_TUPLE = 0x29;
const SHORT_BINUNICODE = 0x8c;
const STACK_GLOBAL = 0x93;
const INST = 0x69; // i module\nname\n
const OBJ = 0x6f;
const MARK = 0x28;
const TUPLE1 = 0x85;

describe('unpickle', () => {
  it('builds dicts, lists, tuples, numbers and strings', () => {
    // {'a': [1, 2.5, None, True], 'b': 'x'} written by hand with protocol-2 opcodes.
    const p = bytes(...PROTO2, 0x7d, 0x28, SHORT_BINUNICODE, 1, 'a', 0x5d, 0x28, 0x4b, 1,
      0x47, 0x40, 0x04, 0, 0, 0, 0, 0, 0, 0x4e, 0x88, 0x65, SHORT_BINUNICODE, 1, 'b', SHORT_BINUNICODE, 1, 'x', 0x75, STOP);
    const v = unpickle(p).value as PickledDict;
    expect(v).toBeInstanceOf(PickledDict);
    expect(v.get('a')).toEqual([1, 2.5, null, true]);
    expect(v.get('b')).toBe('x');
  });

  const hostile: [string, Uint8Array, RegExp][] = [
    ['os.system via GLOBAL + REDUCE', bytes(...PROTO2, GLOBAL, 'os\nsystem\n', SHORT_BINUNICODE, 2, 'id', TUPLE1, REDUCE, STOP), /'os\.system'/],
    ['builtins.eval via STACK_GLOBAL', bytes(...PROTO2, SHORT_BINUNICODE, 8, 'builtins', SHORT_BINUNICODE, 4, 'eval', STACK_GLOBAL, SHORT_BINUNICODE, 1, '1', TUPLE1, REDUCE, STOP), /'builtins\.eval'/],
    ['subprocess.Popen via INST', bytes(MARK, SHORT_BINUNICODE, 2, 'ls', INST, 'subprocess\nPopen\n', STOP), /'subprocess\.Popen'/],
    ['an allowed class built via INST', bytes(MARK, INST, 'collections\nOrderedDict\n', STOP), /opcode INST to build a collections\.OrderedDict/],
    ['subprocess.Popen via OBJ', bytes(MARK, GLOBAL, 'subprocess\nPopen\n', SHORT_BINUNICODE, 2, 'ls', OBJ, STOP), /'subprocess\.Popen'/],
    ['posix.system via GLOBAL', bytes(GLOBAL, 'posix\nsystem\n', EMPTY_TUPLE, REDUCE, STOP), /'posix\.system'/],
  ];
  for (const [name, p, message] of hostile) {
    it(`refuses ${name} without running it`, () => {
      expect(() => unpickle(p)).toThrow(UnsafePickleError);
      expect(() => unpickle(p)).toThrow(message);
    });
  }

  it('reports truncation and garbage as CheckpointErrors', async () => {
    expect(() => unpickle(bytes(...PROTO2, SHORT_BINUNICODE, 10, 'abc'))).toThrow(/truncated/);
    expect(() => unpickle(bytes(0xff))).toThrow(CheckpointError);
    await expect(readPyTorchCheckpoint(new Uint8Array())).rejects.toThrow('the checkpoint file is empty');
    await expect(readPyTorchCheckpoint(bytes('hello'))).rejects.toThrow(/not a PyTorch checkpoint/);
  });
});
