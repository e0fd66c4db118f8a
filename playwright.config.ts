import { defineConfig } from '@playwright/test';
import chromium from './scripts/chromium.json' with { type: 'json' };
import { E2E_PORT, FAKE_CAMERA, HOST_PORT, TEST_ZOO_URL, ZOO_PORT } from './e2e/paths.ts';

const executablePath = process.env.CHROMIUM_PATH || chromium.executablePath;
// The built app at E2E_PORT; the embed tests' host page (another origin) at HOST_PORT; a stand-in for the model
// zoo (e2e/zoo-server.mjs) at ZOO_PORT, which the preview server relays to the page.
const port = E2E_PORT;
const fakeCamera = ['--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${FAKE_CAMERA}`];
/** Answers the camera permission prompt with "allow". */
const allowCamera = '--use-fake-ui-for-media-stream';
// Chromium without the WebGPU flags, for the page's no-WebGPU explanation.
const plainArgs = chromium.args.filter((a) => !/webgpu|swiftshader|vulkan|Vulkan/.test(a)).concat('--disable-gpu');

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 120_000,
  workers: 1,
  reporter: [['list']],
  globalSetup: './e2e/global-setup.ts',
  use: { baseURL: `http://localhost:${port}` },
  webServer: [
    {
      command: `npx vite build --logLevel warn && npx vite preview --port ${port} --strictPort`,
      url: `http://localhost:${port}`,
      reuseExistingServer: !process.env.CI,
      timeout: 180_000,
      env: { SLOWFAST_ZOO_URL: TEST_ZOO_URL },
    },
    {
      command: `node e2e/zoo-server.mjs ${ZOO_PORT}`,
      url: `http://localhost:${ZOO_PORT}/control`,
      reuseExistingServer: !process.env.CI,
    },
    {
      command: `node e2e/host-server.mjs ${HOST_PORT}`,
      url: `http://localhost:${HOST_PORT}/host.html`,
      reuseExistingServer: !process.env.CI,
    },
  ],
  projects: [
    {
      name: 'webgpu',
      testIgnore: /no-webgpu|webcam|camera-denied|soak|engines/,
      use: { launchOptions: { executablePath, args: chromium.args } },
    },
    {
      name: 'fake-camera',
      testMatch: /webcam\.spec\.ts/,
      use: { launchOptions: { executablePath, args: [...chromium.args, ...fakeCamera, allowCamera] } },
    },
    // Only for `npm run soak`: ten minutes of live labels.
    ...(process.env.SOAK ? [{
      name: 'soak',
      testMatch: /soak\.spec\.ts/,
      use: { launchOptions: { executablePath, args: [...chromium.args, ...fakeCamera, allowCamera] } },
    }] : []),
    {
      name: 'camera-denied',
      testMatch: /camera-denied\.spec\.ts/,
      use: { launchOptions: { executablePath, args: [...chromium.args, ...fakeCamera] } },
    },
    // The page in Firefox and WebKit: each test launches its browser itself (e2e/drivenPage.ts).
    {
      name: 'other-engines',
      testMatch: /engines\.spec\.ts/,
      // Firefox and WebKitGTK are driven from outside Playwright (WebDriver BiDi, WebKitWebDriver under Xvfb): a test
      // whose browser never came up properly is run once more in CI (Playwright lists it as flaky).
      retries: process.env.CI ? 1 : 0,
    },
    {
      name: 'no-webgpu',
      testMatch: /no-webgpu\.spec\.ts/,
      use: { launchOptions: { executablePath, args: plainArgs } },
    },
  ],
});
