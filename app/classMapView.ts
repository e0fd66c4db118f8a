// Where the model looks, drawn over the video: one class's activation map at a moment of its clip, upsampled
// to the crop the network saw and coloured as a heatmap. Plain functions (the overlay component draws what
// they return), so the drawing is tested without a browser.
import type { ClassMaps } from '../model/classifier.ts';
import { preprocessGeometry } from '../kernels/preprocess/preprocess.ts';

export type MapPathway = 'slow' | 'fast' | 'both';

export interface MapPlane {
  /** (h, w), row-major. */
  data: Float32Array;
  h: number;
  w: number;
}

/**
 * The map of the `slot`-th mapped class at `phase` (0 at the clip's start, 1 at its end): the Slow map's time
 * step and the Fast map's that cover that moment, or (both) their sum — each position's share of the logit
 * then, as the logit is the two maps' means plus the bias.
 */
export function mapAt(maps: ClassMaps, slot: number, pathway: MapPathway, phase: number): MapPlane | undefined {
  const take = (data: Float32Array | undefined, shape: readonly number[] | undefined) => {
    if (!data || !shape) return undefined;
    const [t, h, w] = shape;
    const step = Math.min(t - 1, Math.max(0, Math.floor(phase * t)));
    const plane = h * w;
    const offset = (slot * t + step) * plane;
    return { data: data.slice(offset, offset + plane), h, w };
  };
  const slow = pathway !== 'fast' ? take(maps.slow, maps.slowShape) : undefined;
  const fast = pathway !== 'slow' ? take(maps.fast, maps.fastShape) : undefined;
  if (slow && fast) return { ...slow, data: slow.data.map((v, i) => v + fast.data[i]) };
  return slow ?? fast;
}

/** Where in the frame (source pixels) the network's square crop lies: short side scaled to `size`, the centre crop. */
export function cropRect(width: number, height: number, size: number): { x: number; y: number; w: number; h: number } {
  const g = preprocessGeometry(width, height, size, 1);
  const sx = width / g.resizedW;
  const sy = height / g.resizedH;
  return { x: g.cropX * sx, y: g.cropY * sy, w: size * sx, h: size * sy };
}

/** A blue → cyan → green → yellow → red ramp, v in [0, 1]. */
export function heatColour(v: number): [number, number, number] {
  const stops: [number, number, number][] = [[0, 0, 255], [0, 255, 255], [0, 255, 0], [255, 255, 0], [255, 0, 0]];
  const x = Math.min(1, Math.max(0, v)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  return [0, 1, 2].map((c) => Math.round(stops[i][c] + f * (stops[i + 1][c] - stops[i][c]))) as [number, number, number];
}

/**
 * RGBA pixels (outW × outH) of `plane` upsampled bilinearly (pixel centres, as torch's align_corners=False),
 * normalised to its own range, coloured, with alpha `opacity` — fainter (a quarter) where it is coolest.
 */
export function heatmapPixels(plane: MapPlane, outW: number, outH: number, opacity: number): Uint8ClampedArray<ArrayBuffer> {
  const { data, h, w } = plane;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo || 1;
  const out = new Uint8ClampedArray(outW * outH * 4);
  const sample = (y: number, x: number) => data[y * w + x];
  for (let py = 0; py < outH; py++) {
    const fy = Math.min(h - 1, Math.max(0, ((py + 0.5) * h) / outH - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(h - 1, y0 + 1);
    const dy = fy - y0;
    for (let px = 0; px < outW; px++) {
      const fx = Math.min(w - 1, Math.max(0, ((px + 0.5) * w) / outW - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(w - 1, x0 + 1);
      const dx = fx - x0;
      const v = (1 - dy) * ((1 - dx) * sample(y0, x0) + dx * sample(y0, x1)) + dy * ((1 - dx) * sample(y1, x0) + dx * sample(y1, x1));
      const n = (v - lo) / span;
      const [r, g, b] = heatColour(n);
      const o = (py * outW + px) * 4;
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      out[o + 3] = Math.round(255 * opacity * (0.25 + 0.75 * n));
    }
  }
  return out;
}
