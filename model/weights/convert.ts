// Official checkpoint → our web format, shared by `npm run convert`, `npm run weights` and the app (a
// dropped .pyth is converted in a worker and cached). The weights are checked against the architecture
// before anything is written, so a bad file fails here with its real key names.
import { configOf } from '../inferConfig.ts';
import type { WeightInput } from './byteSource.ts';
import { buildSlowFast, type PresetName, type SlowFastConfig } from '../slowfast.ts';
import type { Shape } from '../../kernels/kernel.ts';
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

/** Every parameter a config's network reads (state-dict name and shape), from a graph of shapes alone. */
export function parameterShapes(config: SlowFastConfig): { name: string; shape: Shape }[] {
  return buildSlowFast(config).parameters;
}

/**
 * Reads weights, works out the network they are (configOf: the user's preset, the checkpoint's cfg, the
 * weights' shapes; `inputSize` overrides), and checks every tensor it needs is there, shaped and finite.
 */
export async function checkWeights(input: WeightInput, options: Omit<ConvertOptions, 'f16'> = {}): Promise<CheckedWeights> {
  const weights = await readWeights(input);
  const config = configOf(weights, options);
  const source = new StateDictSource(weights.dict);
  for (const p of parameterShapes(config)) source.get(p.name, p.shape);
  source.finish();
  return { config, naming: weights.naming, parameters: countParameters(weights.dict), dict: weights.dict, fileBytes: weights.fileBytes };
}

export async function convertCheckpoint(input: WeightInput, options: ConvertOptions = {}): Promise<Converted> {
  const checked = await checkWeights(input, options);
  return { ...checked, bytes: toSafetensors(checked.dict, checked.config, { f16: options.f16 }) };
}
