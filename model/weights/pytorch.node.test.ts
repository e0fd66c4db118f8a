import { readFileSync } from 'node:fs';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTorchCheckpoint, type CheckpointContents } from '../../e2e/torchCheckpoint.ts';
import { PRESETS } from '../slowfast.ts';
import { UnsafePickleError } from './pickle.ts';
import { readPyTorchCheckpoint } from './pytorch.ts';
import { randomStateDict } from './weightSource.ts';

const golden = new URL('../../../shared/golden/', import.meta.url);
const read = (p: string) => new Uint8Array(readFileSync(new URL(p, golden)));

interface Manifest {
  state_dict: { key: string; shape: number[]; dtype: string }[];
}

describe('readPyTorchCheckpoint', () => {
  for (const fixture of ['slowfast_r50_w16_8x8_64px', 'slowfast_r50_w16_4x16_64px']) {
    it(`reads every key of ${fixture}/checkpoint.pyth (zip) with its manifest shape`, async () => {
      const manifest = JSON.parse(readFileSync(new URL(`${fixture}/manifest.json`, golden), 'utf8')) as Manifest;
      const sd = (await readPyTorchCheckpoint(read(`${fixture}/checkpoint.pyth`))).dict;
      expect([...sd.keys()]).toEqual(manifest.state_dict.map((e) => e.key));
      for (const e of manifest.state_dict) {
        expect(sd.get(e.key)!.shape, e.key).toEqual(e.shape);
        expect(sd.get(e.key)!.data.length).toBe(e.shape.reduce((a, b) => a * b, 1));
      }
    });
  }

  it('reads the legacy (non-zip) checkpoint to the same tensors as the zip one', async () => {
    const zip = (await readPyTorchCheckpoint(read('slowfast_r50_w16_8x8_64px/checkpoint.pyth'))).dict;
    const legacy = (await readPyTorchCheckpoint(read('slowfast_r50_w16_8x8_64px/checkpoint_legacy.pyth'))).dict;
    expect([...legacy.keys()]).toEqual([...zip.keys()]);
    for (const [k, t] of zip) {
      const other = legacy.get(k)!.data;
      expect(other.length, k).toBe(t.data.length);
      expect(t.data.every((v, i) => Object.is(v, other[i])), k).toBe(true);
    }
  });

  it('keeps dtypes: int64 num_batches_tracked (0 in the fixtures), float32 weights', async () => {
    const sd = (await readPyTorchCheckpoint(read('slowfast_r50_w16_8x8_64px/checkpoint.pyth'))).dict;
    const tracked = sd.get('blocks.0.multipathway_blocks.0.norm.num_batches_tracked')!;
    expect(tracked.dtype).toBe('int64');
    expect(tracked.shape).toEqual([]);
    expect(Array.from(tracked.data)).toEqual([0]);
    expect(sd.get('blocks.6.proj.weight')!.dtype).toBe('float32');
  });
});

describe('readPyTorchCheckpoint on hand-made half-precision checkpoints', () => {
  // Protocol-2 pickle of {"model_state": OrderedDict(w = (2,3) tensor, wt = its transposed view)} over one
  // storage of the given type, as torch.save writes it.
  function checkpoint(storageType: 'HalfStorage' | 'BFloat16Storage', bits: number[], wrap = true): Uint8Array {
    const enc = new TextEncoder();
    const out: number[] = [];
    const op = (...b: number[]) => out.push(...b);
    const str = (s: string) => op(0x8c, s.length, ...enc.encode(s));
    const global = (m: string, n: string) => op(0x63, ...enc.encode(`${m}\n${n}\n`));
    const tensor = (size: number[], stride: number[]) => {
      global('torch._utils', '_rebuild_tensor_v2');
      op(0x28); // MARK: the argument tuple
      op(0x28); str('storage'); global('torch', storageType); str('0'); str('cpu'); op(0x4b, bits.length); op(0x74, 0x51); // pid, BINPERSID
      op(0x4b, 0); // offset
      op(0x4b, size[0], 0x4b, size[1], 0x86); // size TUPLE2
      op(0x4b, stride[0], 0x4b, stride[1], 0x86); // stride TUPLE2
      op(0x89); // requires_grad False
      global('collections', 'OrderedDict'); op(0x29, 0x52); // backward hooks
      op(0x74, 0x52); // TUPLE, REDUCE
    };
    op(0x80, 2);
    if (wrap) { op(0x7d); str('model_state'); }
    global('collections', 'OrderedDict'); op(0x29, 0x52);
    op(0x28);
    str('w'); tensor([2, 3], [3, 1]);
    str('wt'); tensor([3, 2], [1, 3]);
    op(0x75); // SETITEMS
    if (wrap) op(0x73); // SETITEM
    op(0x2e);
    const data = new Uint8Array(new Uint16Array(bits).buffer);
    return zipSync({ 'archive/data.pkl': Uint8Array.from(out), 'archive/data/0': data, 'archive/version': enc.encode('3\n') }, { level: 0 });
  }

  it('reads float16 tensors, contiguous and strided views of one storage', async () => {
    // 1, -2, 0.5, 65504, 2^-24 (smallest subnormal), 0
    const sd = (await readPyTorchCheckpoint(checkpoint('HalfStorage', [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x0000]))).dict;
    expect(sd.get('w')!.dtype).toBe('float16');
    expect(Array.from(sd.get('w')!.data)).toEqual([1, -2, 0.5, 65504, 2 ** -24, 0]);
    expect(Array.from(sd.get('wt')!.data)).toEqual([1, 65504, -2, 2 ** -24, 0.5, 0]);
  });

  it('reads bfloat16 tensors, unwrapped state dicts too', async () => {
    // 1, -2, 0.5, 3.140625, 1e38-ish (0x7e96), -0
    const sd = (await readPyTorchCheckpoint(checkpoint('BFloat16Storage', [0x3f80, 0xc000, 0x3f00, 0x4049, 0x7e96, 0x8000], false))).dict;
    expect(sd.get('w')!.dtype).toBe('bfloat16');
    expect(Array.from(sd.get('w')!.data.slice(0, 4))).toEqual([1, -2, 0.5, 3.140625]);
    expect(sd.get('w')!.data[4]).toBeCloseTo(9.97e37, -35);
    expect(Object.is(sd.get('w')!.data[5], -0)).toBe(true);
  });
});

