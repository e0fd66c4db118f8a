import { describe, expect, it } from 'vitest';
import { cropRect, heatColour, heatmapPixels, mapAt } from './classMapView.ts';
import type { ClassMaps } from '../model/classifier.ts';

// Two classes; Slow (T 2, 2 × 2), Fast (T 4, 2 × 2): each value names its map, step and cell.
const maps: ClassMaps = {
  classes: [7, 3],
  slow: Float32Array.from({ length: 2 * 2 * 4 }, (_, i) => 100 * Math.floor(i / 8) + 10 * Math.floor((i % 8) / 4) + (i % 4)),
  slowShape: [2, 2, 2],
  fast: Float32Array.from({ length: 2 * 4 * 4 }, (_, i) => 1000 * (1 + Math.floor(i / 16)) + 10 * Math.floor((i % 16) / 4) + (i % 4)),
  fastShape: [4, 2, 2],
};

describe('mapAt', () => {
  it('takes the time step of the moment in the clip, per pathway, for the class asked', () => {
    expect(Array.from(mapAt(maps, 0, 'slow', 0)!.data)).toEqual([0, 1, 2, 3]);
    expect(Array.from(mapAt(maps, 0, 'slow', 0.75)!.data)).toEqual([10, 11, 12, 13]);
    expect(Array.from(mapAt(maps, 1, 'slow', 0.2)!.data)).toEqual([100, 101, 102, 103]);
    expect(Array.from(mapAt(maps, 1, 'fast', 0.6)!.data)).toEqual([2020, 2021, 2022, 2023]);
    expect(Array.from(mapAt(maps, 0, 'fast', 1)!.data)).toEqual([1030, 1031, 1032, 1033]);
  });
  it("sums the two pathways' maps for 'both' (each position's share of the logit), and has only Slow without a Fast pathway", () => {
    expect(Array.from(mapAt(maps, 0, 'both', 0.3)!.data)).toEqual([1010, 1012, 1014, 1016]);
    expect(mapAt({ ...maps, fast: undefined, fastShape: undefined }, 0, 'fast', 0)).toBeUndefined();
    expect(Array.from(mapAt({ ...maps, fast: undefined, fastShape: undefined }, 0, 'both', 0)!.data)).toEqual([0, 1, 2, 3]);
  });
});

describe('heatmapPixels', () => {
  it('puts the hottest colour over the hottest cell and the coolest over the coolest, fainter', () => {
    const px = heatmapPixels({ data: Float32Array.of(0, 0, 0, 1), h: 2, w: 2 }, 4, 4, 0.8);
    const at = (x: number, y: number) => Array.from(px.slice((y * 4 + x) * 4, (y * 4 + x) * 4 + 4));
    expect(at(3, 3)).toEqual([255, 0, 0, Math.round(255 * 0.8)]);
    expect(at(0, 0)).toEqual([0, 0, 255, Math.round(255 * 0.8 * 0.25)]);
    // Between the cells, the bilinear blend: warmer towards the hot corner.
    expect(at(2, 2)[0]).toBeGreaterThan(at(1, 1)[0]);
  });
  it('colours a flat map uniformly (no division by zero)', () => {
    const px = heatmapPixels({ data: Float32Array.of(5, 5, 5, 5), h: 2, w: 2 }, 2, 2, 1);
    expect(new Set(Array.from({ length: 4 }, (_, i) => px.slice(i * 4, i * 4 + 4).join())).size).toBe(1);
  });
  it('runs blue, cyan, green, yellow, red', () => {
    expect([0, 0.25, 0.5, 0.75, 1].map(heatColour)).toEqual([[0, 0, 255], [0, 255, 255], [0, 255, 0], [255, 255, 0], [255, 0, 0]]);
  });
});

describe('cropRect', () => {
  it("is the centre square of the short side, in the frame's own pixels", () => {
    expect(cropRect(224, 224, 64)).toEqual({ x: 0, y: 0, w: 224, h: 224 });
    const wide = cropRect(400, 200, 100);
    expect(wide.h).toBe(200);
    expect(wide.w).toBe(200);
    expect(wide.x).toBe(100);
  });
});
