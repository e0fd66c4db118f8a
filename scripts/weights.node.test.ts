// `npm run weights` against a local HTTP server that stands in for the model zoo (a golden checkpoint under
// the zoo's paths; a 157-class head for Charades).
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { officialShapedCheckpoint } from '../e2e/officialCheckpoint.ts';
import { answerRange, fileSource } from '../e2e/rangeServer.mjs';
import { writeTorchCheckpoint } from '../e2e/torchCheckpoint.ts';
import { PRESETS } from '../model/slowfast.ts';
import { randomStateDict } from '../model/weights/weightSource.ts';
import { runScript } from './runScript.ts';

const checkpoint = readFileSync(new URL('../../shared/golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'weights-'));
let charades: Buffer;
let server: Server;
let port: number;
/** The official-shaped checkpoint (276 MB, half of it optimizer state), made once per test run. */
const official = officialShapedCheckpoint();
/** Bytes the Range-answering paths sent, and whether the dropping one has dropped yet. */
const sent: { bytes: number; dropped: boolean; refuseFrom?: number; corrupted?: boolean } = { bytes: 0, dropped: false };
/** Where the corrupting path flips a byte, once: inside one of the golden checkpoint's weight records. */
const CORRUPT_AT = 5_000_000;
/** Where the dropping path cuts its connection once: 60 MB into the file, as a flaky network does. */
const DROP_AT = 60e6;

/** The golden and official-shaped checkpoints as a CDN answers them; `drop`, once at DROP_AT; `corrupt`, once at CORRUPT_AT. */
function answer(req: IncomingMessage, res: ServerResponse, file: string, drop: boolean, corrupt = false) {
  void answerRange(req, res, fileSource(file), { dropAt: drop ? DROP_AT : undefined, corruptAt: corrupt ? CORRUPT_AT : undefined, refuseFrom: sent.refuseFrom }, sent);
}

beforeAll(async () => {
  // Charades' Slow R50 at quarter width: a 157-class head, no cfg.
  const dict = [...randomStateDict({ ...PRESETS.slow_r50_8x8, stemChannels: [16, 8], numClasses: 157 })];
  const file = join(tmp, 'charades.pyth');
  writeTorchCheckpoint(file, {
    tensors: dict.map(([key, t]) => ({ key, shape: t.shape, dtype: 'float32' })),
    data: (i) => new Uint8Array(dict[i][1].data.buffer),
  });
  charades = readFileSync(file);
  server = createServer((req, res) => {
    if (req.url === '/ranged/zoo/kinetics/SLOWFAST_8x8_R50.pyth') return answer(req, res, official.checkpoint, true);
    if (req.url === '/ranged/golden/kinetics/SLOWFAST_8x8_R50.pyth') return answer(req, res, new URL('../../shared/golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth', import.meta.url).pathname, false);
    if (req.url === '/ranged/legacy/kinetics/SLOWFAST_8x8_R50.pyth') return answer(req, res, new URL('../../shared/golden/slowfast_r50_w16_8x8_64px/checkpoint_legacy.pyth', import.meta.url).pathname, false);
    if (req.url === '/ranged/corrupt/kinetics/SLOWFAST_8x8_R50.pyth') return answer(req, res, new URL('../../shared/golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth', import.meta.url).pathname, false, true);
    const body = req.url === '/zoo/kinetics/SLOWFAST_8x8_R50.pyth' || req.url === '/SLOWFAST_8x8_R50.pyth' ? checkpoint
      : req.url === '/zoo/charades/SLOW_8x8_R50.pyth' ? charades
        : req.url === '/not-a-checkpoint.pyth' ? Buffer.from('<html>captive portal</html>') : undefined;
    if (!body) {
      res.statusCode = 404;
      return res.end();
    }
    res.setHeader('content-length', body.length);
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => {
  server.close();
  official.dispose();
});

const weights = (args: string[], env: Record<string, string>) => runScript('weights', args, env);
/** The output of an --out folder. */
const converted = (dir: string) => readFileSync(join(dir, 'SLOWFAST_8x8_R50.safetensors'));
let whole: Promise<Buffer> | undefined;
/** The golden checkpoint downloaded whole (no Range) and converted: what every other way of fetching it must give. Made once. */
const convertedWhole = () => (whole ??= (async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weights-'));
  const r = await weights(['--out', dir], { SLOWFAST_ZOO_URL: `http://127.0.0.1:${port}/zoo` });
  expect(r.status, r.stderr).toBe(0);
  return converted(dir);
})());
const header = (file: string) => {
  const bytes = readFileSync(file);
  const json = JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString());
  return { json, config: JSON.parse(json.__metadata__.slowfast_config) };
};

describe('npm run weights', () => {
  it('downloads the default model from the zoo (SLOWFAST_ZOO_URL) and converts it into the output folder', async () => {
    const out = mkdtempSync(join(tmpdir(), 'weights-'));
    const r = await weights(['--out', out], { SLOWFAST_ZOO_URL: `http://127.0.0.1:${port}/zoo` });
    expect(r.status, r.stderr).toBe(0);
    // This server answers Range requests with the whole file: it is downloaded whole, and the CLI says so.
    expect(r.stdout).toMatch(/SLOWFAST_8x8_R50\.pyth's server does not answer Range requests: downloading the whole file/);
    expect(r.stdout).toMatch(/downloaded 9\.3 MiB from http:\/\/127\.0\.0\.1:\d+\/zoo\/kinetics\/SLOWFAST_8x8_R50\.pyth/);
    // Only the converted file is left; the download was streamed to disk and removed.
    expect(readdirSync(out)).toEqual(['SLOWFAST_8x8_R50.safetensors']);
    const { json, config } = header(join(out, 'SLOWFAST_8x8_R50.safetensors'));
    expect(config).toMatchObject({ depth: 50, alpha: 4, fusionKernel: 7, stemChannels: [16, 2], numClasses: 400, fastFrames: 32, tau: 8 });
    expect(json['blocks.6.proj.weight'].shape).toEqual([400, 576]);
  }, 60_000);

  it('fetches only the weights\' records of an official-shaped checkpoint by HTTP Range, resuming a connection dropped 60 MB in', async () => {
    const out = mkdtempSync(join(tmpdir(), 'weights-'));
    const size = statSync(official.checkpoint).size;
    sent.bytes = 0;
    const r = await weights(['--out', out], { SLOWFAST_ZOO_URL: `http://127.0.0.1:${port}/ranged/zoo`, SLOWFAST_STALL_MS: '5000' });
    expect(r.status, r.stderr).toBe(0);
    expect(sent.dropped).toBe(true);
    expect(r.stdout).toMatch(/downloaded [\d.]+ MiB of [\d.]+ MiB from .* \(only the weights' records, by HTTP Range; resumed 1 time\)/);
    // What crossed the wire: at most 0.55 of the file (the optimizer's half never), as the CLI counts it too.
    expect(sent.bytes).toBeLessThanOrEqual(0.55 * size);
    const fetched = Number(/downloaded ([\d.]+) MiB/.exec(r.stdout)![1]) * 2 ** 20;
    expect(Math.abs(fetched - sent.bytes)).toBeLessThan(0.1 * 2 ** 20);
    expect(readdirSync(out)).toEqual(['SLOWFAST_8x8_R50.safetensors']);
    expect(header(join(out, 'SLOWFAST_8x8_R50.safetensors')).config).toMatchObject({ depth: 50, stemChannels: [64, 8], numClasses: 400 });
  }, 240_000);

  it('keeps what a broken-off download fetched beside the output, and the next run resumes from it', async () => {
    const out = mkdtempSync(join(tmpdir(), 'weights-'));
    const size = statSync(official.checkpoint).size;
    const env = { SLOWFAST_ZOO_URL: `http://127.0.0.1:${port}/ranged/zoo` };
    sent.refuseFrom = DROP_AT;
    sent.bytes = 0;
    const broken = await weights(['--out', out], env);
    sent.refuseFrom = undefined;
    const first = sent.bytes;
    expect(first).toBeGreaterThan(2 ** 20);
    expect(broken.status).toBe(3);
    expect(broken.stderr).toMatch(/the download of .*SLOWFAST_8x8_R50\.pyth broke off at byte \d+ of \d+ \(HTTP 503\) 5 times; run npm run weights again to resume/);
    expect(readdirSync(out).sort()).toEqual(['.SLOWFAST_8x8_R50.safetensors.download', '.SLOWFAST_8x8_R50.safetensors.download.json']);
    sent.bytes = 0;
    const resumed = await weights(['--out', out], env);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/resuming the download of .*: [\d.]+ MiB kept from an earlier run/);
    // The second run fetched only what the first did not (the two together at most what one run fetches).
    expect(sent.bytes + first).toBeLessThanOrEqual(0.55 * size);
    expect(readdirSync(out)).toEqual(['SLOWFAST_8x8_R50.safetensors']);
  }, 240_000);

  it('converts the same file whether fetched by Range or whole: the golden checkpoint gives the same safetensors', async () => {
    const ranged = mkdtempSync(join(tmpdir(), 'weights-'));
    const a = await weights(['--out', ranged], { SLOWFAST_ZOO_URL: `http://127.0.0.1:${port}/ranged/golden` });
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/by HTTP Range\)/);
    expect(converted(ranged).equals(await convertedWhole())).toBe(true);
  }, 120_000);

  it('fetches a legacy (non-zip) checkpoint by Range too: whole, as it has no directory, and to the same weights', async () => {
    const legacy = mkdtempSync(join(tmpdir(), 'weights-'));
    sent.bytes = 0;
    const a = await weights(['--out', legacy], { SLOWFAST_ZOO_URL: `http://127.0.0.1:${port}/ranged/legacy` });
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/by HTTP Range\)/);
    const size = statSync(new URL('../../shared/golden/slowfast_r50_w16_8x8_64px/checkpoint_legacy.pyth', import.meta.url)).size;
    // Every byte once (and no more than a block's rounding past the end: a read never runs past the file).
    expect(sent.bytes).toBeLessThanOrEqual(size + 1);
    expect(converted(legacy).equals(await convertedWhole())).toBe(true);
  }, 120_000);

  it('checks each record against its CRC-32: a damaged one is fetched again, and a damaged file on disk is refused', async () => {
    const ranged = mkdtempSync(join(tmpdir(), 'weights-'));
    const a = await weights(['--out', ranged], { SLOWFAST_ZOO_URL: `http://127.0.0.1:${port}/ranged/corrupt` });
    expect(a.status, a.stderr).toBe(0);
    expect(sent.corrupted).toBe(true);
    expect(a.stdout).toMatch(/1 record failed the CRC-32 check and was fetched again\)/);
    expect(converted(ranged).equals(await convertedWhole())).toBe(true);
    // The same byte damaged in a file on disk: refused, naming the record.
    const damaged = Buffer.from(checkpoint);
    damaged[CORRUPT_AT] ^= 0xff;
    const file = join(tmp, 'damaged.pyth');
    writeFileSync(file, damaged);
    const c = await runScript('convert', [file, join(tmp, 'damaged.safetensors')], {});
    expect(c.status).toBe(1);
    expect(c.stderr).toMatch(/the checkpoint's zip archive is damaged or truncated \(\w+\/data\/\d+ fails its CRC-32 check\)/);
  }, 120_000);

  it('downloads another zoo model by --model: Charades\' Slow R50, a multi-label head', async () => {
    const out = mkdtempSync(join(tmpdir(), 'weights-'));
    const r = await weights(['--model', 'charades/SLOW_8x8_R50', '--out', out], { SLOWFAST_ZOO_URL: `http://127.0.0.1:${port}/zoo/` });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/wrote .*charades-SLOW_8x8_R50\.safetensors \(Slow R50 8×8 \(Charades\): Slow R50, 8×8, 157 classes/);
    expect(header(join(out, 'charades-SLOW_8x8_R50.safetensors')).config).toMatchObject({ slowOnly: true, numClasses: 157, headActivation: 'sigmoid' });
  }, 60_000);

  it('lists the zoo: every SlowFast and Slow checkpoint with dataset, frames, accuracy and size', async () => {
    const r = await weights(['--list'], {});
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout.split('\n');
    expect(rows[0]).toMatch(/^name +dataset +frames×stride +accuracy +parameters +size$/);
    for (const name of ['SLOWFAST_8x8_R50', 'SLOWFAST_4x16_R50', 'SLOWFAST_8x8_R101', 'SLOWFAST_16x8_R101_50_50', 'SLOW_8x8_R50', 'SLOW_4x16_R50',
      'ssv2/SLOWFAST_8x8_R50', 'ssv2/SLOW_8x8_R50', 'charades/SLOWFAST_8x8_R50', 'charades/SLOW_8x8_R50']) {
      expect(rows.some((row) => row.startsWith(`${name} `)), name).toBe(true);
    }
    expect(rows.find((row) => row.startsWith('SLOWFAST_16x8_R101_50_50 '))).toMatch(/Kinetics-400 +16x8 +78\.70 top-1 +53\.77 M +≈ 410\.2 MiB/);
    expect(rows.find((row) => row.startsWith('charades/SLOW_8x8_R50 '))).toMatch(/Charades +8x8 +34\.72 mAP/);
  }, 60_000);

  it('refuses an unknown model, naming the ones it knows', async () => {
    const r = await weights(['--model', 'SLOWFAST_32x2_R50'], {});
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown model 'SLOWFAST_32x2_R50'; one of SLOWFAST_8x8_R50, .*charades\/SLOW_8x8_R50 \(npm run weights -- --list\)/);
  }, 60_000);

  it('fails with a clear message and exit code 3 when offline', async () => {
    const out = mkdtempSync(join(tmpdir(), 'weights-'));
    // A port that was just closed stands in for an unreachable network.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const r = await weights(['--out', out], { SLOWFAST_WEIGHTS_URL: `http://127.0.0.1:${deadPort}/SLOWFAST_8x8_R50.pyth` });
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`could not download http://127.0.0.1:${deadPort}/SLOWFAST_8x8_R50.pyth (ECONNREFUSED). Check your network connection`);
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);

  it('fails with exit code 3 on an HTTP error, and 1 on a download that is not a checkpoint', async () => {
    const out = mkdtempSync(join(tmpdir(), 'weights-'));
    const missing = await weights(['--out', out], { SLOWFAST_WEIGHTS_URL: `http://127.0.0.1:${port}/gone.pyth` });
    expect(missing.status).toBe(3);
    expect(missing.stderr).toMatch(/HTTP 404/);
    const html = await weights(['--out', out], { SLOWFAST_WEIGHTS_URL: `http://127.0.0.1:${port}/not-a-checkpoint.pyth` });
    expect(html.status).toBe(1);
    expect(html.stderr).toMatch(/not a PyTorch checkpoint/);
    expect(readdirSync(out)).toEqual([]);
  }, 60_000);
});
