// Stands in for the model zoo in the e2e tests (the preview server relays /__zoo/ here through
// SLOWFAST_ZOO_URL): a checkpoint served as a CDN does (by ranges), slowly enough to watch its progress, one that
// never ends (to cancel), a connection that drops (the zoo unreachable), a refusal, and the golden Slow-only
// checkpoint as SLOW_8x8_R50 (to compare with). A test may have
// SLOWFAST_8x8_R50 served from another file, with a network's faults (POST /control {file, faults}), and read what
// was sent (GET /control). Every whole-file response ends by itself within a minute.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { answerRange, bufferSource, fileSource } from './rangeServer.mjs';

const port = Number(process.argv[2] || 4175);
const golden = readFileSync(resolve(import.meta.dirname, '../../shared/golden/slowfast_r50_w16_8x8_64px/checkpoint.pyth'));
const goldenSlow = readFileSync(resolve(import.meta.dirname, '../../shared/golden/slow_r50_w16_8x8_64px/checkpoint.pyth'));
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

/** What SLOWFAST_8x8_R50 is served from and with which faults (see rangeServer.mjs), and what it sent. */
let control = {};
let stats = {};

createServer((req, res) => {
  switch (new URL(req.url ?? '/', 'http://x').pathname) {
    case '/zoo/kinetics/SLOWFAST_8x8_R50.pyth':
      // The golden checkpoint slowly enough to watch (128 KiB every 40 ms), unless a test chose a file and faults.
      return void answerRange(req, res, control.file ? fileSource(control.file) : bufferSource(golden), control.faults ?? { everyMs: 40 }, stats);
    case '/control':
      if (req.method === 'POST') {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          control = body ? JSON.parse(body) : {};
          stats = {};
          res.statusCode = 204;
          res.end();
        });
        return;
      }
      res.setHeader('content-type', 'application/json');
      return res.end(JSON.stringify(stats));
    case '/zoo/kinetics/SLOWFAST_8x8_R101.pyth':
      return trickle(req, res, { length: 500 * 2 ** 20, everyMs: 100 });
    case '/zoo/kinetics/SLOWFAST_4x16_R50.pyth':
      return req.socket.destroy();
    case '/zoo/kinetics/SLOW_8x8_R50.pyth':
      // The golden Slow-only checkpoint (SlowFast R50 8×8's partner in a comparison), by ranges, at once.
      return void answerRange(req, res, bufferSource(goldenSlow), {}, {});
    case '/zoo/kinetics/SLOW_4x16_R50.pyth':
      res.statusCode = 403;
      return res.end('Forbidden');
    default:
      res.statusCode = 404;
      return res.end('not found');
  }
}).listen(port, 'localhost', () => console.log(`test model zoo at http://localhost:${port}/zoo`));
