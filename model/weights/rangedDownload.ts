// A checkpoint fetched in part by HTTP Range: only what the reader asks for (the zip's directory, the pickle,
// the weights' records, never the optimizer state's) crosses the network, in blocks kept by a BlockStore (a file
// beside the CLI's output, the page's kept folder), so a later run resumes where this one stopped. A dropped
// connection, a 5xx or a stall carries on from the byte reached, with backoff, a few times; If-Range (the
// ETag, else Last-Modified) keeps a resumed span from another version of the file, and blocks kept from another
// version are dropped. Shared by `npm run weights` and the page.
import type { ByteSource } from './byteSource.ts';
import { CheckpointError } from './pickle.ts';

/** Fetched and kept in blocks of this size. */
export const BLOCK_BYTES = 1 << 20;
/** Without a plan, a read that misses fetches a few blocks after it in the same request. */
const READ_AHEAD_BLOCKS = 4;
/** The most blocks one request asks for: a retry after a drop then repeats at most this much. */
const MAX_SPAN_BLOCKS = 16;
/** Tries of one span before the download gives up. */
export const DOWNLOAD_TRIES = 5;

/** What an earlier download left: which file (address, size, version) and the blocks of it that are kept. */
export interface KeptDownload {
  url: string;
  total: number;
  version: string | null;
  blocks: number[];
}

/** Where a download's blocks are kept across runs. */
export interface BlockStore {
  readIndex(): Promise<KeptDownload | undefined>;
  writeIndex(index: KeptDownload): Promise<void>;
  /** Block `i`'s bytes (BLOCK_BYTES, the last one shorter), as written. */
  readBlock(i: number, length: number): Promise<Uint8Array<ArrayBuffer>>;
  writeBlock(i: number, bytes: Uint8Array<ArrayBuffer>): Promise<void>;
  close(): Promise<void>;
  /** The blocks and their index go (the download is converted, or cancelled). */
  remove(): Promise<void>;
}

/** A store that keeps nothing past this run (where the browser keeps no files). */
export function memoryBlockStore(): BlockStore {
  const blocks = new Map<number, Uint8Array<ArrayBuffer>>();
  let index: KeptDownload | undefined;
  return {
    readIndex: async () => index,
    writeIndex: async (i) => void (index = i),
    readBlock: async (i) => blocks.get(i) ?? new Uint8Array(0),
    writeBlock: async (i, bytes) => void blocks.set(i, bytes.slice()),
    close: async () => {},
    remove: async () => {
      blocks.clear();
      index = undefined;
    },
  };
}

export type DownloadErrorKind =
  /** No answer: offline, the name does not resolve, the connection refused. */
  | 'unreachable'
  /** An HTTP error (4xx; 5xx on the first request). */
  | 'refused'
  /** The answer is a web page, not a file (a server that answers every path with its page). */
  | 'not-a-file'
  /** Retried DOWNLOAD_TRIES times, each broke off (dropped, 5xx, stalled). What arrived is kept. */
  | 'broke-off'
  /** The file changed on the server mid-download; what was kept of it is dropped. */
  | 'changed'
  | 'aborted';

export class DownloadError extends Error {
  override readonly name = 'DownloadError';
  constructor(readonly kind: DownloadErrorKind, message: string, readonly detail: { status?: number; statusText?: string; body?: string; at?: number; total?: number; why?: string } = {}) {
    super(message);
  }
}

/** A network failure's cause, in a word where the runtime gives one (ECONNREFUSED). */
function causeOf(e: unknown): string {
  const cause = e instanceof Error ? e.cause : undefined;
  if (cause && typeof cause === 'object') {
    if ('code' in cause && typeof cause.code === 'string' && cause.code) return cause.code;
    if ('message' in cause && typeof cause.message === 'string' && cause.message) return cause.message;
  }
  return e instanceof Error ? e.message : String(e);
}

const isAbort = (e: unknown) => (e instanceof Error || (typeof DOMException !== 'undefined' && e instanceof DOMException)) && e.name === 'AbortError';

