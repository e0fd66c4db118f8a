// The plan's kernel for a conv layer takes the tile tuned for the layer in the plan's own precision.
import { describe, expect, it } from 'vitest';
import { convSignature, signaturePrecision, type ConvLayerShape, type TileTable } from '../kernels/conv3d/autotune.ts';
import { conv3d } from '../kernels/conv3d/conv3d.ts';
import { kernelFor, type KernelChoices } from './kernelChoice.ts';

describe('tuned tiles per precision', () => {
  const layer: ConvLayerShape = { x: [1, 8, 4, 14, 14], w: [16, 8, 3, 3, 3], attrs: { kernel: [3, 3, 3], stride: [1, 1, 1], padding: [1, 1, 1], dilation: [1, 1, 1] } };
  const f32Tile = { m: 32, n: 32, k: 0, direct: true };
  const f16Tile = { m: 8, n: 128, k: 0, direct: true };
  const tiles: TileTable = { [convSignature(layer)]: f32Tile, [convSignature({ ...layer, precision: 'f16' })]: f16Tile };
  const op = { op: 'conv3d' as const, attrs: { kernel: layer.attrs.kernel, padding: layer.attrs.padding } };
  const choices = (precision: 'f32' | 'f16'): KernelChoices => ({ tilePolicy: 'direct', subgroups: false, weightFormat: 'f32', tiles, precision });

  it('keys a layer by its precision, f32 keys as before', () => {
    expect(convSignature(layer)).toBe('x1x8x4x14x14 w16x8x3x3x3 s111 p111 d111');
    expect(convSignature({ ...layer, precision: 'f32' })).toBe(convSignature(layer));
    expect(convSignature({ ...layer, precision: 'f16' })).toBe(`f16 ${convSignature(layer)}`);
    expect(Object.keys(tiles).map(signaturePrecision)).toEqual(['f32', 'f16']);
  });

  it('plans an f32 conv with the f32 tile and an f16 conv with the f16 tile', () => {
    const half = { in: 'f16', out: 'f16' } as const;
    expect(kernelFor(op, [layer.x, layer.w], choices('f32')).cacheKey).toBe(conv3d(layer.x, layer.w, { ...op.attrs, tilePolicy: 'direct', tile: f32Tile }).cacheKey);
    expect(kernelFor(op, [layer.x, layer.w], choices('f16'), half).cacheKey)
      .toBe(conv3d(layer.x, layer.w, { ...op.attrs, tilePolicy: 'direct', tile: f16Tile, precision: 'f16', elements: half }).cacheKey);
    // A precision with no tuned tile gets the default, not the other precision's.
    const onlyF32 = { ...choices('f16'), tiles: { [convSignature(layer)]: f32Tile } };
    expect(kernelFor(op, [layer.x, layer.w], onlyF32, half).cacheKey)
      .toBe(conv3d(layer.x, layer.w, { ...op.attrs, tilePolicy: 'direct', precision: 'f16', elements: half }).cacheKey);
  });
});