describe('readPyTorchCheckpoint on checkpoints saved by a training run', () => {
  // A quarter-width R50 with what PySlowFast saves beside model_state: momentum buffers, epoch, cfg, scaler.
  const dict = [...randomStateDict({ ...PRESETS.slowfast_r50_8x8, stemChannels: [16, 2] })];
  const contents: CheckpointContents = {
    tensors: dict.map(([key, t]) => ({ key, shape: t.shape, dtype: 'float32' })),
    data: (i) => new Uint8Array(dict[i][1].data.buffer),
    momentum: (i) => new Uint8Array(dict[i][1].data.map((v) => v / 2).buffer),
    epoch: 196,
    cfg: 'DATA:\n  NUM_FRAMES: 32\n',
    scaler: true,
  };
  const dir = mkdtempSync(join(tmpdir(), 'training-checkpoint-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const format of ['zip', 'legacy'] as const) {
    it(`${format}: reads the state dict and the cfg, and nothing of the optimizer state`, async () => {
      const file = join(dir, `${format}.pyth`);
      writeTorchCheckpoint(file, contents, format);
      const bytes = new Uint8Array(readFileSync(file));
      const read: [number, number][] = [];
      const source = { size: bytes.length, read: async (at: number, n: number) => (read.push([at, n]), bytes.slice(at, at + n)) };
      const checkpoint = await readPyTorchCheckpoint(source);
      expect([...checkpoint.dict.keys()]).toEqual(dict.map(([k]) => k));
      const differs = dict.find(([key, t]) => {
        const got = checkpoint.dict.get(key)!.data;
        return got.length !== t.data.length || !t.data.every((v, i) => Object.is(v, got[i]));
      });
      expect(differs?.[0], 'a tensor read differs from the one written').toBeUndefined();
      expect(checkpoint.cfg).toBe(contents.cfg);
      expect(checkpoint.extras).toEqual(['optimizer_state', 'epoch', 'cfg', 'scaler_state']);
      // The momentum buffers are as large as the weights; reading them too would double what is fetched.
      const fetched = read.reduce((a, [, n]) => a + n, 0);
      const weights = dict.reduce((a, [, t]) => a + t.data.byteLength, 0);
      expect(fetched).toBeLessThan(weights * 1.2);
      expect(bytes.length).toBeGreaterThan(weights * 2);
    }, 60_000);
  }

  it('still refuses a global it does not know, wherever in the checkpoint it sits', async () => {
    const file = join(dir, 'hostile.pyth');
    writeTorchCheckpoint(file, { ...contents, extra: (w) => w.str('scheduler').global('os', 'system').str('touch /tmp/pwned').op(0x85, 0x52) });
    await expect(readPyTorchCheckpoint(new Uint8Array(readFileSync(file)))).rejects.toThrow(UnsafePickleError);
    await expect(readPyTorchCheckpoint(new Uint8Array(readFileSync(file)))).rejects.toThrow(/'os\.system'/);
  }, 60_000);
});
