// Runs in the 'fake-camera' project: the widget's camera view, driven by a host page on another origin.
import { expect, test } from '@playwright/test';
import { screenshot } from './helpers.ts';

interface Event {
  type: string;
  mode?: string;
  time?: number;
  top?: { label: string; probability: number }[];
}
type HostWindow = { events: Event[]; send: (m: unknown) => void; sendFile: (u: string, t: string, x: object) => Promise<void> };

test('a host page starts the widget\'s camera and receives live labels, then stops it', async ({ page }) => {
  const events = () => page.evaluate(() => (window as unknown as HostWindow).events);
  await page.goto('http://localhost:4174/host.html?widget=http://localhost:4173&origins=http://localhost:4174&view=camera');
  await expect.poll(async () => (await events()).some((e) => e.type === 'ready'), { timeout: 60_000 }).toBe(true);
  await page.evaluate(() => (window as unknown as HostWindow).sendFile('/golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth', 'weights', { type: 'loadWeights', name: 'checkpoint.pyth' }));
  await expect.poll(async () => (await events()).some((e) => e.type === 'weights'), { timeout: 60_000 }).toBe(true);
  await page.evaluate(() => (window as unknown as HostWindow).send({ type: 'startCamera' }));
  await expect.poll(async () => (await events()).filter((e) => e.type === 'labels').length, { timeout: 120_000 }).toBeGreaterThanOrEqual(2);
  const labels = (await events()).filter((e) => e.type === 'labels');
  for (const l of labels) {
    expect(l.mode).toBe('camera');
    expect(l.top).toHaveLength(5);
    expect(typeof l.time).toBe('number');
  }
  await screenshot(page, 'embed-camera');
  await page.evaluate(() => (window as unknown as HostWindow).send({ type: 'stopCamera' }));
  await expect(page.frameLocator('iframe').getByTestId('webcam')).toHaveAttribute('data-status', 'off');
});
