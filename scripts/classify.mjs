// `npm run classify -- …`: runs the engine in headless Chromium (SwiftShader here, the user's GPU elsewhere), or
// Firefox (--browser firefox: Gecko's WebGPU).
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseCli, usageError } from './cli.mjs';
import { listVideos, mapNames, parseShard, readDone, shardOf, VIDEO_EXTENSIONS } from './library.mjs';

const HELP = `Usage: npm run classify -- [<video or folder>…] --checkpoint FILE [options]

Classifies video with SlowFast in headless Chromium or Firefox (on WebGPU, or on the CPU engine) and prints the top-k
labels: Kinetics-400, Kinetics-600 or Charades (per class: a multi-label sigmoid head) by the head's size,
"class N" for any other head (Something-Something v2's 174 among them) unless --labels names them.

Input (one of):
  <video or folder>…      video files (mp4, m4v, mov, webm, mkv, gif), or folders: every video under them
                          (recursing, in path order; names starting with a dot skipped); decoded with
                          WebCodecs, classified in clips as long as the model sees (2.13 s for 8×8 and 4×16,
                          4.27 s for 16×8) every --stride seconds; prints each clip's label and the video's
                          (clip probabilities averaged, or their maximum for a multi-label head), and any
                          notice (a video shorter than one clip, one decoded only in part) on stderr
  --input-fast FILE       raw float32 (1, 3, T, S, S), normalised, as in ../shared/golden/*/input_fast.bin
  --input-slow FILE       raw float32 (1, 3, T/alpha, S, S) for the Slow pathway (SlowFast models)

Options:
  --checkpoint FILE       weights: an official .pyth/.pth (pytorchvideo or PySlowFast names, zip or legacy)
                          or our .safetensors (npm run convert); the architecture is read off the weights
  --preset NAME           slowfast_r50_8x8 | slowfast_r50_4x16 | slowfast_r101_8x8 | slowfast_r101_16x8 |
                          slow_r50_8x8 | slow_r50_4x16 (settings the weights cannot tell: frames, alpha,
                          stride; default: the checkpoint's training cfg where it has one, else inferred)
  --compare FILE          a second checkpoint on the same videos (the paper's Slow vs SlowFast, say): each
                          video's result for both, and the classes where they differ most ("gains": the
                          second's mean probability over its clips minus the first's, largest first); both
                          need the same label set. Each video is decoded once for both models (each runs
                          its own clips: a 16×8 model spans 4.27 s). With --json: {models: [first, second],
                          gains: [{index, label, delta}]}, each model's entry what a run with it alone prints
                          (its ms is the two models' time together)
  --head FILE             label with a head taught on this checkpoint (npm run teach, or saved from the page's
                          Teach view) instead of the checkpoint's own; its class names come with it, and each
                          clip's checkpoint labels are kept beside them in --json (checkpointTop)
  --labels FILE           class names: one label a line in index order, or JSON (an array, or a map of
                          label → index as Something-Something v2's labels.json); must match the head's size
  --size N                input size for a video (default: the model's, 224 for the official weights)
  --stride S              seconds between clips of a video (default 1)
  --views 1|3             spatial crops per clip: the centre, or start/centre/end averaged (default 1)
  --protocol paper        the paper's test protocol instead of a clip every --stride: 10 clips evenly spaced
                          over the video × 3 crops (--views is then 3), averaged into the video's labels
  --topk N                how many labels to print (default 5)
  --segments              also find when each action happens: per class, segments where clips reach --enter
                          and stay above --exit, closer ones merged and shorter ones dropped (--min-duration)
  --enter P, --exit P     segment thresholds, probabilities (default 0.5 and 0.3)
  --min-duration S        shortest segment, and shortest gap kept between two, in seconds (default 1)
  --format text|json|csv|vtt
                          how --segments are printed (default text; csv and vtt take one video); json is
                          also what --json prints them as
  --cam DIR               (WebGPU only) write where the model looked: for each clip and pathway, DIR/<video>.clipNNN.<slow|fast>.npy
                          (float32, (classes, T, H, W): the clip's top --topk classes' activation maps over
                          its res5 positions), and DIR/<video>.cam.json naming each clip's span and classes;
                          <video> is the file's name without extension, or, where two videos share that, its
                          path with __ for each / (a/clip.mp4 → a__clip.mp4)
  --engine webgpu|wasm    WebGPU (our shaders) or the CPU engine (the same network exported to ONNX and run by
                          onnxruntime-web's WebAssembly backend, a thread per core up to four); default:
                          WebGPU on a hardware adapter, the CPU engine on a software one (SwiftShader,
                          llvmpipe) or where there is no adapter
  --precision auto|f32|f16
                          (WebGPU) how the network's weights and activations are stored and multiplied:
                          f16 (sums in f32; half the GPU memory) needs a GPU with shader-f16; auto (the
                          default) takes f16 where the GPU has it, else f32; the CPU engine is f32
  --browser chromium|firefox
                          which browser runs the engine (default chromium): Debian's chromium (WebGPU on
                          SwiftShader where there is no GPU), or firefox-esr with Gecko's WebGPU turned on by
                          this CLI's own profile (wgpu; Mesa's lavapipe where there is no GPU)
  --json                  print JSON: top-k, all logits, config, the precision, timing, GPU memory, the browser, and how the
                          checkpoint was read (size, time, and in Chromium peak JS memory) (several videos: an
                          array, one entry per video, {file, error} for those that failed)

A library (many videos, many machines):
  --jsonl FILE            append one JSON line per video to FILE as soon as it is done ({file, …} as --json
                          prints one video, or {file, error}); - writes the lines to stdout instead of text
  --resume                skip the videos --jsonl FILE already holds a result for (failed ones are tried
                          again; where a file has two lines, the later one counts)
  --shard I/N             classify only shard I of N (0 ≤ I < N): a stable split by each video's path as
                          listed, so N machines given the same arguments and I = 0…N−1 share the library
                          with no overlap, and adding videos moves none between shards

  -h, --help              show this help

Exit codes: 0 ok, 1 the engine failed on an input (message on stderr; other videos are still classified),
2 bad arguments or unreadable files, 3 labels were given with a notice (see above).`;

