// Stands in for the model zoo in the e2e tests (the preview server relays /__zoo/ here through
// SLOWFAST_ZOO_URL): a checkpoint served slowly enough to watch its progress, one that never ends (to cancel),
// a connection that drops (the zoo unreachable) and a refusal. Every response ends by itself within a minute.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { resolve } from 'node:path';

const port = Number(process.argv[2] || 4175);
const golden = readFileSync(resolve(import.meta.dirname, '../../shared/golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth'));
const CHUNK = 128 * 1024;

/** Writes `body` (or, without one, zeros up to `length`) in chunks every `everyMs`, until done, closed, or a minute. */
function trickle(req, res, { body, length, everyMs }) {
  res.setHeader('content-type', 'application/octet-stream');
  res.setHeader('content-length', length);
  let sent = 0;
  const started = Date.now();
  const timer = setInterval(() => {
    if (res.destroyed || Date.now() - started > 60_000) {
      clearInterval(timer);
      res.destroy();
      return;
    }
    const n = Math.min(CHUNK, length - sent);
    res.write(body ? body.subarray(sent, sent + n) : Buffer.alloc(n));
    sent += n;
    if (sent >= length) {
      clearInterval(timer);
      res.end();
    }
  }, everyMs);
  req.on('close', () => clearInterval(timer));
}

createServer((req, res) => {
  switch (new URL(req.url ?? '/', 'http://x').pathname) {
    case '/zoo/kinetics/SLOWFAST_8x8_R50.pyth': {
      // As a CDN answers a range of it (at once: the trickle is for watching a whole download's progress).
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
      if (!range) return trickle(req, res, { body: golden, length: golden.length, everyMs: 40 });
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), golden.length - 1) : golden.length - 1;
      res.setHeader('etag', `"golden-${golden.length}"`);
      if (start >= golden.length) {
        res.statusCode = 416;
        res.setHeader('content-range', `bytes */${golden.length}`);
        return res.end();
      }
      res.statusCode = 206;
      res.setHeader('content-range', `bytes ${start}-${end}/${golden.length}`);
      res.setHeader('content-length', end - start + 1);
      return res.end(golden.subarray(start, end + 1));
    }
    case '/zoo/kinetics/SLOWFAST_8x8_R101.pyth':
      return trickle(req, res, { length: 500 * 2 ** 20, everyMs: 100 });
    case '/zoo/kinetics/SLOWFAST_4x16_R50.pyth':
      return req.socket.destroy();
    case '/zoo/kinetics/SLOW_8x8_R50.pyth':
      res.statusCode = 403;
      return res.end('Forbidden');
    default:
      res.statusCode = 404;
      return res.end('not found');
  }
}).listen(port, 'localhost', () => console.log(`test model zoo at http://localhost:${port}/zoo`));
