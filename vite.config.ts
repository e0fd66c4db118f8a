import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import chromium from './scripts/chromium.json' with { type: 'json' };

const root = import.meta.dirname;

export default defineConfig({
  build: {
    target: 'es2022',
    rollupOptions: {
      input: { main: resolve(root, 'index.html'), embed: resolve(root, 'embed.html') },
    },
  },
  worker: { format: 'es' },
  server: {
    host: 'localhost',
    // Tests read the golden fixtures and media from ../shared.
    fs: { allow: [root, resolve(root, '../shared')] },
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          include: ['**/*.node.test.ts'],
          exclude: ['node_modules/**', 'e2e/**'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['{app,kernels,model}/**/*.test.ts'],
          exclude: ['**/*.node.test.ts'],
          testTimeout: 120_000,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: {
                executablePath: process.env.CHROMIUM_PATH || chromium.executablePath,
                args: chromium.args,
              },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
