import { describe, expect, it } from 'vitest';
import { CONV3D_TILES, conv3d, conv3dShape, DEFAULT_WORKGROUP_LIMITS, defaultTile, DIRECT_MAX_K, tilePolicyFor, workgroupOf } from './conv3d.ts';
import { isSoftwareAdapter } from '../device.ts';
import { ShapeError } from '../kernel.ts';

describe('conv3dShape', () => {
  it('follows PyTorch output-size arithmetic', () => {
    // The R50 stem: 5×7×7, stride (1,2,2), padding (2,3,3) on 32×224².
    expect(conv3dShape([1, 3, 32, 224, 224], [8, 3, 5, 7, 7], { kernel: [5, 7, 7], stride: [1, 2, 2], padding: [2, 3, 3] }))
      .toEqual([1, 8, 32, 112, 112]);
    // The 8×8 lateral: 7×1×1, stride (4,1,1), padding (3,0,0) on 32 frames gives 8.
    expect(conv3dShape([1, 8, 32, 56, 56], [16, 8, 7, 1, 1], { kernel: [7, 1, 1], stride: [4, 1, 1], padding: [3, 0, 0] }))
      .toEqual([1, 16, 8, 56, 56]);
    expect(conv3dShape([1, 2, 5, 5, 5], [3, 2, 3, 3, 3], { kernel: [3, 3, 3], dilation: [2, 2, 2] })).toEqual([1, 3, 1, 1, 1]);
  });

  it('names the op and the dims on bad shapes', () => {
    expect(() => conv3dShape([1, 3, 4, 8, 8], [8, 4, 1, 3, 3], { kernel: [1, 3, 3] })).toThrow(ShapeError);
    expect(() => conv3dShape([1, 3, 4, 8, 8], [8, 4, 1, 3, 3], { kernel: [1, 3, 3] }))
      .toThrow('conv3d: weight [8, 4, 1, 3, 3] expects 4 input channels, input [1, 3, 4, 8, 8] has 3');
    expect(() => conv3dShape([1, 3, 2, 8, 8], [8, 3, 5, 1, 1], { kernel: [5, 1, 1] })).toThrow(/conv3d: T: input 2 with kernel 5/);
    expect(() => conv3dShape([1, 3, 8, 8], [8, 3, 1, 1, 1], { kernel: [1, 1, 1] })).toThrow(/conv3d: input must have rank 5, got \[1, 3, 8, 8\]/);
    expect(() => conv3dShape([1, 3, 4, 8, 8], [8, 3, 1, 3, 3], { kernel: [1, 1, 1] })).toThrow(/does not match kernel/);
    expect(() => conv3dShape([1, 3, 4, 8, 8], [8, 3, 1, 1, 1], { kernel: [1, 1, 1], stride: [0, 1, 1] })).toThrow(/bad stride/);
    expect(() => conv3dShape([1, 3, 4, 8, 8], [8, 3, 1, 1, 1], { kernel: [1, 1, 1], outputChannelOffset: 4, outputChannelsTotal: 10 }))
      .toThrow(/output channels \[4, 12\) do not fit in 10/);
  });

  it('caches pipelines by static attributes only, not shapes', () => {
    // The tile is a static attribute (chosen per layer shape when not given).
    const tile = { m: 16, n: 64, k: 16 };
    const a = conv3d([1, 3, 4, 8, 8], [8, 3, 1, 3, 3], { kernel: [1, 3, 3], padding: [0, 1, 1], tile });
    const b = conv3d([2, 5, 6, 10, 12], [8, 5, 1, 3, 3], { kernel: [1, 3, 3], stride: [1, 2, 2], tile });
    expect(a.cacheKey).toBe(b.cacheKey);
    expect(conv3d([1, 3, 4, 8, 8], [8, 3, 1, 3, 3], { kernel: [1, 3, 3], residual: true, tile }).cacheKey).not.toBe(a.cacheKey);
    // ReLU is a uniform: convs that differ only in it share a pipeline.
    const relu = conv3d([1, 3, 4, 8, 8], [8, 3, 1, 3, 3], { kernel: [1, 3, 3], padding: [0, 1, 1], relu: true, tile });
    expect(relu.cacheKey).toBe(a.cacheKey);
    expect(relu.uniforms).not.toEqual(a.uniforms);
    expect(conv3d([1, 3, 4, 8, 8], [8, 3, 1, 3, 3], { kernel: [1, 3, 3], tile: { m: 8, n: 256, k: 8 } }).cacheKey).not.toBe(a.cacheKey);
  });
});

describe('tile choice', () => {
  it('never needs more than WebGPU\'s default limits: every candidate and every default tile fits any device', () => {
    const shapes = [[2, 32 * 56 * 56, 8], [64, 8 * 56 * 56, 576], [256, 8 * 14 * 14, 3072], [2048, 8 * 7 * 7, 4608], [400, 1, 2304], [8, 64, 24]];
    const tiles = [...CONV3D_TILES, ...shapes.flatMap(([m, n, k]) => [defaultTile(m, n, k, 'shared'), defaultTile(m, n, k, 'direct')])];
    for (const tile of tiles) {
      const wg = workgroupOf(tile);
      expect(wg.invocations, JSON.stringify(tile)).toBeLessThanOrEqual(DEFAULT_WORKGROUP_LIMITS.invocations);
      expect(wg.storageBytes, JSON.stringify(tile)).toBeLessThanOrEqual(DEFAULT_WORKGROUP_LIMITS.storageBytes);
    }
    // A tile past them is refused before it reaches a device.
    expect(() => conv3d([1, 64, 8, 8, 8], [64, 64, 1, 1, 1], { kernel: [1, 1, 1], tile: { m: 64, n: 64, k: 64 } })).toThrow(/unsupported tile/);
  });

  it('skips workgroup-memory tiles on software adapters, and for small K everywhere', () => {
    const swiftshader = { vendor: 'google', architecture: 'swiftshader', description: 'Google SwiftShader' };
    const gpu = { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100' };
    expect(isSoftwareAdapter(swiftshader)).toBe(true);
    expect(isSoftwareAdapter({ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe(true);
    expect(isSoftwareAdapter({ ...gpu, isFallbackAdapter: true })).toBe(true);
    expect(isSoftwareAdapter(gpu)).toBe(false);
    const software = tilePolicyFor(isSoftwareAdapter(swiftshader));
    const hardware = tilePolicyFor(isSoftwareAdapter(gpu));
    // res4's 3×1×1 conv_a at full size: K = 1024·3.
    expect(defaultTile(256, 8 * 14 * 14, 3072, software).direct).toBe(true);
    expect(defaultTile(256, 8 * 14 * 14, 3072, hardware).direct).toBeFalsy();
    // The Fast pathway's first 1×1×1 conv: K = 8.
    expect(defaultTile(32, 32 * 56 * 56, 8, hardware).direct).toBe(true);
    expect(defaultTile(32, 32 * 56 * 56, DIRECT_MAX_K + 1, hardware).direct).toBeFalsy();
  });
});
