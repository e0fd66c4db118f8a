// Builds the slowfast-web package (npm pack runs it): the library's entry, its engine worker and the worker's
// lazily loaded parts (onnxruntime-web and its .wasm) as plain ES modules and files in dist/, with the WGSL and
// import.meta.env resolved, so any bundler (or none) takes them as they are. Not Vite's library mode: that
// inlines every asset (the .wasm would become tens of MB of base64 inside a chunk).
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

/**
 * Vite writes the worker's address as `new URL(new URL("worker.js", import.meta.url).href, "" + import.meta.url)`;
 * bundlers recognise a worker only by the plain `new Worker(new URL("./worker.js", import.meta.url))`, so the
 * library's entry says it plainly.
 */
/**
 * onnxruntime-web names its own bundle (ort.wasm.bundle.min.mjs) by `new URL(…, import.meta.url)` for a case that never
 * arises here (running from file:); the file is not in our build, and webpack fails looking for it. The name is kept,
 * against the module's address as a string, which no bundler takes for a file to bundle.
 */
const ORT_OWN_BUNDLE = /(new \w+\()"(ort\.wasm\.bundle\.min\.mjs)", import\.meta\.url\)/g;

function packageFiles(): Plugin {
  const written = /new URL\(\s*\/\* @vite-ignore \*\/\s*new URL\("(worker\.js)", import\.meta\.url\)\.href,\s*"" \+ import\.meta\.url\s*\)/g;
  return {
    name: 'package-files',
    generateBundle(_, bundle) {
      const entry = bundle['slowfast-web.js'];
      if (entry?.type !== 'chunk') throw new Error('the library entry slowfast-web.js was not built');
      const plain = entry.code.replace(written, 'new URL("./$1", import.meta.url)');
      if (plain === entry.code) throw new Error('the engine worker\'s address was not found in slowfast-web.js');
      entry.code = plain;
    },
  };
}

/** In the worker's build (onnxruntime-web is the worker's): see ORT_OWN_BUNDLE. */
function ortOwnBundleUnresolved(): Plugin {
  return {
    name: 'ort-own-bundle-unresolved',
    generateBundle(_, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type === 'chunk') chunk.code = chunk.code.replace(ORT_OWN_BUNDLE, '$1"$2", String(import.meta.url))');
      }
    },
  };
}

export default defineConfig({
  // Files the library references are found beside it, wherever it is served from.
  base: './',
  publicDir: false,
  plugins: [packageFiles()],
  build: {
    outDir: 'lib',
    emptyOutDir: true,
    target: 'es2022',
    minify: false,
    modulePreload: false,
    copyPublicDir: false,
    assetsInlineLimit: 0,
    rollupOptions: {
      input: { 'slowfast-web': resolve(import.meta.dirname, 'app/engine/library.ts') },
      preserveEntrySignatures: 'strict',
      output: { entryFileNames: '[name].js', chunkFileNames: '[name].js', assetFileNames: '[name][extname]' },
    },
  },
  worker: {
    format: 'es',
    plugins: () => [ortOwnBundleUnresolved()],
    rollupOptions: { output: { entryFileNames: '[name].js', chunkFileNames: '[name].js', assetFileNames: '[name][extname]' } },
  },
});
