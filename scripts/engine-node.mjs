// Loads the engine's TypeScript modules in Node through Vite (which understands `?raw` WGSL imports), for
// the command-line tools that need no GPU (convert, weights).
import { root } from './prereqs.mjs';

/** `module` is the one at `path`; `load` loads more through the same server. */
export async function loadEngineModule(path) {
  const { createServer } = await import('vite');
  // Its own cache folder: a page's dev server running meanwhile (npm run bench) keeps its optimized deps.
  const server = await createServer({
    root, logLevel: 'error', cacheDir: 'node_modules/.vite-node', server: { middlewareMode: true, hmr: false }, appType: 'custom',
    optimizeDeps: { noDiscovery: true, include: [] },
  });
  try {
    return { module: await server.ssrLoadModule(path), load: (other) => server.ssrLoadModule(other), close: () => server.close() };
  } catch (e) {
    await server.close();
    throw e;
  }
}
