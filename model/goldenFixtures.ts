// The golden fixtures' settings, as SlowFast configs (see ../shared/golden/README.md).
import { PRESETS, type SlowFastConfig } from './slowfast.ts';

export const GOLDEN_FIXTURES = {
  slowfast_r50_w16_8x8_64px: { ...PRESETS.slowfast_r50_8x8, stemChannels: [16, 2], inputSize: 64 },
  slowfast_r50_w16_4x16_64px: { ...PRESETS.slowfast_r50_4x16, stemChannels: [16, 2], inputSize: 64 },
} satisfies Record<string, SlowFastConfig>;

/**
 * pytorchvideo's hub slow_r50 at quarter width (stem 16; no Fast pathway, so the second stem width is unused), 64 px:
 * one input, `input.bin` (1, 3, 8, 64, 64), and its logits (../shared/golden/slow_r50_w16_8x8_64px). Apart from the
 * SlowFast fixtures, whose files it does not share.
 */
export const SLOW_ONLY_GOLDEN: SlowFastConfig = { ...PRESETS.slow_r50_8x8, stemChannels: [16, 8], inputSize: 64 };

export type GoldenFixture = keyof typeof GOLDEN_FIXTURES;
