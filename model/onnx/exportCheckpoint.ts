// A checkpoint (official .pyth or our safetensors) → an ONNX model of the network it fits: `npm run
// export-onnx`, and the benchmark's onnxruntime-web side.
import { buildSlowFast, type PresetName, type SlowFastConfig } from '../slowfast.ts';
import type { WeightInput } from '../weights/byteSource.ts';
import { checkWeights } from '../weights/convert.ts';
import { StateDictSource } from '../weights/weightSource.ts';
import { exportOnnx, type OnnxModel } from './exportOnnx.ts';

export interface ExportCheckpointOptions {
  preset?: PresetName;
  inputSize?: number;
  /** 'pathways' (default): inputs `slow` and `fast`, as PyTorch's forward takes them; 'fast': the Fast clip
   * alone, the Slow frames gathered from it inside the model. */
  input?: 'pathways' | 'fast';
  softmax?: boolean;
}

export async function exportCheckpoint(input: WeightInput, options: ExportCheckpointOptions = {}): Promise<OnnxModel & { config: SlowFastConfig }> {
  const weights = await checkWeights(input, { preset: options.preset, inputSize: options.inputSize });
  const { config } = weights;
  const model = buildSlowFast(config, new StateDictSource(weights.dict), { input: options.input, softmax: options.softmax });
  const name = `${config.slowOnly ? 'slow' : 'slowfast'}_r${config.depth}_${config.fastFrames / config.alpha}x${config.tau}`;
  const description = `SlowFast (${JSON.stringify(config)}), exported by slowfast-web from ${weights.naming} weights`;
  return { ...exportOnnx(model.graph, { name, description }), config };
}
