import { expect, test } from '@playwright/test';

test('the page loads and reports the WebGPU adapter', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'slowfast-web' })).toBeVisible();
  const status = page.locator('.gpu-status');
  await expect(status).toHaveAttribute('data-status', 'ready', { timeout: 30_000 });
  await expect(page.getByTestId('adapter')).toHaveText(/swiftshader/i);
  await page.screenshot({ path: 'test-results/screenshots/page-webgpu-ready.png', fullPage: true });
});

test('the embed widget loads and reports the adapter', async ({ page }) => {
  await page.goto('/embed.html');
  await expect(page.locator('.gpu-status')).toHaveAttribute('data-status', 'ready', { timeout: 30_000 });
});