const usage = (message) => usageError(HELP, message);
const { args, positionals } = parseCli(HELP, {
  checkpoint: { type: 'string' },
  'input-slow': { type: 'string' },
  'input-fast': { type: 'string' },
  preset: { type: 'string' },
  labels: { type: 'string' },
  topk: { type: 'string', default: '5' },
  size: { type: 'string' },
  stride: { type: 'string', default: '1' },
  views: { type: 'string', default: '1' },
  protocol: { type: 'string' },
  segments: { type: 'boolean', default: false },
  enter: { type: 'string' },
  exit: { type: 'string' },
  'min-duration': { type: 'string' },
  format: { type: 'string', default: 'text' },
  cam: { type: 'string' },
  head: { type: 'string' },
  compare: { type: 'string' },
  json: { type: 'boolean', default: false },
  engine: { type: 'string' },
  precision: { type: 'string', default: 'auto' },
  browser: { type: 'string', default: 'chromium' },
  jsonl: { type: 'string' },
  resume: { type: 'boolean', default: false },
  shard: { type: 'string' },
}, { positionals: true });
if (args.engine !== undefined && !['webgpu', 'wasm'].includes(args.engine)) usage(`--engine must be webgpu or wasm, got '${args.engine}'`);
if (!['chromium', 'firefox'].includes(args.browser)) usage(`--browser must be chromium or firefox, got '${args.browser}'`);
if (!['auto', 'f32', 'f16'].includes(args.precision)) usage(`--precision must be auto, f32 or f16, got '${args.precision}'`);
if (args.precision === 'f16' && args.engine === 'wasm') usage('--precision f16 needs the WebGPU engine: the CPU engine computes in f32');
if (args.engine === 'wasm' && args.cam !== undefined) usage('--cam needs the WebGPU engine: the CPU engine computes no activation maps');
const PRESETS = ['slowfast_r50_8x8', 'slowfast_r50_4x16', 'slowfast_r101_8x8', 'slowfast_r101_16x8', 'slow_r50_8x8', 'slow_r50_4x16'];
if (args.preset && !PRESETS.includes(args.preset)) usage(`unknown preset '${args.preset}'; one of ${PRESETS.join(', ')}`);
const topK = Number(args.topk);
if (!Number.isInteger(topK) || topK < 1 || topK > 1000) usage(`--topk must be a whole number from 1 to 1000, got '${args.topk}'`);
if (!args.checkpoint) usage('--checkpoint is required (an official .pyth or a converted .safetensors)');
const size = args.size === undefined ? undefined : Number(args.size);
if (size !== undefined && !(Number.isInteger(size) && size >= 32 && size % 32 === 0)) usage('--size must be a multiple of 32');
const stride = Number(args.stride);
if (!(stride > 0)) usage(`--stride must be a positive number of seconds, got '${args.stride}'`);
if (args.views !== '1' && args.views !== '3') usage(`--views must be 1 or 3, got '${args.views}'`);
if (args.protocol !== undefined && args.protocol !== 'paper') usage(`--protocol must be 'paper', got '${args.protocol}'`);
// (The paper's protocol runs its 3 crops whatever --views says: the engine decides, app/video/analyze.ts's viewsFor.)
const views = Number(args.views);
const probability = (name) => {
  if (args[name] === undefined) return undefined;
  const p = Number(args[name]);
  if (!(p > 0 && p < 1)) usage(`--${name} must be a probability between 0 and 1, got '${args[name]}'`);
  return p;
};
const enter = probability('enter') ?? 0.5;
const segmentOptions = { enter, exit: probability('exit') ?? Math.min(0.3, enter), minDuration: Number(args['min-duration'] ?? 1) };
if (!(segmentOptions.minDuration >= 0)) usage(`--min-duration must be a number of seconds ≥ 0, got '${args['min-duration']}'`);
if (segmentOptions.exit > segmentOptions.enter) usage(`--exit (${segmentOptions.exit}) must not exceed --enter (${segmentOptions.enter})`);
if (!['text', 'json', 'csv', 'vtt'].includes(args.format)) usage(`--format must be text, json, csv or vtt, got '${args.format}'`);
const segmentsAsked = args.segments || args.enter !== undefined || args.exit !== undefined || args['min-duration'] !== undefined || args.format !== 'text';
for (const path of positionals) if (!existsSync(path)) usage(`video file or folder not found: ${path}`);
const listed = listVideos(positionals);
if (positionals.length && !listed.videos.length) usage(`no videos (${VIDEO_EXTENSIONS.join(', ')}) in ${listed.empty.join(', ')}`);
for (const folder of listed.empty) console.error(`notice: no videos in ${folder}`);
const shard = args.shard === undefined ? undefined : parseShard(args.shard);
if (args.shard !== undefined && !shard) usage(`--shard must be I/N with 0 ≤ I < N (as 0/4 … 3/4), got '${args.shard}'`);
if ((args.shard !== undefined || args.resume || args.jsonl !== undefined) && !positionals.length) usage('--jsonl, --resume and --shard take videos or folders');
if (args.resume && (args.jsonl === undefined || args.jsonl === '-')) usage('--resume needs --jsonl FILE: the output it resumes');
const jsonlToStdout = args.jsonl === '-';
if (jsonlToStdout && (args.json || args.format !== 'text')) usage('--jsonl - prints JSON lines on stdout; --json and --format would print there too');
let videos = shard ? shardOf(listed.videos, shard) : listed.videos;
// From the whole list, so a video's map files are named the same in every shard and on resuming.
const camNames = mapNames(listed.videos);
if (shard) console.error(`shard ${shard.index}/${shard.count}: ${videos.length} of ${listed.videos.length} videos`);
if (args.resume) {
  const { done, endsCut } = readDone(args.jsonl);
  const before = videos.length;
  videos = videos.filter((v) => !done.has(v));
  console.error(`resume: ${before - videos.length} of ${before} videos already in ${args.jsonl}; ${videos.length} to classify`);
  // A line cut short by a killed run stays as it is; the next one starts on its own line.
  if (endsCut) appendFileSync(args.jsonl, '\n');
}
// A single video file prints as one object; a folder, several files or a shard as a list.
const oneVideo = positionals.length === 1 && listed.videos.length === 1 && listed.videos[0] === positionals[0] && !shard;
if (segmentsAsked && !positionals.length) usage('--segments need a video (segments are found across its clips)');
if (['csv', 'vtt'].includes(args.format) && !oneVideo) usage(`--format ${args.format} takes one video; for several, use --format json`);
if (args.cam !== undefined && !positionals.length) usage('--cam needs a video');
if (!positionals.length && !args['input-fast']) usage('give a video file, or --input-fast (and --input-slow)');
if (positionals.length && args['input-fast']) usage('give video files or input tensors, not both');
if (args.head !== undefined && !positionals.length) usage('--head needs a video');
if (args.compare !== undefined) {
  if (!positionals.length) usage('--compare needs a video');
  const alone = ['cam', 'head', 'jsonl'].find((o) => args[o] !== undefined) ?? (['csv', 'vtt'].includes(args.format) ? 'format' : undefined);
  if (alone) usage(`--compare and --${alone} do not go together: compare first, then look closer at one model`);
}
const files = { checkpoint: args.checkpoint, fast: args['input-fast'], slow: args['input-slow'], labels: args.labels, head: args.head, compare: args.compare };
for (const [what, file] of Object.entries(files)) {
  if (file && !existsSync(file)) usage(`${what} file not found: ${file}`);
}
// Every video of this shard is already done: nothing to start a browser for.
if (positionals.length && !videos.length) process.exit(0);

