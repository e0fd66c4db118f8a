// Kernel benchmark, run in the browser by scripts/bench-kernels.mjs: GFLOP/s of conv3d on every conv layer
// shape of a network, each with the best of a few tiles, beside our best plain matmul (conv3d's 1×1×1 GEMM
// path on square matrices) measured in the same run.
import { acquireGpu } from '../device.ts';
import { randomArray, rng } from '../compare.ts';
import { sizeOf, type Shape } from '../kernel.ts';
import { bindKernel, storageBuffer, type Bound } from '../runKernel.ts';
import { CONV3D_TILES, conv3d, conv3dAffine, conv3dFlops, conv3dShape, type Conv3dAttrs, type Conv3dTile } from './conv3d.ts';
import { distinctLayers, goldenConvLayers } from './goldenLayers.ts';


/** Median seconds per dispatch: `reps` dispatches per submission, sized so one sample takes ≳ minSeconds. */
async function timeDispatch(device: GPUDevice, bound: Bound, samples: number, minSeconds: number): Promise<number> {
  const submit = async (reps: number) => {
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(bound.pipeline);
    pass.setBindGroup(0, bound.bindGroup);
    for (let r = 0; r < reps; r++) pass.dispatchWorkgroups(...bound.dispatch);
    pass.end();
    const t0 = performance.now();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    return (performance.now() - t0) / 1000;
  };
  const once = await submit(1); // warm-up, and an estimate
  const reps = Math.max(1, Math.min(200, Math.ceil(minSeconds / Math.max(once, 1e-6))));
  const times: number[] = [];
  for (let s = 0; s < samples; s++) times.push((await submit(reps)) / reps);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

interface Measured {
  tile: Conv3dTile;
  seconds: number;
  gflops: number;
}

async function bestTile(device: GPUDevice, x: Shape, w: Shape, attrs: Conv3dAttrs, samples: number, minSeconds: number, tiles: readonly Conv3dTile[]): Promise<Measured> {
  const random = rng(1);
  const y = conv3dShape(x, w, attrs);
  const xBuf = storageBuffer(device, randomArray(sizeOf(x), random));
  const wBuf = storageBuffer(device, randomArray(sizeOf(w), random));
  const aBuf = storageBuffer(device, conv3dAffine(w[0]));
  const yBuf = storageBuffer(device, sizeOf(y) * 4);
  const flops = conv3dFlops(x, w, attrs);
  let best: Measured | undefined;
  try {
    for (const tile of tiles) {
      const bound = await bindKernel(device, conv3d(x, w, { ...attrs, tile }), [xBuf, wBuf, aBuf], [yBuf]);
      const seconds = await timeDispatch(device, bound, samples, minSeconds);
      if (!best || seconds < best.seconds) best = { tile, seconds, gflops: flops / seconds / 1e9 };
    }
  } finally {
    for (const b of [xBuf, wBuf, aBuf, yBuf]) b.destroy();
  }
  return best!;
}

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
  const matmul = [];
  for (const n of o.matmulSizes) {
    // C (n × n) = A (n × n) · B (n × n) as a 1×1×1 conv: n output channels, n input channels, n positions.
    const m = await bestTile(device, [1, n, 1, 1, n], [n, n, 1, 1, 1], { kernel: [1, 1, 1] }, o.samples, o.minSeconds, tiles);
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
    const m = await bestTile(device, l.input, l.weight, l.attrs, o.samples, o.minSeconds, tiles);
    convs.push({
      key: l.key, input: l.input, weight: l.weight, stride: l.attrs.stride, padding: l.attrs.padding,
      gflop: conv3dFlops(l.input, l.weight, l.attrs) / 1e9, ...m, ratioToMatmul: m.gflops / bestMatmul,
    });
  }
  device.destroy();
  return {
    adapter: gpu.adapter,
    features: [...gpu.features],
    settings: { alpha: o.alpha, inputSize: o.inputSize, fastFrames: o.fastFrames, samples: o.samples },
    matmul,
    bestMatmulGflops: bestMatmul,
    convs,
    minRatio: Math.min(...convs.map((c) => c.ratioToMatmul)),
    layersAtOrAbove70Percent: convs.filter((c) => c.ratioToMatmul >= 0.7).length,
    layers: convs.length,
  };
}
