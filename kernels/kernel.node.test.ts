// buildSource's //!if sections: what a kernel variant compiles.
import { describe, expect, it } from 'vitest';
import { buildSource, keepSections } from './kernel.ts';
import { conv3d } from './conv3d/conv3d.ts';
import { softmax } from './softmax/softmax.ts';

describe('keepSections', () => {
  const src = ['a', '//!if A', 'b', '//!if !B', 'c', '//!else', 'd', '//!end', '//!else', 'e', '//!end', 'f'].join('\n');
  it('keeps the branch each flag selects, nested, and blanks the rest without moving lines', () => {
    const kept = (flags: Record<string, boolean>) => keepSections(src, flags).split('\n');
    expect(kept({ A: true, B: false }).filter(Boolean)).toEqual(['a', 'b', 'c', 'f']);
    expect(kept({ A: true, B: true }).filter(Boolean)).toEqual(['a', 'b', 'd', 'f']);
    expect(kept({ A: false, B: false }).filter(Boolean)).toEqual(['a', 'e', 'f']);
    expect(kept({ A: false, B: true })).toHaveLength(src.split('\n').length);
  });
  it('names an unknown flag and unbalanced sections', () => {
    expect(() => keepSections('//!if C\n//!end', { A: true })).toThrow(/\/\/!if C: not a boolean constant/);
    expect(() => keepSections('//!if A\nx', { A: true })).toThrow(/\/\/!if A is never closed/);
    expect(() => keepSections('x\n//!end', {})).toThrow(/\/\/!end without \/\/!if/);
  });
  it('takes its flags from the boolean constants, and SUBGROUPS adds their directives', () => {
    const op = '//!header\n//!if FAST\nfast\n//!else\nslow\n//!end\n//!if SUBGROUPS\nsg\n//!end';
    const plain = buildSource(op, { n: 'u32' }, { FAST: true });
    expect(plain).toContain('fast');
    expect(plain).not.toMatch(/slow|sg|enable subgroups/);
    const sg = buildSource(op, { n: 'u32' }, { FAST: false }, { subgroups: true });
    expect(sg.startsWith('enable subgroups;\nrequires subgroup_id;\n')).toBe(true);
    expect(sg).toMatch(/slow[\s\S]*sg/);
  });
});

describe('kernel variants compile only what they run', () => {
  it('conv3d: a direct tile has no workgroup memory, a tiled one no direct loop; pointwise (strided too) no window walk', () => {
    const x = [1, 8, 4, 6, 6];
    const direct = conv3d(x, [16, 8, 1, 1, 1], { kernel: [1, 1, 1], tile: { m: 16, n: 64, k: 0, direct: true } }).source;
    expect(direct).not.toMatch(/var<workgroup>|workgroupBarrier|var tap/);
    expect(direct).toContain('pointwiseStep(c, wRow, k)');
    // A strided 1×1×1 conv takes the pointwise loop too.
    const strided = conv3d(x, [16, 8, 1, 1, 1], { kernel: [1, 1, 1], stride: [1, 2, 2], tile: { m: 16, n: 64, k: 0, direct: true } }).source;
    expect(strided).not.toContain('var tap');
    expect(strided).toContain('pointwiseStep(c, wRow, k)');
    const window = conv3d(x, [16, 8, 3, 3, 3], { kernel: [3, 3, 3], padding: [1, 1, 1], tile: { m: 16, n: 64, k: 0, direct: true } }).source;
    expect(window).toContain('for (var tap = 0u; tap < p.kVolume; tap++)');
    expect(window).not.toContain('pointwiseStep(c, wRow, k)');
    const tiled = conv3d(x, [16, 8, 3, 3, 3], { kernel: [3, 3, 3], padding: [1, 1, 1], tile: { m: 16, n: 64, k: 16 } }).source;
    expect(tiled).toMatch(/var<workgroup> tileW[\s\S]*workgroupBarrier/);
    expect(tiled).not.toContain('fn accumulateDirect');
  });
  it('softmax names subgroup built-ins only when asked to use them', () => {
    expect(softmax([1, 400]).source).not.toMatch(/subgroup(Max|Add)\(|@builtin\(subgroup|var<workgroup> subgroup/);
    expect(softmax([1, 400], { subgroups: true }).source).toMatch(/subgroupMax[\s\S]*subgroupAdd/);
  });
});
