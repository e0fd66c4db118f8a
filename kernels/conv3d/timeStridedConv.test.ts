// The paper's time-strided convolution lateral is conv3d with a (5 or 7)×1×1 kernel and stride (α,1,1);
// pytorchvideo's FuseFastToSlow follows it with BN, ReLU and a concatenation onto the slow feature.
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../device.ts';
import { closeness } from '../compare.ts';
import { runKernel } from '../runKernel.ts';
import { sharedF32 } from '../fixtures.ts';
import { foldBatchNorm } from '../batchNorm3d/foldBatchNorm.ts';
import { batchNorm3d, batchNormStats } from '../batchNorm3d/batchNorm3d.ts';
import { conv3d, conv3dAffine } from './conv3d.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

const LV = 'golden/lateral_variants';

describe('time-strided convolution lateral (golden lateral_variants)', () => {
  for (const k of [5, 7]) {
    it(`tconv${k}: conv, BN, ReLU and concat match pytorchvideo`, async () => {
      const x = await sharedF32(`${LV}/input_x_fast.bin`);
      const ySlow = await sharedF32(`${LV}/input_y_slow.bin`);
      const param = (name: string) => sharedF32(`${LV}/params/tconv${k}.${name}.bin`);
      const w = await param('conv_fast_to_slow.weight');
      const bn = {
        weight: await param('norm.weight'), bias: await param('norm.bias'),
        runningMean: await param('norm.running_mean'), runningVar: await param('norm.running_var'), eps: 1e-5,
      };
      const xs = [1, 4, 8, 3, 3];
      const ws = [8, 4, k, 1, 1];
      const attrs = { kernel: [k, 1, 1], stride: [4, 1, 1], padding: [Math.floor(k / 2), 0, 0] } as const;
      const expectClose = async (ours: Float32Array, file: string) => {
        const c = closeness(ours, await sharedF32(`${LV}/${file}`), 1e-4, 1e-5);
        expect(c.ok, `${file}: ${c.summary}`).toBe(true);
      };

      const [conv] = await runKernel(device, conv3d(xs, ws, attrs), [x, w, conv3dAffine(8)], [144]);
      await expectClose(conv, `tconv${k}_conv.bin`);
      const [bnOut] = await runKernel(device, batchNorm3d([1, 8, 2, 3, 3], { eps: 1e-5 }), [conv, batchNormStats(bn)], [144]);
      await expectClose(bnOut, `tconv${k}_bn.bin`);

      // As the model runs it: BN folded, ReLU fused, written straight into its slice of the concatenation.
      const folded = foldBatchNorm(w, 8, bn);
      const fusedAttrs = { ...attrs, relu: true, outputChannelOffset: 16, outputChannelsTotal: 24 };
      const [fused] = await runKernel(device, conv3d(xs, ws, fusedAttrs), [x, folded.weight, conv3dAffine(8, undefined, folded.bias)], [432]);
      await expectClose(fused.slice(16 * 18), `tconv${k}_lateral.bin`);
      fused.set(ySlow, 0);
      await expectClose(fused, `tconv${k}_concat.bin`);
    });
  }
});
