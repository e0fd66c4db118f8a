// Answers a file as a CDN does (206 and Content-Range, an ETag and If-Range, 416 past the end), with the faults
// of a real network on demand: a connection dropped once at a byte, a stall, 503s from a byte on, one byte
// damaged, a size that is a lie. Shared by the stand-in zoo (e2e/zoo-server.mjs) and the CLI's tests.
import { openSync, readSync, statSync } from 'node:fs';

const opened = new Map();

/** A file on disk (opened once), read in spans. */
export function fileSource(path) {
  if (opened.has(path)) return opened.get(path);
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  opened.set(path, {
    size,
    read(start, end) {
      const out = Buffer.alloc(end - start);
      readSync(fd, out, 0, out.length, start);
      return out;
    },
  });
  return opened.get(path);
}

export const bufferSource = (bytes) => ({ size: bytes.length, read: (start, end) => Buffer.from(bytes.subarray(start, end)) });

const CHUNK = 128 * 1024;

/** Until the response can take more, or is closed. */
const drained = (res) => new Promise((resolve) => {
  const done = () => {
    res.off('drain', done);
    res.off('close', done);
    resolve();
  };
  res.on('drain', done);
  res.on('close', done);
});

/**
 * Answers `req` from `source`. Faults (each optional): `dropAt`, the first answer that crosses it stops there and
 * closes its connection; `stallAt`, the first answer that reaches it sends nothing more until closed;
 * `refuseFrom`, a span reaching it gets 503; `corruptAt`, that byte goes out flipped, once; `claimedSize`, the size
 * the server says the file has; `everyMs`, a pause between chunks (to watch progress); `ranges: false`, a server
 * that answers every request with the whole file. `stats` counts bytes sent and the faults that happened.
 */
export async function answerRange(req, res, source, faults = {}, stats = {}) {
  const size = source.size;
  const claimed = faults.claimedSize ?? size;
  const etag = `"${size}"`;
  res.setHeader('content-type', 'application/octet-stream');
  res.setHeader('etag', etag);
  const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  let start = 0;
  let end = size - 1;
  if (faults.ranges !== false) res.setHeader('accept-ranges', 'bytes');
  if (m && faults.ranges !== false && !(req.headers['if-range'] && req.headers['if-range'] !== etag)) {
    start = Number(m[1]);
    end = m[2] ? Math.min(Number(m[2]), claimed - 1) : claimed - 1;
    if (start >= size || end >= size) {
      res.statusCode = 416;
      res.setHeader('content-range', `bytes */${size}`);
      return res.end();
    }
    if (faults.refuseFrom !== undefined && end >= faults.refuseFrom) {
      res.statusCode = 503;
      return res.end();
    }
    res.statusCode = 206;
    res.setHeader('content-range', `bytes ${start}-${end}/${claimed}`);
  }
  res.setHeader('content-length', end - start + 1);
  stats.requests = (stats.requests ?? 0) + 1;
  (stats.spans ??= []).push(`${res.statusCode} ${start}-${end}`);
  stats.bytes ??= 0;
  let closed = false;
  req.on('close', () => (closed = true));
  for (let at = start; at <= end && !closed;) {
    let to = Math.min(end + 1, at + CHUNK);
    const drop = faults.dropAt !== undefined && !stats.dropped && at <= faults.dropAt && to > faults.dropAt;
    const stall = faults.stallAt !== undefined && !stats.stalled && at <= faults.stallAt && to > faults.stallAt;
    if (drop || stall) to = drop ? faults.dropAt : faults.stallAt;
    const bytes = source.read(at, to);
    if (faults.corruptAt !== undefined && !stats.corrupted && at <= faults.corruptAt && to > faults.corruptAt) {
      bytes[faults.corruptAt - at] ^= 0xff;
      stats.corrupted = true;
    }
    if (bytes.length && !res.write(bytes)) await drained(res);
    stats.bytes += bytes.length;
    at = to;
    if (drop) {
      stats.dropped = true;
      res.socket?.destroy();
      return;
    }
    if (stall) {
      // Nothing more, until the client gives up or goes (a reload).
      stats.stalled = true;
      return;
    }
    if (faults.everyMs) await new Promise((r) => setTimeout(r, faults.everyMs));
  }
  res.end();
}
