// What a checkpoint's training config (PySlowFast's cfg.dump(), YAML, saved beside the weights) tells that
// the weights cannot: how many frames the network takes, α, the frame stride, the training crop, and the
// head's activation. The weights stay the authority on everything they do fix (depth, widths, kernels,
// classes); a cfg that is not YAML, or lacks a field, just leaves it to the preset.
import { parse } from 'yaml';
import type { SlowFastConfig } from './slowfast.ts';

export type TrainingSettings = Partial<Pick<SlowFastConfig, 'fastFrames' | 'alpha' | 'tau' | 'trainCrop' | 'headActivation'>>;

const positiveInteger = (v: unknown): number | undefined => (Number.isInteger(v) && (v as number) > 0 ? (v as number) : undefined);

/** Reads the settings a cfg gives; `slowOnly` says how NUM_FRAMES and SAMPLING_RATE map onto our config. */
export function readTrainingConfig(yaml: string, slowOnly: boolean): TrainingSettings {
  let cfg: Record<string, Record<string, unknown> | undefined>;
  try {
    const parsed: unknown = parse(yaml, { maxAliasCount: 100 });
    if (!parsed || typeof parsed !== 'object') return {};
    cfg = parsed as typeof cfg;
  } catch {
    return {};
  }
  const section = (name: string) => (cfg[name] && typeof cfg[name] === 'object' ? cfg[name]! : {});
  const data = section('DATA');
  const model = section('MODEL');
  const frames = positiveInteger(data.NUM_FRAMES);
  const rate = positiveInteger(data.SAMPLING_RATE);
  // SlowFast: NUM_FRAMES and SAMPLING_RATE are the Fast pathway's; the Slow stride τ is α times the rate.
  const alpha = slowOnly ? 1 : positiveInteger(section('SLOWFAST').ALPHA);
  const headAct = model.HEAD_ACT;
  const out: TrainingSettings = {
    fastFrames: frames,
    alpha,
    tau: rate && alpha ? rate * alpha : undefined,
    trainCrop: positiveInteger(data.TRAIN_CROP_SIZE),
    headActivation: headAct === 'sigmoid' || headAct === 'softmax' ? headAct : undefined,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as TrainingSettings;
}