export interface FetchOptions {
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/** The file's size and version where the server answers Range requests. */
export interface RangeSupport {
  total: number;
  version?: string;
}

/**
 * Asks for the file's first byte: its size and version where the server answers Range (206 with Content-Range),
 * else undefined (a 200: the whole file comes to every request). Throws a DownloadError where there is no file.
 */
export async function probeRanges(url: string, { fetch: get = fetch, signal }: FetchOptions = {}): Promise<RangeSupport | undefined> {
  let response: Response;
  try {
    response = await get(url, { headers: { range: 'bytes=0-0' }, signal });
  } catch (e) {
    if (signal?.aborted || isAbort(e)) throw new DownloadError('aborted', 'the download was cancelled');
    throw new DownloadError('unreachable', `${url} cannot be reached (${causeOf(e)})`, { why: causeOf(e) });
  }
  const body = response.status >= 400 ? (await response.text().catch(() => '')).slice(0, 300) : (await response.body?.cancel().catch(() => {}), '');
  if (response.status >= 400) throw new DownloadError('refused', `${url}: HTTP ${response.status} ${response.statusText}`, { status: response.status, statusText: response.statusText, body });
  if (/text\/html/.test(response.headers.get('content-type') ?? '')) throw new DownloadError('not-a-file', `${url} answers with a web page, not a file`);
  const total = /^bytes 0-0\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1];
  if (response.status === 206 && total) return { total: Number(total), version: response.headers.get('etag') ?? response.headers.get('last-modified') ?? undefined };
  return undefined;
}

/** A download's counts: bytes fetched this run and expected in all, kept from an earlier run, retries, refetches. */
export interface DownloadStats {
  fetched: number;
  /** Bytes this run will fetch, once the reader has said what it reads (before that, the caller's estimate). */
  expected: number;
  /** Bytes kept from an earlier run that this one uses. */
  kept: number;
  resumed: number;
  refetched: number;
}

export interface RangedOptions extends FetchOptions {
  url: string;
  support: RangeSupport;
  store: BlockStore;
  /** What this run is likely to fetch, until the reader's plan says exactly. */
  estimate: number;
  /** No byte for this long and a try counts as stalled. */
  stallMs?: number;
  onProgress?(stats: DownloadStats): void;
  /** Waits between tries (the tests shorten it). */
  backoffMs?(attempt: number): number;
}

export interface RangedSource extends ByteSource {
  readonly stats: DownloadStats;
  /** Blocks kept from an earlier run of the same file, when this one started. */
  readonly keptBlocks: number;
  close(): Promise<void>;
  /** The download is done (converted) or cancelled: its blocks go. */
  discard(): Promise<void>;
}

