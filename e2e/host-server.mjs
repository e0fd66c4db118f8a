// A host page on another origin for the embed tests (and the README's example, runnable): serves
// e2e/host.html (cross-origin isolated with ?isolated=1, as a host that wants the widget's CPU engine threaded)
// and, with CORS, ../shared/media and ../shared/golden for the widget to fetch.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { resolve } from 'node:path';

const port = Number(process.argv[2] || 4174);
const here = import.meta.dirname;
const shared = resolve(here, '../../shared');
const routes = { '/media/': resolve(shared, 'media'), '/golden/': resolve(shared, 'golden') };

createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  const path = decodeURIComponent(url.pathname);
  if (url.searchParams.get('isolated') === '1') {
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('cross-origin-embedder-policy', 'require-corp');
  }
  let file;
  if (path === '/' || path === '/host.html') file = resolve(here, 'host.html');
  for (const [prefix, dir] of Object.entries(routes)) {
    if (path.startsWith(prefix)) {
      const f = resolve(dir, '.' + path.slice(prefix.length - 1));
      if (f.startsWith(dir + '/')) file = f;
    }
  }
  try {
    if (!file) throw new Error('not found');
    const { size } = statSync(file);
    res.setHeader('content-type', file.endsWith('.html') ? 'text/html' : 'application/octet-stream');
    res.setHeader('content-length', size);
    res.setHeader('access-control-allow-origin', '*');
    createReadStream(file).pipe(res);
  } catch {
    res.statusCode = 404;
    res.end('not found');
  }
}).listen(port, 'localhost', () => console.log(`host page at http://localhost:${port}/host.html`));
