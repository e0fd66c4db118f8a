// The page in Firefox (Debian's firefox-esr, driven by puppeteer-core): on Gecko's WebGPU (wgpu on Mesa's
// lavapipe here: no subgroups, no texture_external, 128 MiB a binding), and with WebGPU off on the CPU engine.
import { expect, test } from '@playwright/test';
import { cpuEngineText } from './helpers.ts';
import { APP, attributeOf, byTestId, chooseFiles, firefoxScreenshot, textOf, waitForAttribute, waitForText, withFirefox } from './firefoxPage.ts';
import { CRICKET_MP4, GOLDEN_CHECKPOINT } from './paths.ts';

test('Firefox with WebGPU: weights from a file, a video, a verdict on WebGPU; the weights kept across a reload', async () => {
  await withFirefox({ webgpu: true }, async (page) => {
    await page.goto(APP);
    await page.waitForSelector('.gpu-status[data-status="ready"]');
    expect(await attributeOf(page, '.gpu-status', 'data-engine')).toBe('webgpu');
    await chooseFiles(page, 'weights-input', GOLDEN_CHECKPOINT);
    await waitForText(page, byTestId('weights-ready'), 'checkpoint.pyth');
    await page.select(byTestId('input-size'), '64');
    await chooseFiles(page, 'video-input', CRICKET_MP4);
    await waitForAttribute(page, 'results', 'data-status', 'done', 180_000);
    expect(await attributeOf(page, byTestId('analysis-engine'), 'data-engine')).toBe('webgpu');
    expect(await attributeOf(page, byTestId('timeline'), 'data-clips')).toBe('3');
    // The golden checkpoint (random weights) calls this clip "presenting weather forecast", on any engine.
    expect(await attributeOf(page, `${byTestId('top-labels')} li`, 'data-label')).toBe('presenting weather forecast');
    expect(await textOf(page, 'body')).not.toMatch(/could not be analysed|ShaderModule|invalid/i);
    await firefoxScreenshot(page, 'firefox-webgpu-verdict');
    // A later visit finds the weights in the browser (OPFS).
    await page.reload();
    await waitForText(page, byTestId('weights-ready'), 'checkpoint.pyth');
  });
});

test('Firefox without WebGPU: the page says so and labels the video on the CPU engine', async () => {
  await withFirefox({ webgpu: false }, async (page) => {
    await page.goto(APP);
    await page.waitForSelector('.gpu-status[data-status="cpu"]');
    expect(await textOf(page, '.gpu-status')).toContain(`Engine: ${cpuEngineText()}`);
    await chooseFiles(page, 'weights-input', GOLDEN_CHECKPOINT);
    await waitForText(page, byTestId('weights-ready'), 'checkpoint.pyth');
    await page.select(byTestId('input-size'), '64');
    await chooseFiles(page, 'video-input', CRICKET_MP4);
    await waitForAttribute(page, 'results', 'data-status', 'done', 180_000);
    expect(await attributeOf(page, byTestId('analysis-engine'), 'data-engine')).toBe('wasm');
    expect(await attributeOf(page, `${byTestId('top-labels')} li`, 'data-label')).toBe('presenting weather forecast');
    await firefoxScreenshot(page, 'firefox-cpu-engine-verdict');
  });
});
