// The SlowFast family of pytorchvideo's model zoo (docs/source/model_zoo.md): every checkpoint a user can
// download, with what the zoo's table says of it. The architecture of each is read off its weights; `preset`
// covers what the weights cannot tell (frames, α, stride), for a checkpoint without a training cfg.
import type { PresetName } from './slowfast.ts';

/** Where the zoo's files live; a mirror or a test server may stand in (SLOWFAST_ZOO_URL, the page's mirror setting). */
export const ZOO_BASE_URL = 'https://dl.fbaipublicfiles.com/pytorchvideo/model_zoo';

/**
 * Where our own server (npm start, vite preview) relays the zoo to the page, under the page's origin, so the
 * page's Content-Security-Policy stays 'self': `${ZOO_PROXY_PATH}/<path>` answers with `${ZOO_BASE_URL}/<path>`.
 */
export const ZOO_PROXY_PATH = '__zoo';

export interface ZooModel {
  /** What a user types: the file's name, with its dataset's folder for the non-Kinetics ones. */
  name: string;
  title: string;
  dataset: 'Kinetics-400' | 'Something-Something v2' | 'Charades';
  /** Path below ZOO_BASE_URL. */
  path: string;
  preset: PresetName;
  /** Frames × sample rate, as the zoo's table writes it. */
  frames: string;
  /** Top-1 accuracy (Kinetics, SSv2) or mean average precision (Charades), per cent, from the zoo's table. */
  score: number;
  metric: 'top-1' | 'mAP';
  /** Millions of parameters, from the zoo's table. */
  parametersM: number;
  classes: number;
}

const kinetics = (file: string, title: string, preset: PresetName, frames: string, score: number, parametersM: number): ZooModel => ({
  name: file, title, dataset: 'Kinetics-400', path: `kinetics/${file}.pyth`, preset, frames, score, metric: 'top-1', parametersM, classes: 400,
});

export const ZOO: readonly ZooModel[] = [
  kinetics('SLOWFAST_8x8_R50', 'SlowFast R50 8×8', 'slowfast_r50_8x8', '8x8', 76.94, 34.57),
  kinetics('SLOWFAST_4x16_R50', 'SlowFast R50 4×16', 'slowfast_r50_4x16', '4x16', 75.34, 34.48),
  kinetics('SLOWFAST_8x8_R101', 'SlowFast R101 8×8', 'slowfast_r101_8x8', '8x8', 77.9, 62.83),
  kinetics('SLOWFAST_16x8_R101_50_50', 'SlowFast R101 16×8', 'slowfast_r101_16x8', '16x8', 78.7, 53.77),
  kinetics('SLOW_8x8_R50', 'Slow R50 8×8', 'slow_r50_8x8', '8x8', 74.58, 32.45),
  kinetics('SLOW_4x16_R50', 'Slow R50 4×16', 'slow_r50_4x16', '4x16', 72.4, 32.45),
  {
    name: 'ssv2/SLOWFAST_8x8_R50', title: 'SlowFast R50 8×8 (Something-Something v2)', dataset: 'Something-Something v2',
    path: 'ssv2/SLOWFAST_8x8_R50.pyth', preset: 'slowfast_r50_8x8', frames: '8x8', score: 61.68, metric: 'top-1', parametersM: 34.04, classes: 174,
  },
  {
    name: 'ssv2/SLOW_8x8_R50', title: 'Slow R50 8×8 (Something-Something v2)', dataset: 'Something-Something v2',
    path: 'ssv2/SLOW_8x8_R50.pyth', preset: 'slow_r50_8x8', frames: '8x8', score: 60.04, metric: 'top-1', parametersM: 31.96, classes: 174,
  },
  {
    name: 'charades/SLOWFAST_8x8_R50', title: 'SlowFast R50 8×8 (Charades)', dataset: 'Charades',
    path: 'charades/SLOWFAST_8x8_R50.pyth', preset: 'slowfast_r50_8x8', frames: '8x8', score: 37.24, metric: 'mAP', parametersM: 34.0, classes: 157,
  },
  {
    name: 'charades/SLOW_8x8_R50', title: 'Slow R50 8×8 (Charades)', dataset: 'Charades',
    path: 'charades/SLOW_8x8_R50.pyth', preset: 'slow_r50_8x8', frames: '8x8', score: 34.72, metric: 'mAP', parametersM: 31.96, classes: 157,
  },
];

/** The one a newcomer gets: Kinetics-400 SlowFast R50 8×8. */
export const DEFAULT_ZOO_MODEL = ZOO[0];

/** Whether a zoo model has the Slow pathway only. */
const slowOnly = (m: ZooModel) => m.preset.startsWith('slow_');

/**
 * The model to compare `m` with by default, as the paper does: a SlowFast's Slow-only partner, or a Slow-only
 * model's SlowFast; of the same dataset, of the same frames where the zoo has one.
 */
export function comparisonPartner(m: ZooModel): ZooModel | undefined {
  const others = ZOO.filter((o) => o.dataset === m.dataset && slowOnly(o) !== slowOnly(m));
  return others.find((o) => o.frames === m.frames && o.preset.includes('_r50_')) ?? others.find((o) => o.frames === m.frames) ?? others[0];
}

/** The earlier model keys (preset names), for settings and embed URLs saved before the zoo. */
const ALIASES: Record<string, string> = {
  slowfast_r50_8x8: 'SLOWFAST_8x8_R50', slowfast_r50_4x16: 'SLOWFAST_4x16_R50', slowfast_r101_8x8: 'SLOWFAST_8x8_R101', slow_r50_8x8: 'SLOW_8x8_R50',
};

/** A zoo model by its name (any case; `kinetics/` optional, earlier preset names accepted), or undefined. */
export function findZooModel(name: string): ZooModel | undefined {
  const wanted = (ALIASES[name] ?? name).toLowerCase().replace(/^kinetics\//, '').replace(/\.pyth$/, '');
  return ZOO.find((m) => m.name.toLowerCase() === wanted);
}

/**
 * The preset of the zoo file a file's name says it is (a downloaded SLOW_4x16_R50.pyth keeps its name), for
 * a checkpoint without a training cfg. SLOW_8x8_R50.pyth is a name three datasets share, with one preset.
 */
export function zooPresetOfFile(fileName: string): PresetName | undefined {
  const presets = new Set(ZOO.filter((m) => isZooFileName(m, fileName)).map((m) => m.preset));
  return presets.size === 1 ? [...presets][0] : undefined;
}

/** Whether a file is named as this zoo model's file is (any case, any folder, a browser's " (1)" copy suffix). */
export function isZooFileName(m: ZooModel, fileName: string): boolean {
  const stem = fileName.replace(/^.*[\\/]/, '').replace(/( \(\d+\))?\.(pyth|pth|safetensors)$/i, '').toLowerCase();
  return m.name.replace(/^.*\//, '').toLowerCase() === stem;
}

/**
 * About how large the file is: official checkpoints hold the weights and, as large again, the optimizer's
 * momentum buffers (4 bytes each). The download's own length replaces this once known.
 */
export function approximateBytes(m: ZooModel): number {
  return Math.round(m.parametersM * 1e6 * 8);
}

/** About how much a download by ranges fetches: the weights (4 bytes each), never the optimizer state. */
export function approximateWeightBytes(m: ZooModel): number {
  return Math.round(m.parametersM * 1e6 * 4);
}

/** The file name a converted copy of a zoo model is kept under (public/models/, browser storage). */
export function convertedFileName(m: ZooModel): string {
  return `${m.name.replace('/', '-')}.safetensors`;
}
