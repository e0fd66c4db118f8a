// Official SlowFast checkpoints come in two namings: pytorchvideo's (`blocks.N.multipathway_blocks.P…`)
// and PySlowFast's (`s1.pathway0_stem.conv…`); see ../shared/golden/KEYMAP.md. The builder speaks
// pytorchvideo; this renames PySlowFast checkpoints (and strips DataParallel's `module.` prefix).
import type { StateDict } from './stateDict.ts';

export type Naming = 'pytorchvideo' | 'pyslowfast';

// PySlowFast key → pytorchvideo key (the inverse of KEYMAP.md's rules). `{+-1}` marks a stage index shift.
const RULES: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^s1\.pathway(\d)_stem\.conv\.(.+)$/, (m) => `blocks.0.multipathway_blocks.${m[1]}.conv.${m[2]}`],
  [/^s1\.pathway(\d)_stem\.bn\.(.+)$/, (m) => `blocks.0.multipathway_blocks.${m[1]}.norm.${m[2]}`],
  [/^s([1-4])_fuse\.conv_f2s\.(.+)$/, (m) => `blocks.${Number(m[1]) - 1}.multipathway_fusion.conv_fast_to_slow.${m[2]}`],
  [/^s([1-4])_fuse\.bn\.(.+)$/, (m) => `blocks.${Number(m[1]) - 1}.multipathway_fusion.norm.${m[2]}`],
  [/^s([2-5])\.pathway(\d)_res(\d+)\.branch1\.(.+)$/, (m) => `blocks.${Number(m[1]) - 1}.multipathway_blocks.${m[2]}.res_blocks.${m[3]}.branch1_conv.${m[4]}`],
  [/^s([2-5])\.pathway(\d)_res(\d+)\.branch1_bn\.(.+)$/, (m) => `blocks.${Number(m[1]) - 1}.multipathway_blocks.${m[2]}.res_blocks.${m[3]}.branch1_norm.${m[4]}`],
  [/^s([2-5])\.pathway(\d)_res(\d+)\.branch2\.([abc])\.(.+)$/, (m) => `blocks.${Number(m[1]) - 1}.multipathway_blocks.${m[2]}.res_blocks.${m[3]}.branch2.conv_${m[4]}.${m[5]}`],
  [/^s([2-5])\.pathway(\d)_res(\d+)\.branch2\.([abc])_bn\.(.+)$/, (m) => `blocks.${Number(m[1]) - 1}.multipathway_blocks.${m[2]}.res_blocks.${m[3]}.branch2.norm_${m[4]}.${m[5]}`],
  [/^head\.projection\.(weight|bias)$/, (m) => `blocks.6.proj.${m[1]}`],
];

export function detectNaming(keys: Iterable<string>): Naming {
  for (const k of keys) {
    const key = k.replace(/^module\./, '');
    if (/^s\d(_fuse)?\./.test(key) || key.startsWith('head.projection.')) return 'pyslowfast';
  }
  return 'pytorchvideo';
}

/** The state dict under pytorchvideo names, whichever naming it came in. Unmapped keys keep their names. */
export function toPytorchvideoNames(dict: StateDict): { dict: StateDict; naming: Naming } {
  const naming = detectNaming(dict.keys());
  const out: StateDict = new Map();
  for (const [k, v] of dict) {
    const key = k.replace(/^module\./, '');
    let renamed = key;
    if (naming === 'pyslowfast') {
      for (const [re, to] of RULES) {
        const m = key.match(re);
        if (m) {
          renamed = to(m);
          break;
        }
      }
    }
    out.set(renamed, v);
  }
  return { dict: out, naming };
}
