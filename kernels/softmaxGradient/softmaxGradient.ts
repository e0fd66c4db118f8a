import source from './softmaxGradient.wgsl?raw';
import { elementwiseDescriptor, fmt, shapeError, type KernelDescriptor, type Shape } from '../kernel.ts';

const UNIFORMS = { count: 'u32', examples: 'u32', features: 'u32', classes: 'u32', decay: 'f32' } as const;

/**
 * The gradient of a softmax classifier's loss — mean cross-entropy over a batch plus decay/2·|W|² — with
 * respect to its weight and bias. Inputs: x (N, D), probabilities (N, K), labels (N, u32), weight (K, D).
 */
export interface SoftmaxGradientOp {
  op: 'softmaxGradient';
  attrs: { decay: number };
}

/** (K, D + 1): each class's weight gradient, then its bias gradient. */
export function softmaxGradientShape(x: Shape, probabilities: Shape, labels: Shape, weight: Shape): Shape {
  const [n, d] = x;
  const [k] = weight;
  if (x.length !== 2 || weight.length !== 2 || weight[1] !== d) shapeError('softmaxGradient', `features ${fmt(x)} and weight ${fmt(weight)} disagree`);
  if (probabilities.length !== 2 || probabilities[0] !== n || probabilities[1] !== k) shapeError('softmaxGradient', `probabilities ${fmt(probabilities)} are not (${n}, ${k})`);
  if (labels.length !== 1 || labels[0] !== n) shapeError('softmaxGradient', `labels ${fmt(labels)} are not (${n})`);
  if (n < 1) shapeError('softmaxGradient', 'the batch is empty');
  return [k, d + 1];
}

/** Inputs: x, probabilities, labels, weight. Output: the gradient (K, D + 1). */
export function softmaxGradient(x: Shape, probabilities: Shape, labels: Shape, weight: Shape, { decay }: SoftmaxGradientOp['attrs']): KernelDescriptor {
  const [classes, row] = softmaxGradientShape(x, probabilities, labels, weight);
  const count = classes * row;
  return elementwiseDescriptor('softmaxGradient', source, UNIFORMS, { count, examples: x[0], features: x[1], classes, decay }, count, { inputs: 4, outputs: 1 });
}
