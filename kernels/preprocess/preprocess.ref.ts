import { isUpright, KINETICS_MEAN, KINETICS_STD, orientedPixel, orientedSize, preprocessGeometry, UPRIGHT, type CropPosition, type Orientation } from './preprocess.ts';

/** A stored RGBA frame as shown with orientation `o`: every pixel moved to where the turn and flip put it. */
export function orientRgba(rgba: Uint8Array, width: number, height: number, o: Orientation): { rgba: Uint8Array; width: number; height: number } {
  if (isUpright(o)) return { rgba, width, height };
  const size = orientedSize(width, height, o);
  const out = new Uint8Array(rgba.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const [u, v] = orientedPixel(x, y, width, height, o);
      out.set(rgba.subarray((y * width + x) * 4, (y * width + x) * 4 + 4), (v * size.width + u) * 4);
    }
  return { rgba: out, ...size };
}

// pytorchvideo's eval transform on one RGBA frame: x/255 → short_side_scale (F.interpolate bilinear,
// align_corners=False) → uniform_crop → (x − mean)/std. Returns (3, size, size). Source coordinates are
// rounded to f32 at each step, as PyTorch's CPU kernel computes them in float. `mirror`: then a horizontal
// flip (torch.flip along width). `orientation`: the frame is first shown as it says (turned, flipped).
export function preprocessRef(stored: Uint8Array, storedWidth: number, storedHeight: number, size: number, crop: CropPosition = 1, mirror = false, orientation: Orientation = UPRIGHT): Float32Array {
  const { rgba, width, height } = orientRgba(stored, storedWidth, storedHeight, orientation);
  const g = preprocessGeometry(width, height, size, crop);
  const f = Math.fround;
  const axis = (dst: number, scale: number, n: number) => {
    const src = Math.max(f(f(f(dst + 0.5) * f(scale)) - 0.5), 0);
    const i0 = Math.min(Math.floor(src), n - 1);
    return { i0, i1: Math.min(i0 + 1, n - 1), l: f(src - i0) };
  };
  const out = new Float32Array(3 * size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const ax = axis(x + g.cropX, width / g.resizedW, width);
      const ay = axis(y + g.cropY, height / g.resizedH, height);
      for (let c = 0; c < 3; c++) {
        const px = (xx: number, yy: number) => rgba[(yy * width + xx) * 4 + c] / 255;
        const top = (1 - ax.l) * px(ax.i0, ay.i0) + ax.l * px(ax.i1, ay.i0);
        const bottom = (1 - ax.l) * px(ax.i0, ay.i1) + ax.l * px(ax.i1, ay.i1);
        out[(c * size + y) * size + (mirror ? size - 1 - x : x)] = ((1 - ay.l) * top + ay.l * bottom - KINETICS_MEAN[c]) / KINETICS_STD[c];
      }
    }
  return out;
}
