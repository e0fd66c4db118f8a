// Every conv layer of a golden fixture, with the input shape it sees, derived from the state-dict names
// and weight shapes in its manifest.json and pytorchvideo's create_slowfast rules: padding k//2 everywhere
// but the lateral's spatial dims; spatial stride 2 in the stem and in the first block of res3–res5
// (conv_b and branch1); the lateral conv strides time by α.
import type { Shape } from '../kernel.ts';
import type { Conv3dAttrs } from './conv3d.ts';

export interface GoldenConv {
  key: string;
  input: Shape;
  weight: Shape;
  attrs: Conv3dAttrs;
}

interface Manifest {
  alpha: number;
  input_size: number;
  slow_frames: number;
  fast_frames: number;
  state_dict: { key: string; shape: number[] }[];
}

export function goldenConvLayers(m: Manifest): GoldenConv[] {
  const layers: GoldenConv[] = [];
  // Spatial size at the input of each stage: the stem halves it (conv) and halves it again (pool).
  const stageInput = [m.input_size, m.input_size / 4, m.input_size / 4, m.input_size / 8, m.input_size / 16];
  const frames = [m.slow_frames, m.fast_frames];
  for (const { key, shape } of m.state_dict) {
    if (!key.endsWith('.weight') || shape.length !== 5) continue;
    const [, cin, kT, kH, kW] = shape;
    const kernel = [kT, kH, kW] as const;
    const stage = Number(key.split('.')[1]);
    const fusion = key.match(/^blocks\.(\d)\.multipathway_fusion\.conv_fast_to_slow/);
    if (fusion) {
      // The lateral reads the fast output of this stage, at the stage's output size.
      const hw = stageInput[stage + 1];
      layers.push({
        key, weight: shape, input: [1, cin, m.fast_frames, hw, hw],
        attrs: { kernel, stride: [m.alpha, 1, 1], padding: [Math.floor(kT / 2), 0, 0] },
      });
      continue;
    }
    const path = Number(key.match(/multipathway_blocks\.(\d)/)![1]);
    const T = frames[path];
    const pad = [Math.floor(kT / 2), Math.floor(kH / 2), Math.floor(kW / 2)] as const;
    if (stage === 0) {
      layers.push({ key, weight: shape, input: [1, cin, T, m.input_size, m.input_size], attrs: { kernel, stride: [1, 2, 2], padding: pad } });
      continue;
    }
    const block = Number(key.match(/res_blocks\.(\d+)/)![1]);
    const downsample = stage >= 2 && block === 0;
    const hwIn = stageInput[stage];
    const hwOut = downsample ? hwIn / 2 : hwIn;
    const strided = downsample && (key.includes('conv_b') || key.includes('branch1'));
    // conv_c (and conv_b after the stride) see the stage's output size.
    const hw = key.includes('conv_c') ? hwOut : hwIn;
    layers.push({
      key, weight: shape, input: [1, cin, T, hw, hw],
      attrs: { kernel, stride: strided ? [1, 2, 2] : [1, 1, 1], padding: pad },
    });
  }
  return layers;
}

/** One representative of each distinct (input, weight, stride, padding). */
export function distinctLayers(layers: GoldenConv[]): GoldenConv[] {
  const seen = new Map<string, GoldenConv>();
  for (const l of layers) {
    const id = JSON.stringify([l.input, l.weight, l.attrs.stride, l.attrs.padding]);
    if (!seen.has(id)) seen.set(id, l);
  }
  return [...seen.values()];
}
