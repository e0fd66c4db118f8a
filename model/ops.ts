// What a graph node computes: one op and its attributes, typed per op (each kernel module exports its
// member of the union). Nothing here depends on a device: how an op runs (tiles, subgroups, packed f16
// weights) is the executor's choice (kernelChoice.ts). Output shapes are inferred here, by the op's own
// shape function, so a misshapen graph fails while it is built.
import type { AddOp } from '../kernels/add/add.ts';
import { addShape } from '../kernels/add/add.ts';
import { avgPool3dShape, type AvgPool3dOp } from '../kernels/avgPool3d/avgPool3d.ts';
import { classMapShape, type ClassMapOp } from '../kernels/classMap/classMap.ts';
import { concatShape, type ConcatOp } from '../kernels/concat/concat.ts';
import { conv3dShape, type Conv3dOp } from '../kernels/conv3d/conv3d.ts';
import { frameGatherShape, type FrameGatherOp } from '../kernels/frameGather/frameGather.ts';
import { fmt, type Shape } from '../kernels/kernel.ts';
import { linearShape, type LinearOp } from '../kernels/linear/linear.ts';
import { maxPool3dShape, type MaxPool3dOp } from '../kernels/maxPool3d/maxPool3d.ts';
import { preprocessShape, type PreprocessOp } from '../kernels/preprocess/preprocess.ts';
import type { ReluOp } from '../kernels/relu/relu.ts';
import { sigmoidShape, type SigmoidOp } from '../kernels/sigmoid/sigmoid.ts';
import type { SoftmaxOp } from '../kernels/softmax/softmax.ts';
import { softmaxGradientShape, type SoftmaxGradientOp } from '../kernels/softmaxGradient/softmaxGradient.ts';
import { timeStridedSampleShape, type TimeStridedSampleOp } from '../kernels/timeStridedSample/timeStridedSample.ts';
import { timeToChannelShape, type TimeToChannelOp } from '../kernels/timeToChannel/timeToChannel.ts';

export type Op =
  | Conv3dOp | LinearOp | AddOp | ConcatOp | MaxPool3dOp | AvgPool3dOp | FrameGatherOp
  | TimeStridedSampleOp | TimeToChannelOp | SoftmaxOp | SigmoidOp | ReluOp | PreprocessOp | ClassMapOp
  | SoftmaxGradientOp;

export type OpName = Op['op'];

/** The member of the union for one op name. */
export type OpOf<K extends OpName> = Extract<Op, { op: K }>;

/** How many inputs a node of this op reads (conv3d: x, weight, affine, and the residual when it adds one). */
export function inputCount(op: Op): number {
  switch (op.op) {
    case 'conv3d': return op.attrs.residual ? 4 : 3;
    case 'linear': return 3;
    case 'classMap': case 'softmaxGradient': return 4;
    case 'add': case 'concat': case 'frameGather': return 2;
    default: return 1;
  }
}

/** The shape of the (whole) tensor a node of `op` writes, from its inputs' shapes. */
export function outputShape(op: Op, inputs: readonly Shape[]): Shape {
  const [x, y] = inputs;
  switch (op.op) {
    case 'conv3d': return conv3dShape(x, y, op.attrs);
    case 'linear': return linearShape(x, y);
    case 'add': return addShape(x, y);
    case 'concat': return concatShape(x, y);
    case 'maxPool3d': return maxPool3dShape(x, op.attrs);
    case 'avgPool3d': return avgPool3dShape(x, op.attrs);
    case 'frameGather': {
      if (y.length !== 1) throw new Error(`frameGather: indices must be a vector, got ${fmt(y)}`);
      // The indices are data (per clip, for a ring); only their count shapes the output.
      return frameGatherShape(x, new Array<number>(y[0]).fill(0));
    }
    case 'timeStridedSample': return timeStridedSampleShape(x, op.attrs.alpha);
    case 'timeToChannel': return timeToChannelShape(x, op.attrs.alpha);
    case 'softmax': case 'sigmoid': case 'relu': return sigmoidShape(x);
    case 'preprocess': return preprocessShape(op.attrs);
    case 'classMap': return classMapShape(x, y, inputs[2], inputs[3], op.attrs);
    case 'softmaxGradient': return softmaxGradientShape(x, y, inputs[2], inputs[3]);
  }
}
