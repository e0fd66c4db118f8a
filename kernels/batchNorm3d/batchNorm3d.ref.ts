import type { Shape } from '../kernel.ts';
import type { BatchNormParams } from './batchNorm3d.ts';

// torch.nn.functional.batch_norm(x, running_mean, running_var, weight, bias, training=False, eps=eps)
export function batchNorm3dRef(x: Float32Array, shape: Shape, bn: BatchNormParams, relu = false): Float32Array {
  const [, C, T, H, W] = shape;
  const S = T * H * W;
  return x.map((v, i) => {
    const c = Math.floor(i / S) % C;
    const r = ((v - bn.runningMean[c]) / Math.sqrt(bn.runningVar[c] + bn.eps)) * bn.weight[c] + bn.bias[c];
    return relu ? Math.max(r, 0) : r;
  });
}
