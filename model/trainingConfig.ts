// What a checkpoint's training config (PySlowFast's cfg.dump(), YAML, saved beside the weights) tells that
// the weights cannot: how many frames the network takes, α, the frame stride, the training crop, and the
// head's activation. The weights stay the authority on everything they do fix (depth, widths, kernels,
// classes); a cfg that is not YAML, or lacks a field, just leaves it to the preset.
import { parse } from 'yaml';
import { isRecord } from './parsed.ts';
import type { SlowFastConfig } from './slowfast.ts';

export type TrainingSettings = Partial<Pick<SlowFastConfig, 'fastFrames' | 'alpha' | 'tau' | 'trainCrop' | 'headActivation'>>;

const positiveInteger = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined);

/** Reads the settings a cfg gives; `slowOnly` says how NUM_FRAMES and SAMPLING_RATE map onto our config. */
export function readTrainingConfig(yaml: string, slowOnly: boolean): TrainingSettings {
  let cfg: Record<string, unknown>;
  try {
    const parsed: unknown = parse(yaml, { maxAliasCount: 100 });
    if (!isRecord(parsed)) return {};
    cfg = parsed;
  } catch {
    return {};
  }
  const section = (name: string): Record<string, unknown> => {
    const s = cfg[name];
    return isRecord(s) ? s : {};
  };
  const data = section('DATA');
  const model = section('MODEL');
  const frames = positiveInteger(data.NUM_FRAMES);
  const rate = positiveInteger(data.SAMPLING_RATE);
  // SlowFast: NUM_FRAMES and SAMPLING_RATE are the Fast pathway's; the Slow stride τ is α times the rate.
  const alpha = slowOnly ? 1 : positiveInteger(section('SLOWFAST').ALPHA);
  const headAct = model.HEAD_ACT;
  const trainCrop = positiveInteger(data.TRAIN_CROP_SIZE);
  // Only what the cfg says: a setting it lacks is absent, not undefined.
  return {
    ...(frames ? { fastFrames: frames } : {}),
    ...(alpha ? { alpha } : {}),
    ...(rate && alpha ? { tau: rate * alpha } : {}),
    ...(trainCrop ? { trainCrop } : {}),
    ...(headAct === 'sigmoid' || headAct === 'softmax' ? { headActivation: headAct } : {}),
  };
}
