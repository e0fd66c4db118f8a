// The package as a web developer meets it: packed (`npm pack`), installed into a fresh Vite app made of
// docs/library.md's examples, type-checked strictly, bundled by Vite, and run in Chromium on WebGPU (and, without a
// bundler, in Firefox on WebGPU, in f16).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { CRICKET_MP4, GOLDEN_CHECKPOINT, SHARED } from './paths.ts';
import { poll, withFirefox } from './drivenPage.ts';

const root = resolve(import.meta.dirname, '..');
const repo = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; devDependencies: Record<string, string> };
const PORT = Number(process.env.E2E_PORT || 4173) + 5;

/** The files docs/library.md gives as an app: its code blocks marked `file=NAME`. */
function docExamples(): Map<string, string> {
  const doc = readFileSync(join(root, 'docs/library.md'), 'utf8');
  const files = new Map<string, string>();
  for (const m of doc.matchAll(/^( *)```\w+ file=(\S+)\n([\s\S]*?)^\1```/gm)) {
    const indent = m[1].length;
    files.set(m[2], m[3].split('\n').map((line) => line.slice(indent)).join('\n'));
  }
  return files;
}

/** Runs a command; its failure says what it printed. */
function run(cmd: string, args: string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

/**
 * The docs' page at `url`, used as a user would: the golden checkpoint, 64 px, cricket.mp4; the verdict is PyTorch's
 * label for the golden clip, and the clips reached the page one by one through onClip, before the verdict.
 */
async function labelsTheGoldenClip(page: Page, url: string): Promise<void> {
  // When each clip and the verdict reached the page (onClip streams clips before the video is done).
  await page.addInitScript(() => {
    const seen: { what: string; at: number }[] = ((window as unknown as { seen: typeof seen }).seen = []);
    new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) {
        if (n instanceof HTMLLIElement && n.parentElement?.id === 'clips') seen.push({ what: 'clip', at: performance.now() });
        if (n instanceof Text && n.parentElement?.id === 'verdict') seen.push({ what: 'verdict', at: performance.now() });
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(url);
  await page.locator('#weights').setInputFiles(GOLDEN_CHECKPOINT);
  await expect(page.locator('#status')).toContainText('checkpoint.pyth is ready on', { timeout: 120_000 });
  await expect(page.locator('#status')).not.toContainText('the CPU');
  await page.locator('#size').selectOption('64');
  await page.locator('#video').setInputFiles(CRICKET_MP4);
  await expect(page.locator('#verdict')).toContainText('cricket.mp4: ', { timeout: 300_000 });

  // The golden checkpoint's label for the cricket clip, as PyTorch computed it (../shared/golden's manifest).
  const manifest = JSON.parse(readFileSync(join(SHARED, 'golden/slowfast_r50_w16_8x8_64px/manifest.json'), 'utf8')) as { top5: { indices: number[] } };
  const golden = manifest.top5.indices[0];
  const goldenLabel = readFileSync(join(root, 'model/kinetics400_labels.txt'), 'utf8').split('\n')[golden].trim();
  await expect(page.locator('#verdict')).toHaveAttribute('data-index', String(golden));
  await expect(page.locator('#verdict')).toHaveText(`cricket.mp4: ${goldenLabel}`);
  const clips = page.locator('#clips li');
  expect(await clips.count()).toBeGreaterThanOrEqual(3);
  await expect(clips.first()).toHaveAttribute('data-label', goldenLabel);
  // Streamed: each clip reached the page on its own, before the verdict (not all at once at the end).
  const seen = await page.evaluate(() => (window as unknown as { seen: { what: string; at: number }[] }).seen);
  const verdictAt = seen.find((s) => s.what === 'verdict')!.at;
  const clipTimes = seen.filter((s) => s.what === 'clip').map((s) => s.at);
  expect(clipTimes.length).toBe(await clips.count());
  expect(new Set(clipTimes).size).toBe(clipTimes.length);
  expect(Math.max(...clipTimes)).toBeLessThan(verdictAt);
}

test.describe('the npm package', () => {
  // The webpack test installs the tarball the first one packs.
  test.describe.configure({ timeout: 600_000, mode: 'serial' });
  let app: string;
  let tarball: string;
  let server: ChildProcess | undefined;

  test.beforeAll(() => {
    app = mkdtempSync(join(tmpdir(), 'slowfast-web-app-'));
  });

  test.afterAll(() => {
    server?.kill();
    rmSync(app, { recursive: true, force: true });
  });

  test('installs from npm pack into a Vite app, type-checks strictly against the docs, bundles, and labels a clip streamed through onClip', async ({ page }) => {
    const examples = docExamples();
    expect([...examples.keys()].sort()).toEqual(['index.html', 'main.ts', 'useVideoLabels.tsx', 'vite.config.ts']);
    const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', app], root)) as { filename: string; files: { path: string }[] }[];
    tarball = join(app, packed[0].filename);
    // What a user installs: the library, its worker and the wasm it runs; no sources, no app.
    const shipped = packed[0].files.map((f) => f.path);
    expect(shipped).toEqual(expect.arrayContaining(['lib/slowfast-web.js', 'lib/slowfast-web.d.ts', 'lib/worker.js', 'lib/ort-wasm-simd-threaded.wasm', 'package.json']));
    expect(shipped.filter((f) => /^(app|kernels|model|scripts|e2e)\//.test(f))).toEqual([]);
    // Nothing Vite-only is left to the user's bundler: the WGSL is in the code, import.meta.env resolved.
    for (const f of shipped.filter((p) => p.endsWith('.js'))) {
      const code = readFileSync(join(root, f), 'utf8').replace(/^\s*\/\/.*$/gm, '');
      expect(code, f).not.toMatch(/import\.meta\.env|\?raw["']/);
    }

    for (const [name, text] of examples) writeFileSync(join(app, name), text);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'library-example', private: true, type: 'module' }, null, 2));
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', lib: ['ES2023', 'DOM', 'DOM.Iterable'], module: 'ESNext', moduleResolution: 'bundler', jsx: 'react-jsx',
        strict: true, noUnusedLocals: true, noUnusedParameters: true, noImplicitOverride: true,
        skipLibCheck: false, noEmit: true, types: [],
      },
      // The page's code (vite.config.ts is Node's, checked by Vite when it loads it).
      include: ['main.ts', 'useVideoLabels.tsx'],
    }, null, 2));
    const versions = (names: string[]) => names.map((n) => `${n}@${repo.devDependencies[n]}`);
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, ...versions(['vite', 'typescript', 'react', 'react-dom', '@types/react', '@types/react-dom'])], app);
    // The package's own dependencies: its types' (nothing it runs).
    const installed = JSON.parse(readFileSync(join(app, 'node_modules', repo.name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(Object.keys(installed.dependencies ?? {})).toEqual(['@webgpu/types']);

    // Strict type-checking of the docs' examples against the installed package's types (its .d.ts checked too).
    run('npx', ['tsc', '-p', '.'], app);
    run('npx', ['vite', 'build', '--logLevel', 'warn'], app);
    const built = readdirSync(join(app, 'dist/assets'));
    expect(built.some((f) => f.endsWith('.wasm'))).toBe(true);

    // Vite's own script, not npx: killing it stops the server.
    server = spawn(process.execPath, [join(app, 'node_modules/vite/bin/vite.js'), 'preview', '--port', String(PORT), '--strictPort'], { cwd: app, stdio: 'ignore' });
    const url = `http://localhost:${PORT}/`;
    await expect.poll(async () => fetch(url).then((r) => r.ok, () => false), { timeout: 60_000 }).toBe(true);

    await labelsTheGoldenClip(page, url);
  });

  test('webpack 5 bundles the same page: the worker and the wasm as they are, nothing to configure', async ({ page }) => {
    expect(tarball, 'the Vite test packs the package first').toBeTruthy();
    server?.kill();
    const dir = join(app, 'webpack');
    mkdirSync(dir);
    const examples = docExamples();
    writeFileSync(join(dir, 'main.ts'), examples.get('main.ts')!);
    // The docs' page, with webpack's bundle (a classic script: webpack finds its chunks from the script's address).
    writeFileSync(join(dir, 'index.html'), examples.get('index.html')!.replace('<script type="module" src="/main.ts"></script>', '<script defer src="/main.js"></script>'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'webpack-example', private: true, type: 'module' }, null, 2));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', lib: ['ES2023', 'DOM', 'DOM.Iterable'], module: 'ESNext', moduleResolution: 'bundler', strict: true, outDir: 'build', types: [] }, files: ['main.ts'] }, null, 2));
    writeFileSync(join(dir, 'webpack.config.js'), `export default { mode: 'production', entry: './build/main.js', output: { path: new URL('./dist/', import.meta.url).pathname, filename: 'main.js', publicPath: 'auto', clean: true } };\n`);
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `typescript@${repo.devDependencies.typescript}`, 'webpack@5', 'webpack-cli@6'], dir);
    run('npx', ['tsc', '-p', '.'], dir);
    run('npx', ['webpack'], dir);
    copyFileSync(join(dir, 'index.html'), join(dir, 'dist/index.html'));
    expect(readdirSync(join(dir, 'dist')).some((f) => f.endsWith('.wasm'))).toBe(true);
    server = spawn(process.execPath, [join(app, 'node_modules/vite/bin/vite.js'), 'preview', '--outDir', 'dist', '--port', String(PORT), '--strictPort'], { cwd: dir, stdio: 'ignore' });
    const url = `http://localhost:${PORT}/`;
    await expect.poll(async () => fetch(url).then((r) => r.ok, () => false), { timeout: 60_000 }).toBe(true);
    await labelsTheGoldenClip(page, url);
  });

  test('without a bundler: the files served as they are, the entry elsewhere, and assetsUrl saying where the worker and wasm are', async ({ page }) => {
    expect(tarball, 'the Vite test packs the package first').toBeTruthy();
    server?.kill();
    const site = join(app, 'plain');
    const lib = join(app, 'node_modules', repo.name, 'lib');
    mkdirSync(join(site, 'vendor'), { recursive: true });
    mkdirSync(join(site, 'app'));
    cpSync(lib, join(site, 'vendor/slowfast-web'), { recursive: true });
    // As esbuild leaves it: the library's entry inside the app's own bundle, its files copied elsewhere.
    copyFileSync(join(lib, 'slowfast-web.js'), join(site, 'app/bundle.js'));
    copyFileSync(GOLDEN_CHECKPOINT, join(site, 'checkpoint.pyth'));
    copyFileSync(CRICKET_MP4, join(site, 'cricket.mp4'));
    writeFileSync(join(site, 'index.html'), `<!doctype html><meta charset="utf-8"><title>no bundler</title><script type="module">
      import { loadModel } from '/app/bundle.js';
      const weights = await (await fetch('/checkpoint.pyth')).blob();
      window.missing = await loadModel(weights, { keep: false }).then(() => 'loaded', (e) => e.message);
      const model = await loadModel(weights, { keep: false, inputSize: 64, assetsUrl: '/vendor/slowfast-web/' });
      const result = await model.classifyVideo('/cricket.mp4', { stride: 2 });
      // The CPU engine's wasm comes from there too.
      const onCpu = await loadModel(weights, { keep: false, inputSize: 64, assetsUrl: '/vendor/slowfast-web/', engine: 'wasm' });
      const cpuResult = await onCpu.classifyVideo('/cricket.mp4', { stride: 2 });
      // f16 where the GPU has shader-f16 (auto), refused in a sentence where asked and absent, never on the CPU.
      const f16 = await loadModel(weights, { keep: false, inputSize: 64, assetsUrl: '/vendor/slowfast-web/', precision: 'f16' })
        .then(async (m) => [m.info.precision, (await m.classifyVideo('/cricket.mp4', { stride: 2 })).verdict.index], (e) => [e.name, e.message]);
      window.result = {
        engines: [model.info.engine, cpuResult.engine], verdicts: [result.verdict.index, cpuResult.verdict.index],
        precisions: [model.info.precision, onCpu.info.precision], f16,
      };
    </script>`);
    server = spawn(process.execPath, [join(app, 'node_modules/vite/bin/vite.js'), 'preview', '--outDir', 'plain', '--port', String(PORT), '--strictPort'], { cwd: app, stdio: 'ignore' });
    const url = `http://localhost:${PORT}/`;
    await expect.poll(async () => fetch(url).then((r) => r.ok, () => false), { timeout: 60_000 }).toBe(true);
    await page.goto(url);
    const manifest = JSON.parse(readFileSync(join(SHARED, 'golden/slowfast_r50_w16_8x8_64px/manifest.json'), 'utf8')) as { top5: { indices: number[] } };
    const golden = manifest.top5.indices[0];
    // SwiftShader has no shader-f16: auto is f32 there, and an explicit f16 is refused with the reason.
    await expect.poll(() => page.evaluate(() => (window as unknown as { result?: unknown }).result), { timeout: 300_000 }).toEqual({
      engines: ['webgpu', 'wasm'], verdicts: [golden, golden], precisions: ['f32', 'f32'],
      f16: ['SlowFastError', 'f16 precision needs a GPU with shader-f16, which this one does not have: choose auto or f32.'],
    });
    // Gecko's WebGPU has it: the same page runs in f16 by default, and as asked, with PyTorch's label.
    await withFirefox({ webgpu: true }, async (firefox) => {
      await firefox.goto(url);
      const result = await poll(firefox, () => (window as unknown as { result?: unknown }).result, (r) => r !== undefined, 300_000);
      expect(result).toEqual({ engines: ['webgpu', 'wasm'], verdicts: [golden, golden], precisions: ['f16', 'f32'], f16: ['f16', golden] });
    });
    // Where the entry cannot find its worker (no assetsUrl), loading fails with a sentence, not a hang.
    expect(await page.evaluate(() => (window as unknown as { missing: string }).missing)).toMatch(/^The engine stopped unexpectedly/);
  });
});
