import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
export const SHARED = resolve(root, '../shared');
export const GOLDEN_CHECKPOINT = resolve(SHARED, 'golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth');
export const CRICKET_MP4 = resolve(SHARED, 'media/cricket.mp4');
export const FAKE_CAMERA = resolve(root, 'node_modules/.cache/slowfast-media/cricket-camera.y4m');
export const SCREENSHOTS = resolve(root, 'test-results/screenshots');
