import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
export const SHARED = resolve(root, '../shared');
export const GOLDEN_CHECKPOINT = resolve(SHARED, 'golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth');
export const CRICKET_MP4 = resolve(SHARED, 'media/cricket.mp4');
export const FAKE_CAMERA = resolve(root, 'node_modules/.cache/slowfast-media/cricket-camera.y4m');
export const SCREENSHOTS = resolve(root, 'test-results/screenshots');

/** The built app's preview server; the embed tests' host page is on the next port, the stand-in model zoo on the one after. */
export const E2E_PORT = Number(process.env.E2E_PORT || 4173);
export const HOST_PORT = E2E_PORT + 1;
export const ZOO_PORT = E2E_PORT + 2;
/** The stand-in model zoo (e2e/zoo-server.mjs), as SLOWFAST_ZOO_URL. */
export const TEST_ZOO_URL = `http://localhost:${ZOO_PORT}/zoo`;
