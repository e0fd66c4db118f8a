// The webcam pipeline in real Chromium with a fake camera: a .y4m made from cricket.mp4 by ffmpeg.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module without types
import { openEnginePage } from '../../scripts/browser.mjs';

interface WebcamRun {
  labels: { time: number; top: string; sum: number; latencyMs: number }[];
  error?: string;
  kind?: string;
}

const probe = { checkpointUrl: '/shared/golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth', count: 3, timeoutMs: 90_000 };

describe('webcam (fake camera)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'webcam-'));
  const y4m = join(dir, 'cricket.y4m');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', new URL('../../../shared/media/cricket.mp4', import.meta.url).pathname, '-t', '2', '-pix_fmt', 'yuv420p', y4m]);

  it('produces clips and labels that update at least twice', async () => {
    const engine = await openEnginePage({
      extraArgs: ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`],
    });
    try {
      const r: WebcamRun = await engine.run('/app/video/webcamProbe.ts', 'collectWebcamLabels', probe);
      expect(r.labels.length, JSON.stringify(r)).toBeGreaterThanOrEqual(3);
      for (const l of r.labels) expect(l.sum).toBeCloseTo(1, 3);
      expect(r.labels[2].time).toBeGreaterThan(r.labels[0].time);
    } finally {
      await engine.close();
    }
  }, 180_000);

  it('says so when camera permission is denied', async () => {
    const engine = await openEnginePage({ extraArgs: ['--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`] });
    try {
      const r: WebcamRun = await engine.run('/app/video/webcamProbe.ts', 'collectWebcamLabels', probe);
      expect(r).toMatchObject({ kind: 'permission-denied' });
      expect((r as { error: string }).error).toMatch(/Camera permission was denied/);
    } finally {
      await engine.close();
    }
  }, 180_000);
});