/** The remote file as a source the checkpoint reader reads in parts; see the file's head. */
export async function rangedSource(o: RangedOptions): Promise<RangedSource> {
  const { url, store, support: { total, version } } = o;
  const get = o.fetch ?? fetch;
  const stallMs = o.stallMs ?? 30_000;
  const backoff = o.backoffMs ?? ((attempt: number) => Math.min(8000, 250 * 2 ** attempt));
  const blocks = Math.ceil(total / BLOCK_BYTES);
  const blockLength = (i: number) => Math.min(BLOCK_BYTES, total - i * BLOCK_BYTES);
  /** The first and last block bytes [offset, offset + length) lie in (a block, for an empty span). */
  const blocksOf = (offset: number, length: number) => [Math.floor(offset / BLOCK_BYTES), Math.floor((offset + Math.max(length, 1) - 1) / BLOCK_BYTES)] as const;
  const kept = await store.readIndex().catch(() => undefined);
  const resuming = kept?.url === url && kept.total === total && kept.version === (version ?? null);
  const have = new Set(resuming ? kept.blocks.filter((b) => Number.isInteger(b) && b >= 0 && b < blocks) : []);
  const keptBlocks = have.size;
  /** Blocks the reader said it will read; until it says, none. */
  let planned: Set<number> | undefined;
  const stats: DownloadStats = { fetched: 0, expected: o.estimate, kept: [...have].reduce((n, b) => n + blockLength(b), 0), resumed: 0, refetched: 0 };
  const remember = () => store.writeIndex({ url, total, version: version ?? null, blocks: [...have] });
  if (!resuming) await remember();
  const report = () => {
    if (planned) {
      let missing = 0;
      for (const b of planned) if (!have.has(b)) missing += blockLength(b);
      // The block arriving now is in both: its bytes so far are fetched, and it is missing until whole.
      stats.expected = stats.fetched + missing - (arriving && planned.has(arriving.block) ? arriving.filled : 0);
    } else stats.expected = Math.max(stats.expected, stats.fetched);
    o.onProgress?.(stats);
  };
  /** The block being fetched, and how much of it has arrived. */
  let arriving: { block: number; filled: number } | undefined;
  /** The block last read back, as the reader reads many small records from one block. */
  let lastRead: { i: number; bytes: Uint8Array<ArrayBuffer> } | undefined;

  /** Blocks [first, last] from the server into the store, each marked kept as it completes. */
  const fetchBlocks = async (first: number, last: number) => {
    const end = Math.min(total, (last + 1) * BLOCK_BYTES);
    let at = first * BLOCK_BYTES;
    let block = first;
    let filled = 0;
    let pending = new Uint8Array(blockLength(block));
    for (let attempt = 1; at < end; attempt++) {
      const stall = new AbortController();
      const cancel = () => stall.abort();
      o.signal?.addEventListener('abort', cancel);
      let timer = setTimeout(cancel, stallMs);
      try {
        if (o.signal?.aborted) throw new DownloadError('aborted', 'the download was cancelled');
        const response = await get(url, { headers: { range: `bytes=${at}-${end - 1}`, ...(version ? { 'if-range': version } : {}) }, signal: stall.signal });
        if (response.status === 200) {
          await response.body?.cancel().catch(() => {});
          have.clear();
          await remember();
          throw new DownloadError('changed', `${url} changed on the server during the download (it answered the whole file to a resumed range)`);
        }
        if (response.status >= 400 && response.status < 500) {
          throw new DownloadError('refused', `${url}: HTTP ${response.status} ${response.statusText}`, { status: response.status, statusText: response.statusText });
        }
        if (response.status !== 206 || !response.headers.get('content-range')?.startsWith(`bytes ${at}-`) || !response.body) throw new Error(`HTTP ${response.status}`);
        const reader = response.body.getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          clearTimeout(timer);
          timer = setTimeout(cancel, stallMs);
          let from = 0;
          while (from < value.length && at < end) {
            const n = Math.min(value.length - from, pending.length - filled, end - at);
            pending.set(value.subarray(from, from + n), filled);
            from += n;
            filled += n;
            at += n;
            stats.fetched += n;
            if (filled === pending.length) {
              await store.writeBlock(block, pending);
              have.add(block);
              await remember();
              block++;
              filled = 0;
              if (block <= last) pending = new Uint8Array(blockLength(block));
            }
          }
          arriving = { block, filled };
          report();
          if (at >= end) {
            await reader.cancel().catch(() => {});
            break;
          }
        }
        if (at < end) throw new Error(`the answer ended at byte ${at}`);
      } catch (e) {
        if (e instanceof DownloadError) throw e;
        if (o.signal?.aborted) throw new DownloadError('aborted', 'the download was cancelled');
        const why = stall.signal.aborted ? `no data for ${stallMs / 1000} s` : causeOf(e);
        if (attempt >= DOWNLOAD_TRIES) {
          throw new DownloadError('broke-off', `the download of ${url} broke off at byte ${at} of ${total} (${why}) ${DOWNLOAD_TRIES} times`, { at, total, why });
        }
        stats.resumed++;
        await new Promise((r) => setTimeout(r, backoff(attempt)));
      } finally {
        clearTimeout(timer);
        o.signal?.removeEventListener('abort', cancel);
      }
    }
  };

  const readBlock = async (i: number) => {
    if (lastRead?.i === i) return lastRead.bytes;
    const bytes = await store.readBlock(i, blockLength(i));
    if (bytes.length !== blockLength(i)) throw new CheckpointError(`the kept download lost block ${i}; start the download again`);
    lastRead = { i, bytes };
    return bytes;
  };

  return {
    size: total,
    stats,
    keptBlocks,
    async read(offset, length) {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > total) {
        throw new CheckpointError(`the file is truncated: ${length} bytes at ${offset} lie past its end (${total} bytes)`);
      }
      const [first, last] = blocksOf(offset, length);
      for (let b = first; b <= last; b++) {
        if (have.has(b)) continue;
        // This block and the missing ones after it that the read, the plan (or, without one, a short read-ahead)
        // needs: one request.
        let upTo = b;
        const wanted = (k: number) => k <= last || (planned ? planned.has(k) : k <= b + READ_AHEAD_BLOCKS);
        while (upTo + 1 < blocks && upTo + 1 - b < MAX_SPAN_BLOCKS && !have.has(upTo + 1) && wanted(upTo + 1)) upTo++;
        await fetchBlocks(b, upTo);
        b = upTo;
      }
      const out = new Uint8Array(length);
      for (let b = first; b <= last && length > 0; b++) {
        const bytes = await readBlock(b);
        const from = Math.max(offset, b * BLOCK_BYTES);
        const to = Math.min(offset + length, b * BLOCK_BYTES + bytes.length);
        out.set(bytes.subarray(from - b * BLOCK_BYTES, to - b * BLOCK_BYTES), from - offset);
      }
      return out;
    },
    async plan(spans) {
      planned = new Set();
      for (const { offset, length } of spans) {
        const [first, last] = blocksOf(offset, length);
        for (let b = first; b <= last && b < blocks; b++) planned.add(b);
      }
      report();
    },
    async refresh(offset, length) {
      stats.refetched++;
      const [first, last] = blocksOf(offset, length);
      for (let b = first; b <= last; b++) have.delete(b);
      lastRead = undefined;
      await remember();
      report();
    },
    close: () => store.close(),
    discard: async () => {
      await store.close().catch(() => {});
      await store.remove();
    },
  };
}
