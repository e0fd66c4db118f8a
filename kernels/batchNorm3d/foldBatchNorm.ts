import type { BatchNormParams } from './batchNorm3d.ts';

/**
 * Folds an inference BatchNorm into the conv before it, once at load:
 * bn(conv(x, w) + b) = conv(x, w·k) + (b − mean)·k + beta, with k = gamma / sqrt(var + eps) per output
 * channel. Computed in f64 and rounded once, so the folded conv stays within f32 rounding of the unfolded one.
 */
export function foldBatchNorm(
  weight: ArrayLike<number>,
  outChannels: number,
  bn: BatchNormParams,
  bias?: ArrayLike<number>,
): { weight: Float32Array<ArrayBuffer>; bias: Float32Array<ArrayBuffer> } {
  if (bn.weight.length !== outChannels) {
    throw new Error(`foldBatchNorm: batch norm has ${bn.weight.length} channels, conv has ${outChannels} outputs`);
  }
  if (weight.length % outChannels !== 0) {
    throw new Error(`foldBatchNorm: ${weight.length} weights do not split into ${outChannels} output channels`);
  }
  const perChannel = weight.length / outChannels;
  const w = new Float32Array(weight.length);
  const b = new Float32Array(outChannels);
  for (let c = 0; c < outChannels; c++) {
    const k = bn.weight[c] / Math.sqrt(bn.runningVar[c] + bn.eps);
    for (let i = c * perChannel; i < (c + 1) * perChannel; i++) w[i] = weight[i] * k;
    b[c] = ((bias ? bias[c] : 0) - bn.runningMean[c]) * k + bn.bias[c];
  }
  return { weight: w, bias: b };
}
