import source from './preprocess.wgsl?raw';
import { cacheKeyOf, elementwiseDescriptor, shapeError, type Dtype, type KernelDescriptor, type Shape } from '../kernel.ts';

const UNIFORMS = {
  srcW: 'u32', srcH: 'u32', outW: 'u32', outH: 'u32', cropX: 'u32', cropY: 'u32', scaleX: 'f32', scaleY: 'f32',
  clip: 'u32', frames: 'u32', t: 'u32', mirror: 'u32', quarterTurns: 'u32', flip: 'u32',
  meanR: 'f32', meanG: 'f32', meanB: 'f32', stdR: 'f32', stdG: 'f32', stdB: 'f32',
} as const;

/** pytorchvideo's Kinetics normalisation for SlowFast. */
export const KINETICS_MEAN = [0.45, 0.45, 0.45] as const;
export const KINETICS_STD = [0.225, 0.225, 0.225] as const;

/** Which crop along the long side: 0 start, 1 centre, 2 end (pytorchvideo's uniform_crop spatial_idx). */
export type CropPosition = 0 | 1 | 2;

/**
 * How a stored frame is shown: turned clockwise by `rotation` degrees, then flipped left to right (WebCodecs'
 * VideoFrame rotation and flip, and what mediabunny reads from an MP4's display matrix, in that order). Phones
 * store portrait video as landscape frames with a rotation of 90 or 270.
 */
export interface Orientation {
  rotation: 0 | 90 | 180 | 270;
  flip: boolean;
}

export const UPRIGHT: Orientation = { rotation: 0, flip: false };

export function isUpright(o: Orientation): boolean {
  return o.rotation === 0 && !o.flip;
}

/** The size of a width × height stored frame once shown with orientation `o`. */
export function orientedSize(width: number, height: number, o: Orientation): { width: number; height: number } {
  return o.rotation % 180 === 0 ? { width, height } : { width: height, height: width };
}

/** Where stored pixel (x, y) of a width × height frame lands in the picture shown with orientation `o`. */
export function orientedPixel(x: number, y: number, width: number, height: number, o: Orientation): [number, number] {
  const [u, v] = o.rotation === 90 ? [height - 1 - y, x] : o.rotation === 180 ? [width - 1 - x, height - 1 - y] : o.rotation === 270 ? [y, width - 1 - x] : [x, y];
  return o.flip ? [orientedSize(width, height, o).width - 1 - u, v] : [u, v];
}

const ROTATIONS: Orientation['rotation'][] = [0, 90, 180, 270];
const ORIENTATIONS: Orientation[] = ROTATIONS.flatMap((rotation) => [false, true].map((flip) => ({ rotation, flip })));

/** `first`, then `then`: the one orientation that shows a frame as showing it with `first` and the result with `then` does. */
export function composeOrientations(first: Orientation, then: Orientation): Orientation {
  // Orientations are the symmetries of a rectangle: two pixels of a 3 × 2 frame tell them apart.
  const probe = (o: Orientation, x: number, y: number) => orientedPixel(x, y, 3, 2, o);
  const both = (x: number, y: number) => {
    const [u, v] = probe(first, x, y);
    const size = orientedSize(3, 2, first);
    return orientedPixel(u, v, size.width, size.height, then);
  };
  const same = (o: Orientation) => [[0, 0], [1, 0]].every(([x, y]) => probe(o, x, y).join() === both(x, y).join());
  return ORIENTATIONS.find(same)!;
}

export interface PreprocessAttrs {
  /** The stored frame's size in pixels (the texture's). */
  width: number;
  height: number;
  /** How the stored frame is shown; the transform is applied to the picture shown (default upright). */
  orientation?: Orientation;
  /** The short side is resized to this, then a size × size square is cropped. */
  size: number;
  crop?: CropPosition;
  /** Where to write: clip n, frame t of an (N, 3, T, size, size) tensor. */
  clip: number;
  frames: number;
  t: number;
  clips?: number;
  mean?: readonly number[];
  std?: readonly number[];
  /** Flip the crop left to right (pytorchvideo's RandomHorizontalFlip applied). */
  mirror?: boolean;
  /** Read the frame as a `texture_external` (GPUDevice.importExternalTexture) instead of a 2-D texture. */
  external?: boolean;
  /** How the clip tensor stores its values (default f32; f16 needs `shader-f16`): a network run in f16 reads f16 clips. */
  dtype?: Dtype;
}

/** A video frame (RGBA texture) resized, cropped and normalised into frame t of clip n. */
export interface PreprocessOp {
  op: 'preprocess';
  attrs: PreprocessAttrs;
}

export interface PreprocessGeometry {
  resizedW: number;
  resizedH: number;
  cropX: number;
  cropY: number;
}

/**
 * pytorchvideo short_side_scale: the short side becomes `size`, the long side floor(long / short · size);
 * then the crop along the long side at offset 0, round((long − size) / 2) (torchvision's CenterCropVideo,
 * Python's round half to even, as the golden inputs were made) or long − size.
 */
export function preprocessGeometry(width: number, height: number, size: number, crop: CropPosition = 1): PreprocessGeometry {
  if (![width, height, size].every((v) => Number.isInteger(v) && v >= 1)) {
    shapeError('preprocess', `bad frame ${width}×${height} or size ${size}`);
  }
  const resizedW = width < height ? size : Math.floor((width / height) * size);
  const resizedH = width < height ? Math.floor((height / width) * size) : size;
  const offset = (extent: number) => (crop === 0 ? 0 : crop === 1 ? roundHalfEven((extent - size) / 2) : extent - size);
  return { resizedW, resizedH, cropX: offset(resizedW), cropY: offset(resizedH) };
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function preprocessShape(a: PreprocessAttrs): Shape {
  return [a.clips ?? a.clip + 1, 3, a.frames, a.size, a.size];
}

/** Input: an RGBA texture of the frame (or an external texture). Output: the clip tensor, written at (clip, :, t). */
export function preprocess(a: PreprocessAttrs): KernelDescriptor {
  if (a.t < 0 || a.t >= a.frames || a.clip < 0) shapeError('preprocess', `frame ${a.t} of ${a.frames}, clip ${a.clip} is out of range`);
  const orientation = a.orientation ?? UPRIGHT;
  const { width, height } = orientedSize(a.width, a.height, orientation);
  const g = preprocessGeometry(width, height, a.size, a.crop);
  const [mr, mg, mb] = a.mean ?? KINETICS_MEAN;
  const [sr, sg, sb] = a.std ?? KINETICS_STD;
  const desc = { ...elementwiseDescriptor('preprocess', source, UNIFORMS, {
    srcW: width, srcH: height, outW: a.size, outH: a.size, cropX: g.cropX, cropY: g.cropY,
    // PyTorch's scale when given an output size: input / output.
    scaleX: width / g.resizedW, scaleY: height / g.resizedH,
    clip: a.clip, frames: a.frames, t: a.t, mirror: a.mirror ? 1 : 0,
    quarterTurns: orientation.rotation / 90, flip: orientation.flip ? 1 : 0,
    meanR: mr, meanG: mg, meanB: mb, stdR: sr, stdG: sg, stdB: sb,
  }, a.size * a.size, { inputs: 1, outputs: 1 }, { EXTERNAL: !!a.external }, { out: a.dtype ?? 'f32' }) };
  if (!a.external) return desc;
  const entryPoint = 'mainExternal';
  return { ...desc, entryPoint, inputBindings: [3], cacheKey: cacheKeyOf('preprocess', entryPoint, desc.source) };
}
