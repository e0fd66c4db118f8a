// The bench's random weights as the zoo ships a checkpoint: a zip with `model_state` and, as large again, an SGD
// momentum buffer for each trainable tensor, so "download → first label" fetches what a first visit does.
import { writeTorchCheckpoint, type TensorSpec } from '../e2e/torchCheckpoint.ts';
import { scaledConfig, type PresetName } from '../model/slowfast.ts';
import { randomStateDict } from '../model/weights/weightSource.ts';

export function writeBenchCheckpoint(path: string, preset: PresetName, width: number, inputSize: number): void {
  const dict = [...randomStateDict(scaledConfig(preset, width, inputSize))];
  const tensors: TensorSpec[] = dict.map(([key, t]) => ({ key, shape: t.shape, dtype: 'float32' }));
  const bytes = (i: number) => new Uint8Array(dict[i][1].data.buffer, dict[i][1].data.byteOffset, dict[i][1].data.byteLength);
  writeTorchCheckpoint(path, { tensors, data: bytes, wrap: true, momentum: bytes, epoch: 196 });
}
