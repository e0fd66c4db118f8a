// Kernel benchmark, run in the browser by scripts/bench-kernels.mjs: GFLOP/s of conv3d on every conv layer
// shape of a network, each with the best of a few tiles, beside our best plain matmul (conv3d's 1×1×1 GEMM
// path on square matrices) measured in the same run.
import { acquireGpu, hasSubgroups } from '../device.ts';
import { bestTile } from './autotune.ts';
import { CONV3D_TILES, conv3dFlops, type Conv3dTile } from './conv3d.ts';
import { distinctLayers, goldenConvLayers } from './goldenLayers.ts';


export interface KernelBenchOptions {
  /** pytorchvideo-named weight shapes of the network, in state-dict order. */
  stateDict: { key: string; shape: number[] }[];
  alpha: number;
  inputSize: number;
  fastFrames: number;
  matmulSizes: number[];
  samples: number;
  minSeconds: number;
  /** Only layers whose key matches this regular expression. */
  layerFilter?: string;
  /** Only these tiles (default CONV3D_TILES). */
  tiles?: Conv3dTile[];
}

export async function runKernelBench(o: KernelBenchOptions) {
  const gpu = await acquireGpu();
  const tiles = o.tiles ?? CONV3D_TILES;
  const { device } = gpu;
  const subgroups = hasSubgroups(device);
  const matmul = [];
  for (const n of o.matmulSizes) {
    // C (n × n) = A (n × n) · B (n × n) as a 1×1×1 conv: n output channels, n input channels, n positions.
    const m = await bestTile(device, [1, n, 1, 1, n], [n, n, 1, 1, 1], { kernel: [1, 1, 1], subgroups }, o.samples, o.minSeconds, tiles);
    matmul.push({ size: n, ...m });
  }
  const bestMatmul = Math.max(...matmul.map((m) => m.gflops));
  const layers = distinctLayers(goldenConvLayers({
    alpha: o.alpha, input_size: o.inputSize, slow_frames: o.fastFrames / o.alpha, fast_frames: o.fastFrames,
    state_dict: o.stateDict,
  }));
  const convs = [];
  const filter = o.layerFilter ? new RegExp(o.layerFilter) : undefined;
  for (const l of layers.filter((l) => !filter || filter.test(l.key))) {
    // As the classifier runs them: with subgroups where the device has them.
    const m = await bestTile(device, l.input, l.weight, { ...l.attrs, subgroups }, o.samples, o.minSeconds, tiles);
    convs.push({
      key: l.key, input: l.input, weight: l.weight, stride: l.attrs.stride, padding: l.attrs.padding,
      gflop: conv3dFlops(l.input, l.weight, l.attrs) / 1e9, ...m, ratioToMatmul: m.gflops / bestMatmul,
    });
  }
  device.destroy();
  return {
    adapter: gpu.adapter,
    features: [...gpu.features],
    settings: { alpha: o.alpha, inputSize: o.inputSize, fastFrames: o.fastFrames, samples: o.samples, subgroups },
    matmul,
    bestMatmulGflops: bestMatmul,
    convs,
    minRatio: Math.min(...convs.map((c) => c.ratioToMatmul)),
    layersAtOrAbove70Percent: convs.filter((c) => c.ratioToMatmul >= 0.7).length,
    layers: convs.length,
  };
}
