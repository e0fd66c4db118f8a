// Official checkpoint → our web format, shared by `npm run convert`, `npm run weights` and the app (a
// dropped .pyth is converted in a worker and cached). The weights are checked against the architecture
// before anything is written, so a bad file fails here with its real key names.
import { configOf } from '../inferConfig.ts';
import type { WeightInput } from './byteSource.ts';
import { buildSlowFast, type PresetName, type SlowFastConfig } from '../slowfast.ts';
import { readWeights, toSafetensors, type LoadedWeights } from './load.ts';
import type { StateDict } from './stateDict.ts';
import { StateDictSource } from './weightSource.ts';

export interface ConvertOptions {
  f16?: boolean;
  /** Frames, α and stride the user chose (they win over the checkpoint's cfg). */
  preset?: PresetName;
  /** The preset the checkpoint probably is (a zoo download's): its cfg wins over this. */
  likelyPreset?: PresetName;
  inputSize?: number;
}

export interface Converted {
  bytes: Uint8Array<ArrayBuffer>;
  config: SlowFastConfig;
  naming: LoadedWeights['naming'];
  parameters: number;
  /** The weights as read, under pytorchvideo names. */
  dict: StateDict;
}

export async function convertCheckpoint(input: WeightInput, options: ConvertOptions = {}): Promise<Converted> {
  const weights = await readWeights(input);
  const inferred = configOf(weights, { preset: options.preset, likelyPreset: options.likelyPreset });
  const config = options.inputSize ? { ...inferred, inputSize: options.inputSize } : inferred;
  buildSlowFast(config, new StateDictSource(weights.dict));
  const parameters = [...weights.dict]
    .filter(([k]) => !/running_(mean|var)$|num_batches_tracked$/.test(k))
    .reduce((a, [, t]) => a + t.data.length, 0);
  return { bytes: toSafetensors(weights.dict, config, { f16: options.f16 }), config, naming: weights.naming, parameters, dict: weights.dict };
}