const { ensureNodeModules, ensureSystemPackages } = await import('./prereqs.mjs');
ensureNodeModules();
ensureSystemPackages({ needFfmpeg: false, otherEngines: args.browser === 'firefox' });
const { openEnginePage } = await import('./browser.mjs');
const engine = await openEnginePage({ browser: args.browser });
const errorLine = (e) => e.message.replace(/^page\.evaluate: (\w*Error: )?/, '').split('\n')[0];

/** A float32 array as a NumPy .npy file (format 1.0, C order). */
function npy(values, shape) {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // Magic, version, header length, header: a multiple of 64 bytes, ending in a newline.
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(header.length, 8);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(Float32Array.from(values).buffer)]);
}

/** Writes each clip's class activation maps under args.cam, and a JSON index of them. */
function writeMaps(file, maps) {
  mkdirSync(args.cam, { recursive: true });
  const stem = camNames.get(file);
  const index = maps.map((m, i) => {
    if (!m) return null;
    const name = (pathway) => `${stem}.clip${String(i).padStart(3, '0')}.${pathway}.npy`;
    writeFileSync(join(args.cam, name('slow')), npy(m.slow, m.slowShape));
    if (m.fast) writeFileSync(join(args.cam, name('fast')), npy(m.fast, m.fastShape));
    return { start: m.start, end: m.end, classes: m.classes, slow: name('slow'), ...(m.fast ? { fast: name('fast') } : {}) };
  });
  writeFileSync(join(args.cam, `${stem}.cam.json`), JSON.stringify({ video: file, clips: index }, null, 2));
}

