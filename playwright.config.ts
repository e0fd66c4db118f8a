import { defineConfig } from '@playwright/test';
import chromium from './scripts/chromium.json' with { type: 'json' };

const executablePath = process.env.CHROMIUM_PATH || chromium.executablePath;
const port = Number(process.env.E2E_PORT || 4173);
// Chromium without the WebGPU flags, for the page's no-WebGPU explanation.
const plainArgs = chromium.args.filter((a) => !/webgpu|swiftshader|vulkan|Vulkan/.test(a)).concat('--disable-gpu');

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 120_000,
  workers: 1,
  reporter: [['list']],
  use: { baseURL: `http://localhost:${port}` },
  webServer: {
    command: `npx vite build --logLevel warn && npx vite preview --port ${port} --strictPort`,
    url: `http://localhost:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
  },
  projects: [
    {
      name: 'webgpu',
      testIgnore: /no-webgpu/,
      use: { launchOptions: { executablePath, args: chromium.args } },
    },
    {
      name: 'no-webgpu',
      testMatch: /no-webgpu\.spec\.ts/,
      use: { launchOptions: { executablePath, args: plainArgs } },
    },
  ],
});
