import { spawn } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { TEST_ZOO_URL } from './paths.ts';

// `npm start` is the README's first command: it must print a URL that serves a working page, from which a
// newcomer gets the weights (here the stand-in zoo, e2e/zoo-server.mjs, plays the model zoo).
test('npm start prints a URL that serves the page with WebGPU ready, and the page downloads its weights', async ({ page }) => {
  const port = 5191;
  const server = spawn('npm', ['start'], { env: { ...process.env, PORT: String(port), SLOWFAST_ZOO_URL: TEST_ZOO_URL }, detached: true });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no URL printed by npm start:\n${out}`)), 60_000);
      const onData = (chunk: Buffer) => {
        out += chunk.toString();
        // Vite's own "ready" line tells us the server is listening, not just that our banner printed.
        const printed = out.match(/Serving slowfast-web at (http:\/\/localhost:\d+\/)/);
        if (printed && /ready in/i.test(out)) {
          clearTimeout(timer);
          resolve(printed[1]);
        }
      };
      server.stdout.on('data', onData);
      server.stderr.on('data', onData);
      server.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${out}`)));
    });
    expect(url).toBe(`http://localhost:${port}/`);
    await page.goto(url);
    await expect(page.locator('.gpu-status')).toHaveAttribute('data-status', 'ready', { timeout: 60_000 });
    await expect(page.getByTestId('adapter')).toHaveText(/swiftshader/i);
    await page.getByTestId('download-model').click({ timeout: 60_000 });
    await expect(page.getByTestId('weights-ready')).toContainText('downloaded from the model zoo (now cached)', { timeout: 90_000 });
  } finally {
    process.kill(-server.pid!, 'SIGTERM');
  }
});