function printSegments(file, result) {
  if (args.format === 'vtt') return process.stdout.write(result.segmentsVtt);
  if (args.format === 'csv') return process.stdout.write(result.segmentsCsv);
  if (args.format === 'json') return;
  const s = result.segments.segments;
  console.log(s.length ? 'segments:' : `segments: none (no class reaches ${result.segments.thresholds.enter} for ${result.segments.thresholds.minDuration} s)`);
  for (const x of s) console.log(`  ${x.start.toFixed(2).padStart(7)}–${x.end.toFixed(2)} s  peak ${(x.peak * 100).toFixed(1).padStart(5)}%  ${x.label}`);
}

function printVideo(file, result) {
  const v = result.video;
  console.log(`${file}: ${v.width}×${v.height} ${v.codec}, ${v.duration.toFixed(2)} s, ${result.clips.length} clips, ` +
    `${(result.ms / 1000).toFixed(1)} s on ${result.adapter}`);
  for (const c of result.clips) {
    console.log(`  ${c.start.toFixed(2).padStart(7)}–${c.end.toFixed(2)} s  ${(c.top[0].probability * 100).toFixed(1).padStart(5)}%  ${c.top[0].label}`);
  }
  console.log('video:');
  for (const t of result.top) console.log(`${(t.probability * 100).toFixed(2).padStart(6)}%  ${t.label}`);
}

