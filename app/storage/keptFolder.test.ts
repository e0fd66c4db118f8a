// Both places the page keeps files behave alike: what one keeps, the other keeps under the same names.
import { describe, expect, it } from 'vitest';
import { openKeptFolder, type KeptBackend } from './keptFolder.ts';

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);
const text = async (blob: Blob | undefined) => blob && (await blob.text());

describe('kept folders', () => {
  for (const backend of ['opfs', 'indexeddb'] as KeptBackend[]) {
    it(`${backend}: writes, streams in parts, lists, replaces and removes files and folders`, async () => {
      const root = await openKeptFolder(`kept-test-${backend}`, [backend]);
      expect(root.backend).toBe(backend);
      await root.write('a.json', '{"a":1}');
      expect(await text(await root.file('a.json'))).toBe('{"a":1}');
      await root.write('a.json', 'replaced');
      expect(await text(await root.file('a.json'))).toBe('replaced');
      expect(await root.file('missing')).toBeUndefined();

      // A file streamed in parts reads back whole and in order; nothing shows until it is closed.
      const parts = [bytes(1000, 1), bytes(70_000, 2), bytes(3, 3)];
      const writer = await root.create('weights.bin');
      for (const p of parts) await writer.write(p);
      await writer.close();
      const back = new Uint8Array(await (await root.file('weights.bin'))!.arrayBuffer());
      const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (whole.set(p, at), at + p.length), 0);
      expect(back).toEqual(whole);
      // An aborted write leaves no file behind.
      const aborted = await root.create('cut.bin');
      await aborted.write(bytes(10, 4));
      await aborted.abort();
      expect(await root.file('cut.bin')).toBeUndefined();

      const sub = await root.folder('project one');
      await sub.write('take.f32', bytes(16, 5));
      expect(await root.files()).toEqual(['a.json', 'weights.bin']);
      expect(await root.folders()).toEqual(['project one']);
      expect(await sub.files()).toEqual(['take.f32']);
      await root.remove('a.json');
      expect(await root.files()).toEqual(['weights.bin']);
      await root.removeFolder('project one');
      expect(await root.folders()).toEqual([]);
      expect(await sub.file('take.f32')).toBeUndefined();
      await root.remove('weights.bin');
      expect(await root.files()).toEqual([]);
    });

    it(`${backend}: a file of blocks is written in any order, reads back block by block, and stays across openings`, async () => {
      const root = await openKeptFolder(`kept-blocks-${backend}`, [backend]);
      const BLOCK = 4096;
      const file = await root.blocks('download.blocks', BLOCK);
      await file.writeBlock(2, bytes(1000, 7));
      await file.writeBlock(0, bytes(BLOCK, 8));
      expect(await file.readBlock(0, BLOCK)).toEqual(bytes(BLOCK, 8));
      // Never written: shorter than asked (nothing at all past the last block written).
      expect((await file.readBlock(5, BLOCK)).length).toBeLessThan(BLOCK);
      await file.close();
      const again = await root.blocks('download.blocks', BLOCK);
      expect(await again.readBlock(2, 1000)).toEqual(bytes(1000, 7));
      expect(await again.readBlock(0, BLOCK)).toEqual(bytes(BLOCK, 8));
      await again.close();
      await root.remove('download.blocks');
      expect(await root.files()).toEqual([]);
    });
  }

});
