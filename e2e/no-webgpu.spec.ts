import { expect, test } from '@playwright/test';

test('without WebGPU the page explains which browsers or flags are needed', async ({ page }) => {
  await page.goto('/');
  const status = page.locator('.gpu-status');
  await expect(status).toHaveAttribute('data-status', 'unavailable', { timeout: 30_000 });
  await expect(status).toContainText('WebGPU is needed');
  await expect(status).toContainText('--enable-unsafe-webgpu');
  await expect(page.getByRole('heading', { name: 'slowfast-web' })).toBeVisible();
  await page.screenshot({ path: 'test-results/screenshots/page-no-webgpu.png', fullPage: true });
});
