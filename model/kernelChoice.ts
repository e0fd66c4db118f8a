// How each op of a graph runs on one device: the executor asks here for a node's kernel. The graph says what
// is computed (ops.ts); this file is the one place that knows the device's features, the tile policy, tuned
// tiles, packed f16 weights and the precision (which tensors are stored as f16), and turns an op into a
// KernelDescriptor.
import { add } from '../kernels/add/add.ts';
import { avgPool3d } from '../kernels/avgPool3d/avgPool3d.ts';
import { classMap } from '../kernels/classMap/classMap.ts';
import { concat } from '../kernels/concat/concat.ts';
import { convSignature, type TileTable } from '../kernels/conv3d/autotune.ts';
import { conv3d, tilePolicyFor, type TilePolicy } from '../kernels/conv3d/conv3d.ts';
import { hasF16, hasSubgroups, isSoftwareAdapter } from '../kernels/device.ts';
import { frameGather } from '../kernels/frameGather/frameGather.ts';
import type { Dtype, ElementTypes, KernelDescriptor, Shape } from '../kernels/kernel.ts';
import { linear } from '../kernels/linear/linear.ts';
import { maxPool3d } from '../kernels/maxPool3d/maxPool3d.ts';
import { preprocess } from '../kernels/preprocess/preprocess.ts';
import { relu } from '../kernels/relu/relu.ts';
import { sigmoid } from '../kernels/sigmoid/sigmoid.ts';
import { softmax } from '../kernels/softmax/softmax.ts';
import { softmaxGradient } from '../kernels/softmaxGradient/softmaxGradient.ts';
import { timeStridedSample } from '../kernels/timeStridedSample/timeStridedSample.ts';
import { timeToChannel } from '../kernels/timeToChannel/timeToChannel.ts';
import type { Graph, TensorId } from './graph.ts';
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
  /**
   * 'f16': the backbone's weights and activations stored as f16 and multiplied in f16, summed in f32; the global
   * pool writes f32 and the head, its softmax or sigmoid and the class maps run in f32 (the device must have
   * `shader-f16`). 'auto': f16 where the device has it. Default 'f32'.
   */
  precision?: Precision;
}

export type Precision = 'auto' | 'f32' | 'f16';

export type KernelChoices = Required<Omit<KernelOptions, 'tiles' | 'precision'>> & Pick<KernelOptions, 'tiles'> & { precision: Dtype };

/** f16 asked of a device without `shader-f16`. */
export class PrecisionError extends Error {
  override readonly name = 'PrecisionError';
}

/** What `precision` is on `device`: 'auto' is f16 where it has `shader-f16`; an explicit f16 without it is refused. */
export function resolvePrecision(device: GPUDevice, precision: Precision = 'f32'): Dtype {
  if (precision === 'auto') return hasF16(device) ? 'f16' : 'f32';
  if (precision === 'f16' && !hasF16(device)) {
    throw new PrecisionError('f16 precision needs a GPU with shader-f16, which this one does not have: choose auto or f32');
  }
  return precision;
}

/** The choices for `device`, with the caller's overrides. */
export function kernelChoices(device: GPUDevice, options: KernelOptions = {}): KernelChoices {
  return {
    tilePolicy: options.tilePolicy ?? tilePolicyFor(isSoftwareAdapter(device.adapterInfo)),
    subgroups: options.subgroups ?? hasSubgroups(device),
    weightFormat: options.weightFormat ?? 'f32',
    tiles: options.tiles,
    precision: resolvePrecision(device, options.precision),
  };
}

/** Ops whose output is stored in the plan's precision: the backbone's. The global pool and the head write f32. */
const BACKBONE_OPS: ReadonlySet<Op['op']> = new Set(['conv3d', 'add', 'concat', 'maxPool3d', 'relu', 'timeStridedSample', 'timeToChannel', 'frameGather']);

/** Ops that read f16 activations where the plan stores them so (the backbone's, the global pool, the class maps). */
const READS_F16: ReadonlySet<Op['op']> = new Set([...BACKBONE_OPS, 'avgPool3d', 'classMap']);

/**
 * How each tensor of `graph` is stored under the plan's precision: in f16, every backbone activation, the convs'
 * weights and the clips uploaded (converted as they are written); the other weights and everything from the global
 * pool on in f32. Inputs bound to buffers of their own (`external`: a frame ring) are as those buffers store them.
 */
