// The golden fixtures' settings, as SlowFast configs (see ../shared/golden/README.md).
import { PRESETS, type SlowFastConfig } from './slowfast.ts';

export const GOLDEN_FIXTURES = {
  slowfast_r50_w16_8x8_64px: { ...PRESETS.slowfast_r50_8x8, stemChannels: [16, 2], inputSize: 64 },
  slowfast_r50_w16_4x16_64px: { ...PRESETS.slowfast_r50_4x16, stemChannels: [16, 2], inputSize: 64 },
} satisfies Record<string, SlowFastConfig>;

export type GoldenFixture = keyof typeof GOLDEN_FIXTURES;
