// The ranged download against a local server that answers as a CDN, with a network's faults (e2e/rangeServer.mjs).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerRange, bufferSource, type RangeFaults, type RangeStats } from '../../e2e/rangeServer.mjs';
import { readWeights } from './load.ts';
import { DownloadError, memoryBlockStore, probeRanges, rangedSource, type DownloadStats } from './rangedDownload.ts';

const golden = readFileSync(new URL('../../../shared/golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth', import.meta.url));
let server: Server;
let url: string;
/** What the server serves now: the file, its faults, and what it sent. */
let serving: { bytes: Uint8Array; faults: RangeFaults; stats: RangeStats } = { bytes: golden, faults: {}, stats: {} };
const serve = (bytes: Uint8Array, faults: RangeFaults = {}) => (serving = { bytes, faults, stats: {} });
const quick = { backoffMs: () => 10 };

beforeAll(async () => {
  server = createServer((req, res) => void answerRange(req, res, bufferSource(serving.bytes), serving.faults, serving.stats));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/checkpoint.pyth`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

async function download(store = memoryBlockStore(), options: { stallMs?: number } = {}) {
  const support = (await probeRanges(url))!;
  const progress: DownloadStats[] = [];
  const source = await rangedSource({ url, support, store, estimate: 1e9, ...quick, ...options, onProgress: (s) => progress.push({ ...s }) });
  return { source, progress, store };
}

describe('a download by HTTP Range', () => {
  it('reads the same weights as the whole file, and its progress ends at exactly what it fetched', async () => {
    serve(golden);
    const { source, progress } = await download();
    const ranged = await readWeights(source);
    const whole = await readWeights(new Uint8Array(golden));
    expect([...ranged.dict.keys()]).toEqual([...whole.dict.keys()]);
    const bytes = (t: { data: ArrayBufferView }) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    for (const [key, t] of whole.dict) expect(bytes(ranged.dict.get(key)!).equals(bytes(t)), key).toBe(true);
    // Once the reader said what it reads, the expected size is the truth, not the caller's estimate.
    expect(progress.at(-1)).toMatchObject({ fetched: source.stats.fetched, expected: source.stats.fetched });
    expect(progress.some((p) => p.expected === 1e9)).toBe(true);
    expect(source.stats.fetched).toBe(serving.stats.bytes! - 1);
  });

  it('retries a dropped connection and a stall from the byte reached', async () => {
    serve(golden, { dropAt: 3_000_000, stallAt: 7_000_000 });
    const { source } = await download(memoryBlockStore(), { stallMs: 300 });
    await readWeights(source);
    expect(serving.stats).toMatchObject({ dropped: true, stalled: true });
    expect(source.stats.resumed).toBe(2);
    // Each retry asked only for what had not arrived: nothing crossed the wire twice.
    expect(serving.stats.bytes).toBe(golden.length + 1);
  });

  it('gives up after five tries with the byte reached, and a later download resumes from the blocks kept', async () => {
    serve(golden, { refuseFrom: 6_000_000 });
    const store = memoryBlockStore();
    const first = await download(store);
    const error = await readWeights(first.source).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect(error).toMatchObject({ kind: 'broke-off', detail: { why: 'HTTP 503', total: golden.length } });
    const sentFirst = serving.stats.bytes!;
    serve(golden);
    const second = await download(store);
    expect(second.source.keptBlocks).toBe(5);
    await readWeights(second.source);
    expect(sentFirst + serving.stats.bytes!).toBe(golden.length + 2);
  });

  it('never splices two versions: a file that changed is refused, and what was kept of it dropped', async () => {
    serve(golden);
    const store = memoryBlockStore();
    const { source } = await download(store);
    await source.read(0, 10);
    // Another file of another size (so another ETag) under the same address, mid-download.
    serve(golden.subarray(0, golden.length - 1));
    const error = await readWeights(source).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'changed' });
    expect((await store.readIndex())?.blocks).toEqual([]);
  });
});
