// Listing a video library, splitting it across machines, and resuming a JSONL output.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listVideos, mapNames, parseShard, readDone, shardOf } from './library.mjs';

describe('a video library', () => {
  it('lists a folder\'s videos recursively, in path order, skipping other files and dot-names', () => {
    const root = mkdtempSync(join(tmpdir(), 'library-'));
    for (const dir of ['b', 'a/deep', '.hidden']) mkdirSync(join(root, dir), { recursive: true });
    const files = ['b/z.MP4', 'b/notes.txt', 'a/deep/x.webm', 'a/y.mkv', 'a/._y.mkv', '.hidden/w.mp4', 'top.gif', 'top.mov.part', 'clip.m4v'];
    for (const f of files) writeFileSync(join(root, f), '');
    mkdirSync(join(root, 'nothing'));
    const { videos, empty } = listVideos([root, join(root, 'nothing')]);
    expect(videos).toEqual(['a/deep/x.webm', 'a/y.mkv', 'b/z.MP4', 'clip.m4v', 'top.gif'].map((f) => join(root, f)));
    expect(empty).toEqual([join(root, 'nothing')]);
    // A file named directly is taken as given, once.
    expect(listVideos([join(root, 'b/notes.txt'), root]).videos[0]).toBe(join(root, 'b/notes.txt'));
    expect(listVideos([join(root, 'top.gif'), root]).videos.filter((v) => v.endsWith('top.gif'))).toHaveLength(1);
  });

  it('splits a list into disjoint shards that cover it, by path alone, and stays put when files come', () => {
    const videos = Array.from({ length: 400 }, (_, i) => `/library/${i % 7}/video ${i}.mp4`);
    const count = 4;
    const shards = Array.from({ length: count }, (_, index) => shardOf(videos, { index, count }));
    expect(shards.flat().sort()).toEqual([...videos].sort());
    expect(new Set(shards.flat()).size).toBe(videos.length);
    // Roughly even: each shard within a third of its share.
    for (const s of shards) expect(Math.abs(s.length - videos.length / count)).toBeLessThan(videos.length / count / 3);
    // The list's order does not matter, and new videos move none of the old ones.
    const grown = [...videos, ...Array.from({ length: 50 }, (_, i) => `/library/new/${i}.mp4`)].reverse();
    for (let index = 0; index < count; index++) {
      const after = new Set(shardOf(grown, { index, count }));
      expect(shards[index].every((v) => after.has(v))).toBe(true);
    }
  });

  it('reads I/N, counting from 0, and refuses anything else', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard('3/4')).toEqual({ index: 3, count: 4 });
    for (const bad of ['4/4', '1/0', '-1/2', 'a/b', '1', '1/2/3', '']) expect(parseShard(bad)).toBeUndefined();
  });

  it('knows which videos a JSONL output holds, retries failures and ignores a line cut short', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jsonl-'));
    const out = join(dir, 'out.jsonl');
    expect(readDone(out)).toEqual({ done: new Set(), endsCut: false });
    writeFileSync(out, [JSON.stringify({ file: 'a.mp4', top: [] }), JSON.stringify({ file: 'b.mp4', error: 'not a video' }), '', JSON.stringify({ file: 'c.mp4' }), '{"file": "d.mp4", "to'].join('\n'));
    expect(readDone(out)).toEqual({ done: new Set(['a.mp4', 'c.mp4']), endsCut: true });
    writeFileSync(out, `${JSON.stringify({ file: 'a.mp4' })}\n`);
    expect(readDone(out).endsCut).toBe(false);
  });

  it('names each video\'s map files apart: by its name, or by its path where another video shares the name', () => {
    const names = mapNames(['a/clip.mp4', 'b/clip.mp4', 'clip.webm', 'other.mp4', '../up/solo.mov']);
    expect([...names.values()]).toEqual(['a__clip.mp4', 'b__clip.mp4', 'clip.webm', 'other', 'solo']);
    expect(mapNames([join(process.cwd(), 'x/clip.mp4'), 'y/clip.mp4']).get(join(process.cwd(), 'x/clip.mp4'))).toBe('x__clip.mp4');
    expect(mapNames(['../p/a.mp4', 'q/a.mp4']).get('../p/a.mp4')).toBe('up__p__a.mp4');
  });
});
