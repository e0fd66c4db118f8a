// One entry for every weight file we accept: official PyTorch checkpoints (zip or legacy, pytorchvideo or
// PySlowFast names) and our safetensors web format (which carries its model config).
import type { SlowFastConfig } from '../slowfast.ts';
import { toByteSource, type WeightInput } from './byteSource.ts';
import { toPytorchvideoNames, type Naming } from './naming.ts';
import { CheckpointError } from './pickle.ts';
import { readPyTorchCheckpoint } from './pytorch.ts';
import { isSafetensors, readSafetensors, writeSafetensors, type SafetensorsEntry } from './safetensors.ts';
import type { StateDict } from './stateDict.ts';

export type WeightFileFormat = 'pytorch' | 'safetensors';

export interface LoadedWeights {
  /** Under pytorchvideo names. */
  dict: StateDict;
  naming: Naming;
  format: WeightFileFormat;
  /** The model config a safetensors file was converted for. */
  config?: SlowFastConfig;
  /** The training config an official checkpoint carries (PySlowFast's cfg, YAML text). */
  trainingConfig?: string;
  /** What else a checkpoint holds beside the state dict (optimizer_state, epoch, cfg, …): seen, not read. */
  extras?: string[];
  /** The checkpoint's size in bytes. */
  fileBytes: number;
}

export const CONFIG_METADATA_KEY = 'slowfast_config';

/** Reads any accepted weight file; from a Blob, only the parts the model needs are read. */
export async function readWeights(input: WeightInput): Promise<LoadedWeights> {
  const src = toByteSource(input);
  if (src.size === 0) throw new CheckpointError('the weight file is empty');
  if (isSafetensors(await src.read(0, Math.min(9, src.size)))) {
    const { dict, metadata } = await readSafetensors(src);
    let config: SlowFastConfig | undefined;
    if (metadata[CONFIG_METADATA_KEY]) {
      try {
        // Written by toSafetensors; checked against the tensors' shapes when the weights are checked.
        config = JSON.parse(metadata[CONFIG_METADATA_KEY]) as SlowFastConfig;
      } catch {
        throw new CheckpointError('the safetensors metadata holds a model config that is not valid JSON');
      }
    }
    const renamed = toPytorchvideoNames(dict);
    return { dict: renamed.dict, naming: renamed.naming, format: 'safetensors', config, fileBytes: src.size };
  }
  const checkpoint = await readPyTorchCheckpoint(src);
  const renamed = toPytorchvideoNames(checkpoint.dict);
  return { dict: renamed.dict, naming: renamed.naming, format: 'pytorch', trainingConfig: checkpoint.cfg, extras: checkpoint.extras, fileBytes: src.size };
}

/**
 * Our web format: the state dict under pytorchvideo names, without BN's num_batches_tracked, conv and linear
 * weights in F16 when asked (BN statistics and biases stay F32), and the config in the metadata.
 */
export function toSafetensors(dict: StateDict, config: SlowFastConfig, { f16 = false } = {}): Uint8Array<ArrayBuffer> {
  const tensors = new Map<string, SafetensorsEntry>();
  for (const [name, t] of dict) {
    if (name.endsWith('num_batches_tracked')) continue;
    tensors.set(name, { dtype: f16 && t.shape.length >= 2 ? 'F16' : 'F32', shape: t.shape, data: t.data });
  }
  return writeSafetensors(tensors, { format: 'slowfast-web', [CONFIG_METADATA_KEY]: JSON.stringify(config) });
}
