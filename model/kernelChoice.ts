// How each op of a graph runs on one device: the executor asks here for a node's kernel. The graph says what
// is computed (ops.ts); this file is the one place that knows the device's features, the tile policy, tuned
// tiles and packed f16 weights, and turns an op into a KernelDescriptor.
import { add } from '../kernels/add/add.ts';
import { avgPool3d } from '../kernels/avgPool3d/avgPool3d.ts';
import { classMap } from '../kernels/classMap/classMap.ts';
import { concat } from '../kernels/concat/concat.ts';
import { convSignature, type TileTable } from '../kernels/conv3d/autotune.ts';
import { conv3d, tilePolicyFor, type TilePolicy } from '../kernels/conv3d/conv3d.ts';
import { hasSubgroups, isSoftwareAdapter } from '../kernels/device.ts';
import { frameGather } from '../kernels/frameGather/frameGather.ts';
import type { KernelDescriptor, Shape } from '../kernels/kernel.ts';
import { linear } from '../kernels/linear/linear.ts';
import { maxPool3d } from '../kernels/maxPool3d/maxPool3d.ts';
import { preprocess } from '../kernels/preprocess/preprocess.ts';
import { relu } from '../kernels/relu/relu.ts';
import { sigmoid } from '../kernels/sigmoid/sigmoid.ts';
import { softmax } from '../kernels/softmax/softmax.ts';
import { softmaxGradient } from '../kernels/softmaxGradient/softmaxGradient.ts';
import { timeStridedSample } from '../kernels/timeStridedSample/timeStridedSample.ts';
import { timeToChannel } from '../kernels/timeToChannel/timeToChannel.ts';
import type { Op } from './ops.ts';

/** What the caller may decide about how the graph runs; anything left out follows the device. */
export interface KernelOptions {
  /** How conv tiles are chosen where none was tuned (default: by adapter, tilePolicyFor). */
  tilePolicy?: TilePolicy;
  /** Tiles measured fastest on this adapter, by layer shape (model/autotune.ts). */
  tiles?: TileTable;
  /** Use subgroup operations (default: where the device has them, hasSubgroups). */
  subgroups?: boolean;
  /** Store conv and linear weights as packed f16 (half the memory and bandwidth; f32 arithmetic). */
  weightFormat?: 'f32' | 'f16';
}

export type KernelChoices = Required<Omit<KernelOptions, 'tiles'>> & Pick<KernelOptions, 'tiles'>;

/** The choices for `device`, with the caller's overrides. */
export function kernelChoices(device: GPUDevice, options: KernelOptions = {}): KernelChoices {
  return {
    tilePolicy: options.tilePolicy ?? tilePolicyFor(isSoftwareAdapter(device.adapterInfo)),
    subgroups: options.subgroups ?? hasSubgroups(device),
    weightFormat: options.weightFormat ?? 'f32',
    tiles: options.tiles,
  };
}

/** The inputs of a node whose data the kernel reads as packed f16 (the weights of convs and the head). */
export function packedInputs(op: Op, choices: Pick<KernelChoices, 'weightFormat'>): number[] {
  return choices.weightFormat === 'f16' && (op.op === 'conv3d' || op.op === 'linear' || op.op === 'classMap') ? [1] : [];
}

/** The kernel that computes `op` on inputs of these shapes, as this device runs it best. */
export function kernelFor(op: Op, inputs: readonly Shape[], choices: KernelChoices): KernelDescriptor {
  const [x, y] = inputs;
  switch (op.op) {
    case 'conv3d': {
      const { kernel, stride = [1, 1, 1], padding = [0, 0, 0], dilation = [1, 1, 1] } = op.attrs;
      const tile = choices.tiles?.[convSignature({ x, w: y, attrs: { kernel, stride, padding, dilation } })];
      return conv3d(x, y, { ...op.attrs, weightFormat: choices.weightFormat, tilePolicy: choices.tilePolicy, subgroups: choices.subgroups, tile });
    }
    case 'linear': return linear(x, y, { weightFormat: choices.weightFormat });
    case 'add': return add(x, y, { relu: op.attrs.relu });
    case 'concat': return concat(x, y);
    case 'maxPool3d': return maxPool3d(x, op.attrs);
    case 'avgPool3d': return avgPool3d(x, op.attrs);
    // Which frames is data (an input); the kernel needs only how many.
    case 'frameGather': return frameGather(x, new Array<number>(y[0]).fill(0));
    case 'timeStridedSample': return timeStridedSample(x, op.attrs.alpha);
    case 'timeToChannel': return timeToChannel(x, op.attrs.alpha, op.attrs.order);
    case 'softmax': return softmax(x, { subgroups: choices.subgroups });
    case 'sigmoid': return sigmoid(x);
    case 'relu': return relu(x);
    case 'preprocess': return preprocess(op.attrs);
    case 'classMap': return classMap(x, y, inputs[2], inputs[3], op.attrs, { weightFormat: choices.weightFormat });
    case 'softmaxGradient': return softmaxGradient(x, y, inputs[2], inputs[3], op.attrs);
  }
}
