// `npm run weights` against a local HTTP server that serves a golden checkpoint in place of the zoo.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScript } from './runScript.ts';

const checkpoint = readFileSync(new URL('../../shared/golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth', import.meta.url));
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/SLOWFAST_8x8_R50.pyth') {
      res.setHeader('content-length', checkpoint.length);
      res.end(checkpoint);
    } else if (req.url === '/not-a-checkpoint.pyth') {
      res.end('<html>captive portal</html>');
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => server.close());

const weights = (url: string, out: string) => runScript('weights', ['--out', out], { SLOWFAST_WEIGHTS_URL: url });

describe('npm run weights', () => {
  it('downloads from SLOWFAST_WEIGHTS_URL and converts into the output folder', async () => {
    const out = mkdtempSync(join(tmpdir(), 'weights-'));
    const r = await weights(`http://127.0.0.1:${port}/SLOWFAST_8x8_R50.pyth`, out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/downloaded 9\.3 MiB/);
    const file = readFileSync(join(out, 'slowfast_r50_8x8.safetensors'));
    // A safetensors header that records the architecture read off the checkpoint.
    const headerLength = Number(file.readBigUInt64LE(0));
    const header = JSON.parse(file.subarray(8, 8 + headerLength).toString());
    const config = JSON.parse(header.__metadata__.slowfast_config);
    expect(config).toMatchObject({ depth: 50, alpha: 4, fusionKernel: 7, stemChannels: [16, 2], numClasses: 400 });
    expect(header['blocks.6.proj.weight'].shape).toEqual([400, 576]);
  }, 60_000);

  it('fails with a clear message and exit code 3 when offline', async () => {
    const out = mkdtempSync(join(tmpdir(), 'weights-'));
    // A port that was just closed stands in for an unreachable network.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const r = await weights(`http://127.0.0.1:${deadPort}/SLOWFAST_8x8_R50.pyth`, out);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`could not download http://127.0.0.1:${deadPort}/SLOWFAST_8x8_R50.pyth (ECONNREFUSED). Check your network connection`);
  }, 60_000);

  it('fails with exit code 3 on an HTTP error, and 1 on a download that is not a checkpoint', async () => {
    const out = mkdtempSync(join(tmpdir(), 'weights-'));
    const missing = await weights(`http://127.0.0.1:${port}/gone.pyth`, out);
    expect(missing.status).toBe(3);
    expect(missing.stderr).toMatch(/HTTP 404/);
    const html = await weights(`http://127.0.0.1:${port}/not-a-checkpoint.pyth`, out);
    expect(html.status).toBe(1);
    expect(html.stderr).toMatch(/not a PyTorch checkpoint/);
  }, 60_000);
});
