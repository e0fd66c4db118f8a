// `npm run bench:kernels -- [options]`: conv3d GFLOP/s on every conv layer shape of SlowFast R50 8×8 beside
// our best matmul, in headless Chromium on WebGPU; writes JSON.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseCli, usageError } from './cli.mjs';
import { readKeymapShapes } from './keymap.mjs';
import { ensureNodeModules, ensureSystemPackages, root } from './prereqs.mjs';

const HELP = `Usage: npm run bench:kernels -- [options]

Measures conv3d GFLOP/s for every distinct conv layer of SlowFast R50 8x8 (pytorchvideo slowfast_r50,
full width) and the GFLOP/s of our best plain matmul in the same run, with the ratio per layer. Each layer
is timed with a few tile shapes and the best is reported.

Options:
  --size N        input height/width in pixels (default 224; use 64 or 112 on a software adapter)
  --frames N      fast-pathway frames (default 32; slow = frames / 4)
  --matmul LIST   square matmul sizes, comma-separated (default 256,512,1024)
  --samples N     timed samples per measurement, the median is kept (default 5)
  --out FILE      where to write the JSON (default bench-results/kernels.json)
  --keymap FILE   state-dict shapes of the network (default ../shared/golden/KEYMAP.md)
  --layers REGEX  only the conv layers whose state-dict key matches (e.g. 'multipathway_blocks\.1\.conv')
  --tiles LIST    only these tiles, as MxNxK or MxNxdirect, comma-separated (default: every tile conv3d offers)
  -h, --help      show this help`;

const { args } = parseCli(HELP, {
  size: { type: 'string', default: '224' },
  frames: { type: 'string', default: '32' },
  matmul: { type: 'string', default: '256,512,1024' },
  samples: { type: 'string', default: '5' },
  out: { type: 'string', default: 'bench-results/kernels.json' },
  keymap: { type: 'string', default: join(root, '..', 'shared', 'golden', 'KEYMAP.md') },
  layers: { type: 'string' },
  tiles: { type: 'string' },
});
let layerFilter;
try {
  layerFilter = args.layers ? new RegExp(args.layers).source : undefined;
} catch (e) {
  usageError(HELP, `--layers: ${e.message}`);
}
const tiles = args.tiles?.split(',').map((t) => {
  const [m, n, k] = t.split('x');
  const direct = k === 'direct';
  const dims = [m, n, direct ? '0' : k].map(Number);
  if (![dims[0], dims[1]].every((d) => Number.isInteger(d) && d > 0) || !(direct || dims[2] > 0)) usageError(HELP, `--tiles: '${t}' is not MxNxK or MxNxdirect`);
  return { m: dims[0], n: dims[1], k: dims[2], ...(direct ? { direct } : {}) };
});
const size = Number(args.size);
const frames = Number(args.frames);
if (!(size >= 32 && size % 32 === 0) || !(frames >= 4 && frames % 4 === 0)) usageError(HELP, '--size must be a multiple of 32 and --frames a multiple of 4');

ensureNodeModules();
ensureSystemPackages({ needFfmpeg: false });

let stateDict;
try {
  stateDict = readKeymapShapes(args.keymap);
} catch {
  usageError(HELP, `cannot read the network's shapes from ${args.keymap} (pass --keymap)`);
}

const { openEnginePage } = await import('./browser.mjs');
const engine = await openEnginePage();
try {
  const options = {
    stateDict, alpha: 4, inputSize: size, fastFrames: frames,
    matmulSizes: args.matmul.split(',').map(Number), samples: Number(args.samples), minSeconds: 0.05,
    layerFilter, tiles,
  };
  const result = await engine.run('/kernels/conv3d/conv3d.bench.ts', 'runKernelBench', options);
  const out = resolve(root, args.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2));
  console.log(`adapter: ${result.adapter.description}; best matmul ${result.bestMatmulGflops.toFixed(2)} GFLOP/s`);
  for (const m of result.matmul) console.log(`  matmul ${m.size}³: ${m.gflops.toFixed(2)} GFLOP/s (tile ${JSON.stringify(m.tile)})`);
  for (const c of result.convs) {
    console.log(`  ${(c.ratioToMatmul * 100).toFixed(0).padStart(4)}%  ${c.gflops.toFixed(2).padStart(7)} GFLOP/s  ` +
      `x ${JSON.stringify(c.input)} w ${JSON.stringify(c.weight)} s ${c.stride}  ${c.key}`);
  }
  console.log(`${result.layersAtOrAbove70Percent}/${result.layers} layers at ≥ 70% of matmul; min ratio ${(result.minRatio * 100).toFixed(0)}%`);
  console.log(`wrote ${out}`);
} finally {
  await engine.close();
}