export function tensorDtypes(graph: Graph, choices: Pick<KernelChoices, 'precision'>, external: Readonly<Record<string, Dtype>> = {}): Map<TensorId, Dtype> {
  const dtypes = new Map<TensorId, Dtype>(graph.tensors.map((t) => [t.id, t.kind === 'input' ? (external[t.name] ?? 'f32') : 'f32']));
  for (const t of graph.tensors) {
    if (t.kind === 'input' && dtypes.get(t.id) === 'f16' && graph.nodes.some((n) => n.inputs.includes(t.id) && !(n.inputs.indexOf(t.id) === 0 && READS_F16.has(n.op.op)))) {
      throw new Error(`${graph.describe(t.id)} is f16 but not only read by kernels that read f16 clips`);
    }
  }
  if (choices.precision !== 'f16') return dtypes;
  for (const t of graph.tensors) {
    const readers = graph.nodes.filter((n) => n.inputs.includes(t.id));
    const asClip = readers.length > 0 && readers.every((n) => n.inputs.indexOf(t.id) === 0 && n.inputs.lastIndexOf(t.id) === 0 && READS_F16.has(n.op.op));
    if (t.kind === 'input' && !(t.name in external) && asClip) dtypes.set(t.id, 'f16');
  }
  // The activations a kernel reads in its `In` type: x (and a conv's residual), or both operands of a sum or concat.
  const activationsOf = (node: Graph['nodes'][number]) =>
    (node.op.op === 'add' || node.op.op === 'concat' ? [0, 1] : node.op.op === 'conv3d' ? [0, 3] : [0]).filter((i) => i < node.inputs.length).map((i) => node.inputs[i]);
  for (const node of graph.nodes) {
    // A backbone op writes f16 unless it works on what the head has made f32 (the pooled features' concat).
    const fromHead = activationsOf(node).some((t) => graph.tensors[t].kind === 'activation' && dtypes.get(t) === 'f32');
    if (BACKBONE_OPS.has(node.op.op) && !fromHead) for (const t of node.outputs) dtypes.set(t, 'f16');
    if (node.op.op === 'conv3d') dtypes.set(node.inputs[1], 'f16');
  }
  for (const node of graph.nodes) {
    const reads = activationsOf(node).map((t) => dtypes.get(t));
    if (reads.includes('f16') && !READS_F16.has(node.op.op)) throw new Error(`internal: ${node.name} (${node.op.op}) would read f16 activations`);
    if (new Set(reads).size > 1) throw new Error(`internal: ${node.name} reads activations of two precisions`);
  }
  return dtypes;
}

/** The element types a node's kernel reads and writes its activations in (its first input's, and its output's). */
export function elementsOf(node: Graph['nodes'][number], dtypes: ReadonlyMap<TensorId, Dtype>): ElementTypes {
  return { in: dtypes.get(node.inputs[0]) ?? 'f32', out: dtypes.get(node.outputs[0]) ?? 'f32' };
}

/**
 * The inputs of a node whose data the kernel reads as f16 (packF16's bytes): the weights of convs and the head as
 * packed pairs (weightFormat), or the convs' weights as f16 (precision).
 */
export function packedInputs(op: Op, choices: Pick<KernelChoices, 'weightFormat' | 'precision'>): number[] {
  if (op.op === 'conv3d' && choices.precision === 'f16') return [1];
  return choices.weightFormat === 'f16' && (op.op === 'conv3d' || op.op === 'linear' || op.op === 'classMap') ? [1] : [];
}

/** The kernel that computes `op` on inputs of these shapes, as this device runs it best. */
export function kernelFor(op: Op, inputs: readonly Shape[], choices: KernelChoices, elements: ElementTypes = {}): KernelDescriptor {
  const [x, y] = inputs;
  switch (op.op) {
    case 'conv3d': {
      const { kernel, stride = [1, 1, 1], padding = [0, 0, 0], dilation = [1, 1, 1] } = op.attrs;
      const tile = choices.tiles?.[convSignature({ x, w: y, attrs: { kernel, stride, padding, dilation }, precision: choices.precision })];
      return conv3d(x, y, { ...op.attrs, weightFormat: choices.weightFormat, precision: choices.precision, elements, tilePolicy: choices.tilePolicy, subgroups: choices.subgroups, tile });
    }
    case 'linear': return linear(x, y, { weightFormat: choices.weightFormat });
    case 'add': return add(x, y, { relu: op.attrs.relu }, elements);
    case 'concat': return concat(x, y, elements);
    case 'maxPool3d': return maxPool3d(x, op.attrs, elements);
    case 'avgPool3d': return avgPool3d(x, op.attrs, elements);
    // Which frames is data (an input); the kernel needs only how many.
    case 'frameGather': return frameGather(x, new Array<number>(y[0]).fill(0), elements);
    case 'timeStridedSample': return timeStridedSample(x, op.attrs.alpha, elements);
    case 'timeToChannel': return timeToChannel(x, op.attrs.alpha, op.attrs.order, elements);
    case 'softmax': return softmax(x, { subgroups: choices.subgroups });
    case 'sigmoid': return sigmoid(x);
    case 'relu': return relu(x, elements);
    case 'preprocess': return preprocess(op.attrs);
    case 'classMap': return classMap(x, y, inputs[2], inputs[3], op.attrs, { weightFormat: choices.weightFormat, features: elements.in });
    case 'softmaxGradient': return softmaxGradient(x, y, inputs[2], inputs[3], op.attrs);
  }
}