const mib = (n) => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** Reads the checkpoint in the page (kept there for the classifications), sampling the page's JS memory meanwhile. */
async function loadCheckpoint(checkpointUrl) {
  const { value, start, peak } = await engine.sampleHeap(() => engine.run('/model/cli.ts', 'loadCheckpoint', { checkpointUrl }));
  if (!peak) return value;
  return {
    ...value,
    // What reading it took at most, above what the page held before: JS objects and ArrayBuffer contents.
    peakHeapBytes: Math.max(0, peak.heap - start.heap),
    peakArrayBufferBytes: Math.max(0, peak.arrayBuffers - start.arrayBuffers),
  };
}
const loadLine = (l) => `weights: ${args.checkpoint} (${mib(l.fileBytes)}, ${l.format}) read in ${(l.ms / 1000).toFixed(1)} s` +
  (l.peakHeapBytes === undefined ? ''
    : `; peak JS memory while reading ${mib(l.peakHeapBytes + l.peakArrayBufferBytes)} (heap ${mib(l.peakHeapBytes)}, array buffers ${mib(l.peakArrayBufferBytes)})`);

/** One video's line of --jsonl, written whole as soon as the video is done (a killed run loses at most this one). */
function writeLine(entry) {
  if (args.jsonl === undefined) return;
  const line = `${JSON.stringify(entry)}\n`;
  if (jsonlToStdout) process.stdout.write(line);
  else appendFileSync(args.jsonl, line);
}

/**
 * What the second model gains over the first on a video: for each class, its mean probability over its clips minus
 * the first's, largest first.
 */
function gainsOf(first, second) {
  const a = first.meanProbabilities;
  const b = second.meanProbabilities;
  if (a.length !== b.length) throw new Error(`the two models have different label sets (${a.length} and ${b.length} classes): --compare needs the same classes`);
  return b.map((p, index) => ({ index, label: second.classNames[index], delta: p - a[index] })).sort((x, y) => y.delta - x.delta);
}

function printComparison(file, names, models, gains) {
  models.forEach((m, i) => {
    console.log(`${i === 0 ? 'first' : 'second'}: ${names[i]}`);
    printVideo(file, m);
  });
  const line = (g) => `${(g.delta * 100).toFixed(2).padStart(7)} pts  ${g.label}`;
  console.log(`gains (${names[1]} − ${names[0]}, mean probability over the clips):`);
  for (const g of gains.slice(0, topK)) console.log(line(g));
  console.log('losses:');
  for (const g of gains.slice(-topK).reverse()) console.log(line(g));
}

