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

export interface CheckedWeights {
  config: SlowFastConfig;
  naming: LoadedWeights['naming'];
  parameters: number;
  /** The weights as read, under pytorchvideo names. */
  dict: StateDict;
  /** The size of the file they were read from. */
  fileBytes: number;
}

export interface Converted extends CheckedWeights {
  /** Our web format: safetensors with the config. */
  bytes: Uint8Array<ArrayBuffer>;
}

/** Learnable parameters (BN running statistics and counters are buffers, not parameters). */
export function countParameters(dict: StateDict): number {
  return [...dict].filter(([k]) => !/running_(mean|var)$|num_batches_tracked$/.test(k)).reduce((a, [, t]) => a + t.data.length, 0);
}

/** Reads weights and checks them against the architecture they imply: every tensor there, shaped and finite. */
export async function checkWeights(input: WeightInput, options: Omit<ConvertOptions, 'f16'> = {}): Promise<CheckedWeights> {
  const weights = await readWeights(input);
  const inferred = configOf(weights, { preset: options.preset, likelyPreset: options.likelyPreset });
  const config = options.inputSize ? { ...inferred, inputSize: options.inputSize } : inferred;
  buildSlowFast(config, new StateDictSource(weights.dict));
  return { config, naming: weights.naming, parameters: countParameters(weights.dict), dict: weights.dict, fileBytes: weights.fileBytes };
}

export async function convertCheckpoint(input: WeightInput, options: ConvertOptions = {}): Promise<Converted> {
  const checked = await checkWeights(input, options);
  return { ...checked, bytes: toSafetensors(checked.dict, checked.config, { f16: options.f16 }) };
}
