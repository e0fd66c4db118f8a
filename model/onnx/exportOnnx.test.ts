// The exported ONNX model, run by onnxruntime-web, computes what the official model and our engine compute:
// the golden logits for the fixtures, and our own outputs for every lateral kind, Slow-only, gathered
// inputs, packed f16 weights, a softmax or per-class sigmoid output, and per-block conv_a kernels.
import { beforeAll, describe, expect, it } from 'vitest';
import { acquireGpu } from '../../kernels/device.ts';
import { closeness, randomArray, rng } from '../../kernels/compare.ts';
import { sizeOf } from '../../kernels/kernel.ts';
import { fetchShared, sharedF32 } from '../../kernels/fixtures.ts';
import { Executor } from '../executor.ts';
import { GOLDEN_FIXTURES, type GoldenFixture } from '../goldenFixtures.ts';
import type { KernelOptions } from '../kernelChoice.ts';
import { PRESETS, buildSlowFast, type BuildOptions, type LateralKind, type SlowFastConfig } from '../slowfast.ts';
import { readPyTorchCheckpoint } from '../weights/pytorch.ts';
import { RandomSource, StateDictSource } from '../weights/weightSource.ts';
import { exportOnnx } from './exportOnnx.ts';
import { loadOrtModel, type OrtBackend } from './onnxRuntime.ts';

let device: GPUDevice;
beforeAll(async () => {
  device = (await acquireGpu()).device;
});

const FIXTURE_BACKENDS: [GoldenFixture, OrtBackend][] = [
  ['slowfast_r50_w16_8x8_64px', 'wasm'],
  ['slowfast_r50_w16_4x16_64px', 'webgpu'],
];

describe('ONNX export, run by onnxruntime-web', () => {
  for (const [fixture, backend] of FIXTURE_BACKENDS) {
    it(`${fixture}: the exported checkpoint gives the golden logits (onnxruntime-web ${backend})`, async () => {
      const dir = `golden/${fixture}`;
      const dict = (await readPyTorchCheckpoint(new Uint8Array(await fetchShared(`${dir}/checkpoint.pyth`)))).dict;
      const model = buildSlowFast(GOLDEN_FIXTURES[fixture], new StateDictSource(dict));
      const onnx = exportOnnx(model.graph, { name: fixture });
      expect(onnx.inputs.map((i) => i.name).sort()).toEqual(['fast', 'slow']);
      expect(onnx.outputs).toEqual([{ name: 'logits', shape: [1, 400] }]);
      const session = await loadOrtModel(onnx.bytes, backend);
      const out = await session.run({
        slow: { data: await sharedF32(`${dir}/input_slow.bin`), shape: model.inputShapes.slow },
        fast: { data: await sharedF32(`${dir}/input_fast.bin`), shape: model.inputShapes.fast },
      });
      await session.release();
      const c = closeness(out.logits, await sharedF32(`${dir}/logits.bin`), 1e-4, 1e-5);
      expect(c.ok, `logits: ${c.summary}`).toBe(true);
    });
  }

  const small: SlowFastConfig = { ...PRESETS.slowfast_r50_8x8, stemChannels: [8, 2], numClasses: 11, inputSize: 32, fastFrames: 8 };
  const cases: { name: string; config: SlowFastConfig; options: BuildOptions; plan?: KernelOptions }[] = [
    ...(['tconv', 'tsample', 'ttoc-concat', 'ttoc-sum'] as LateralKind[]).map((lateral) => ({
      name: `lateral ${lateral}`, config: { ...small, lateral }, options: {},
    })),
    { name: 'Slow-only', config: { ...PRESETS.slow_r50_8x8, stemChannels: [8, 1], numClasses: 11, inputSize: 32 }, options: {} },
    { name: "input 'fast' (Slow frames gathered), f16 weights, softmax", config: small, options: { input: 'fast', softmax: true }, plan: { weightFormat: 'f16' } },
    { name: 'a multi-label head (per-class sigmoid)', config: { ...small, headActivation: 'sigmoid' }, options: { softmax: true } },
    { name: 'per-block conv_a kernels (16×8 R101 50_50-like res4)', config: { ...PRESETS.slowfast_r101_16x8, stemChannels: [8, 2], numClasses: 11, inputSize: 32, fastFrames: 16 }, options: {} },
  ];
  for (const { name, config, options, plan } of cases) {
    it(`${name}: onnxruntime-web wasm computes what our engine computes`, async () => {
      const model = buildSlowFast(config, new RandomSource(7), options);
      const onnx = exportOnnx(model.graph, { weightFormat: plan?.weightFormat });
      const random = rng(3);
      const inputs = Object.fromEntries(Object.entries(model.inputShapes).map(([k, shape]) => [k, { data: randomArray(sizeOf(shape), random), shape }]));
      const ex = await Executor.plan(device, model.graph, plan);
      const ours = await ex.run(Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, v.data])));
      ex.destroy();
      const session = await loadOrtModel(onnx.bytes, 'wasm');
      const theirs = await session.run(inputs);
      await session.release();
      expect(Object.keys(theirs).sort()).toEqual(Object.keys(ours).sort());
      for (const [output, values] of Object.entries(ours)) {
        const c = closeness(theirs[output], values!, 1e-4, 1e-5);
        expect(c.ok, `${output}: ${c.summary}`).toBe(true);
      }
    });
  }
});