let code = 0;
try {
  // The page fetches the files from the dev server, which streams them from disk.
  const urls = Object.fromEntries(Object.entries(files).filter(([, f]) => f).map(([what, f]) => [what, engine.serveFile(what, f)]));
  const load = await loadCheckpoint(urls.checkpoint);
  const labels = urls.labels ? { labelsUrl: urls.labels, labelsName: basename(args.labels) } : {};
  /** What the page is asked to do with video `i`, as it classifies it. */
  const requestFor = (i, file, checkpointUrl, checkpointName) => ({
    videoUrl: engine.serveFile(`video-${i}`, file), checkpointUrl, preset: args.preset, size, topK, stride, views, ...labels,
    engine: args.engine ?? (args.cam !== undefined || args.precision === 'f16' ? 'webgpu' : undefined), precision: args.precision,
    protocol: args.protocol, segments: segmentsAsked ? segmentOptions : undefined, cam: args.cam !== undefined,
    ...(urls.head ? { headUrl: urls.head, headName: basename(args.head) } : {}),
    videoName: basename(file), checkpointName,
  });
  /** One video through one checkpoint. */
  const classifyWith = (i, file, checkpointUrl, checkpointName) => engine.run('/app/video/cli.ts', 'classifyVideo', requestFor(i, file, checkpointUrl, checkpointName))
    .then((result) => ({ ...result, browser: engine.browser }));
  if (positionals.length && args.compare !== undefined) {
    const loads = [load, await loadCheckpoint(urls.compare)];
    // The files' names, or their paths where the names are the same.
    const names = basename(args.checkpoint) === basename(args.compare) ? [args.checkpoint, args.compare] : [basename(args.checkpoint), basename(args.compare)];
    if (!args.json && args.format === 'text') console.log(loadLine(load));
    const results = [];
    for (const [i, file] of videos.entries()) {
      try {
        // Both models on one decode of the video.
        const both = await engine.run('/app/video/cli.ts', 'compareVideo', {
          ...requestFor(i, file, urls.checkpoint, names[0]), second: { checkpointUrl: urls.compare, checkpointName: names[1] },
        });
        // (What a run alone prints, and apart from it what the gains are made of.)
        const runs = both.map(({ maps: _maps, segmentsCsv: _csv, segmentsVtt: _vtt, meanProbabilities, classNames, ...result }, m) =>
          ({ result: { file, ...result, browser: engine.browser, load: loads[m] }, meanProbabilities, classNames }));
        const gains = gainsOf(runs[0], runs[1]);
        const models = runs.map((r) => r.result);
        results.push({ file, models, gains });
        if (!args.json && args.format === 'text') printComparison(file, names, models, gains);
        for (const [m, r] of models.entries()) for (const n of r.notices) console.error(`notice: ${names[m]}: ${oneVideo ? '' : `${file}: `}${n}`);
      } catch (e) {
        results.push({ file, error: errorLine(e) });
        console.error(`error: ${oneVideo ? '' : `${file}: `}${errorLine(e)}`);
        code = 1;
      }
    }
    if (args.json || args.format === 'json') console.log(JSON.stringify(oneVideo ? results[0] : results));
  } else if (positionals.length) {
    if (!args.json && args.format === 'text' && !jsonlToStdout) console.log(loadLine(load));
    const results = [];
    for (const [i, file] of videos.entries()) {
      try {
        const { maps, segmentsCsv, segmentsVtt, ...result } = await classifyWith(i, file, urls.checkpoint, basename(args.checkpoint));
        results.push({ file, ...result, load });
        writeLine({ file, ...result });
        if (maps) writeMaps(file, maps);
        const formatted = ['csv', 'vtt'].includes(args.format);
        if (!args.json && !formatted && args.format !== 'json' && !jsonlToStdout) printVideo(file, result);
        if (segmentsAsked && !args.json) printSegments(file, { ...result, segmentsCsv, segmentsVtt });
        for (const n of result.notices) console.error(`notice: ${oneVideo ? '' : `${file}: `}${n}`);
        if (result.notices.length && code === 0) code = 3;
      } catch (e) {
        results.push({ file, error: errorLine(e) });
        writeLine({ file, error: errorLine(e) });
        console.error(`error: ${oneVideo ? '' : `${file}: `}${errorLine(e)}`);
        code = 1;
      }
    }
    if (args.json) console.log(JSON.stringify(oneVideo ? results[0] : results));
    else if (args.format === 'json') {
      const withPrecision = (r) => (r.segments ? { ...r.segments, precision: r.precision } : { file: r.file, error: r.error });
      console.log(JSON.stringify(oneVideo ? withPrecision(results[0]) : results.map(withPrecision)));
    }
  } else {
    const result = await engine.run('/model/cli.ts', 'classifyTensors', {
      engine: args.engine ?? (args.precision === 'f16' ? 'webgpu' : undefined),
      precision: args.precision,
      checkpointUrl: urls.checkpoint,
      fastUrl: urls.fast,
      slowUrl: urls.slow,
      preset: args.preset,
      topK,
      ...labels,
    });
    if (args.json) {
      console.log(JSON.stringify({ ...result, browser: engine.browser, load }));
    } else {
      const memory = result.engine === 'webgpu' ? `${(result.memory.totalBytes / 2 ** 20).toFixed(1)} MiB on the GPU` : `${(result.memory.weightBytes / 2 ** 20).toFixed(1)} MiB of weights`;
      console.log(`${result.config.slowOnly ? 'Slow' : 'SlowFast'} R${result.config.depth} on ${result.adapter}${result.engine === 'webgpu' ? ` in ${result.precision}` : ''}, ${result.ms.toFixed(0)} ms, ${memory}; ${loadLine(load)}`);
      for (const t of result.top) console.log(`${(t.probability * 100).toFixed(2).padStart(6)}%  ${t.label}`);
    }
  }
} catch (e) {
  console.error(`error: ${errorLine(e)}`);
  code = 1;
} finally {
  await engine.close();
}
process.exit(code);
