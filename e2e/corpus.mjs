// The bad-input corpus: videos and checkpoints that people drop on the page or hand the CLI — empty, random,
// cut short, corrupted, in codecs the browser cannot decode, images, hostile pickles, zip bombs, lying
// safetensors headers — and unusual but valid videos (one frame, shorter than a clip, 4K, very long, misnamed).
// Everything is made here from ../shared (ffmpeg, byte surgery, hand-written pickles), never committed.
// `node e2e/corpus.mjs [DIR]` writes the files; the tests call makeCorpus().
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { zipSync } from 'fflate';

const root = resolve(import.meta.dirname, '..');
const shared = resolve(root, '../shared');
const media = resolve(shared, 'media');
const golden = resolve(shared, 'golden/slowfast_r50_w16_8x8_64px');
export const CORPUS_DIR = resolve(root, 'node_modules/.cache/slowfast-corpus');

/**
 * Each case: the file's name, what it is dropped as, how it is made, and what must happen.
 * - `message`: what the reader says — the page shows it after the file's name, the CLI on stderr.
 * - `works`: the file is unusual but readable: labels must appear (and `message`, if given, is its notice).
 * - `exit`: the CLI's exit code (classify for videos, convert for weights).
 */
export const CASES = [
  // Videos that cannot be read.
  { file: 'empty.mp4', as: 'video', make: (out) => writeFileSync(out, ''), message: /The file is empty \(0 bytes\)\./, exit: 1 },
  { file: 'random-bytes.mp4', as: 'video', make: (out) => writeFileSync(out, pseudoRandom(65536, 1)), message: /This file is not a video we can read/, exit: 1 },
  { file: 'cut-inside-moov.mp4', as: 'video', make: (out) => writeFileSync(out, cutInsideMoov(readFileSync(join(media, 'cricket.mp4')))), message: /This file has no video track \(or it is damaged\)\./, exit: 1 },
  { file: 'cut-early.webm', as: 'video', make: (out) => writeFileSync(out, cut(join(media, 'cricket.webm'), 0.6)), message: /No frame of this video could be decoded: the file is truncated or damaged\./, exit: 1 },
  { file: 'hevc.mp4', as: 'video', make: (out) => ffmpeg(['-i', join(media, 'cricket.mp4'), '-t', '1', '-an', '-c:v', 'libx265', '-tag:v', 'hvc1', '-x265-params', 'log-level=error'], out), message: /This browser cannot decode H\.265\/HEVC video/, exit: 1 },
  { file: 'audio-only.m4a', as: 'video', make: (out) => ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac'], out), message: /This file has only audio: there is no video to classify\./, exit: 1 },
  { file: 'audio-only.webm', as: 'video', make: (out) => ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'libopus'], out), message: /This file has only audio/, exit: 1 },
  { file: 'still.png', as: 'video', make: (out) => ffmpeg(['-i', join(media, 'cricket.mp4'), '-frames:v', '1'], out), message: /This is a still image \(PNG\), not a video: SlowFast recognises actions from motion over about 2 s\./, exit: 1 },
  { file: 'still.jpg', as: 'video', make: (out) => ffmpeg(['-i', join(media, 'cricket.mp4'), '-frames:v', '1'], out), message: /This is a still image \(JPEG\), not a video/, exit: 1 },
  { file: 'notes.gif', as: 'video', make: (out) => writeFileSync(out, 'not a GIF: a text file with a misleading name\n'), message: /This file is not a video we can read/, exit: 1 },
  // Videos that end early: the part that decodes is classified, and the page says so.
  { file: 'cut-60.mp4', as: 'video', make: (out) => writeFileSync(out, cut(join(media, 'cricket.mp4'), 0.6)), works: true, message: /Only the first [\d.]+ s of 3\.16 s could be decoded\. The file ends early: it is truncated or damaged\. The labels cover that part\./, exit: 3 },
  { file: 'cut-90.mp4', as: 'video', make: (out) => writeFileSync(out, cut(join(media, 'cricket.mp4'), 0.9)), works: true, message: /Only the first [\d.]+ s of 3\.16 s could be decoded\. The file ends early: it is truncated or damaged\. The labels cover that part\./, exit: 3 },
  { file: 'cut.gif', as: 'video', make: (out) => writeFileSync(out, cut(join(media, 'cricket.gif'), 0.5)), works: true, message: /Only the first [\d.]+ s could be decoded\. The GIF breaks off at frame \d+ of \d+ \(.*\): it is truncated or damaged\./, exit: 3 },
  { file: 'corrupt-middle.mp4', as: 'video', make: (out) => writeFileSync(out, corruptMiddle(readFileSync(join(media, 'cricket.mp4')))), works: true, message: /Only the first [\d.]+ s of 3\.16 s could be decoded\. The H\.264 video could not be decoded: .* The labels cover that part\./, exit: 3 },
  // Unusual but valid.
  { file: 'one-frame.mp4', as: 'video', make: (out) => ffmpeg(['-i', join(media, 'cricket.mp4'), '-frames:v', '1', '-an', '-c:v', 'libx264', '-pix_fmt', 'yuv420p'], out), works: true, message: /This video has a single frame/, exit: 3 },
  { file: 'one-second.mp4', as: 'video', make: (out) => ffmpeg(['-i', join(media, 'cricket.mp4'), '-t', '1', '-an', '-c:v', 'libx264', '-pix_fmt', 'yuv420p'], out), works: true, message: /This video \(1\.00 s\) is shorter than one clip \(2\.13 s\)/, exit: 3 },
  { file: 'uhd-4k.mp4', as: 'video', make: (out) => ffmpeg(['-i', join(media, 'cricket.mp4'), '-t', '2.2', '-an', '-vf', 'scale=3840:2160,fps=10', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'], out), works: true, exit: 0 },
  // 20 minutes (tiny frames): decoding streams from the file, so analysis starts at once and can be cancelled.
  { file: 'twenty-minutes.mp4', as: 'video', long: true, make: (out) => ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=96x64:rate=10:duration=1200', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'], out), works: true },
  { file: 'really-an-mp4.webm', as: 'video', make: (out) => writeFileSync(out, readFileSync(join(media, 'cricket.mp4'))), works: true, exit: 0 },
  { file: 'really-a-gif.mp4', as: 'video', make: (out) => writeFileSync(out, readFileSync(join(media, 'cricket.gif'))), works: true, exit: 0 },
  // Checkpoints that cannot be used.
  { file: 'empty.pyth', as: 'weights', make: (out) => writeFileSync(out, ''), message: /the weight file is empty/, exit: 1 },
  { file: 'cut.pyth', as: 'weights', make: (out) => writeFileSync(out, cut(join(golden, 'checkpoint.pyth'), 0.5)), message: /the checkpoint's zip archive is damaged or truncated/, exit: 1 },
  { file: 'cut-legacy.pyth', as: 'weights', make: (out) => writeFileSync(out, cut(join(golden, 'checkpoint_legacy.pyth'), 0.5)), message: /the legacy checkpoint is truncated/, exit: 1 },
  { file: 'a-video.pyth', as: 'weights', make: (out) => writeFileSync(out, readFileSync(join(media, 'cricket.mp4'))), message: /not a PyTorch checkpoint/, exit: 1 },
  { file: 'not-slowfast.safetensors', as: 'weights', make: (out) => writeFileSync(out, safetensors({ 'fc.weight': [10, 4], 'fc.bias': [10] })), message: /not a SlowFast or Slow checkpoint/, exit: 1 },
  { file: 'wrong-shape.safetensors', as: 'weights', make: (out) => writeFileSync(out, goldenShaped({ reshape: ['blocks.1.multipathway_blocks.0.res_blocks.0.branch2.conv_b.weight', [16, 16, 3, 3, 3]] })), message: /wrong shape 1: blocks\.1\.multipathway_blocks\.0\.res_blocks\.0\.branch2\.conv_b\.weight: checkpoint has \[16, 16, 3, 3, 3\], model needs \[16, 16, 1, 3, 3\]/, exit: 1 },
  { file: 'missing-head.safetensors', as: 'weights', make: (out) => writeFileSync(out, goldenShaped({ drop: 'blocks.6.proj.bias' })), message: /missing 1: blocks\.6\.proj\.bias \[400\]/, exit: 1 },
  { file: 'nan.safetensors', as: 'weights', make: (out) => writeFileSync(out, goldenShaped({ nan: 'blocks.2.multipathway_blocks.0.res_blocks.0.branch2.conv_a.weight' })), message: /non-finite values \(NaN or ±∞\): blocks\.2\.multipathway_blocks\.0\.res_blocks\.0\.branch2\.conv_a\.weight/, exit: 1 },
  { file: 'lying-offsets.safetensors', as: 'weights', make: (out) => writeFileSync(out, rawSafetensors({ 'blocks.0.w': { dtype: 'F32', shape: [250000000], data_offsets: [0, 1e9] } }, 64)), message: /blocks\.0\.w: data offsets \[0,1000000000\] lie outside the 64 data bytes/, exit: 1 },
  { file: 'overlapping.safetensors', as: 'weights', make: (out) => writeFileSync(out, rawSafetensors({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] }, b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] } }, 24)), message: /overlaps .* in the safetensors data/, exit: 1 },
  { file: 'huge-header.safetensors', as: 'weights', make: (out) => writeFileSync(out, hugeHeader()), message: /the safetensors header claims 1099511627776 bytes, more than the 16777216 allowed/, exit: 1 },
  { file: 'zip-bomb.pyth', as: 'weights', make: (out) => writeFileSync(out, zipBomb()), message: /the checkpoint unpacks to more than 2147483648 bytes; refusing \(zip bomb\?\)/, exit: 1 },
  // Pickles that would run code if a Python unpickler loaded them: refused, nothing run or imported.
  { file: 'os-system.pyth', as: 'weights', make: (out) => writeFileSync(out, torchZip(picklePy2Reduce('os', 'system', 'touch /tmp/pwned'))), message: /refers to the Python global 'os\.system'.*nothing from the file was run/, exit: 1 },
  { file: 'eval-inst.pyth', as: 'weights', make: (out) => writeFileSync(out, torchZip(pickleInst('builtins', 'eval', '__import__("os").system("touch /tmp/pwned")'))), message: /refers to the Python global 'builtins\.eval'/, exit: 1 },
  { file: 'popen-obj.pyth', as: 'weights', make: (out) => writeFileSync(out, torchZip(pickleObj('subprocess', 'Popen', 'touch /tmp/pwned'))), message: /refers to the Python global 'subprocess\.Popen'/, exit: 1 },
  { file: 'stack-global.pyth', as: 'weights', make: (out) => writeFileSync(out, torchZip(pickleStackGlobal('posix', 'system', 'touch /tmp/pwned'))), message: /refers to the Python global 'posix\.system'/, exit: 1 },
  { file: 'legacy-reduce.pth', as: 'weights', make: (out) => writeFileSync(out, picklePy2Reduce('os', 'system', 'touch /tmp/pwned')), message: /checkpoint refers to the Python global 'os\.system'/, exit: 1 },
];

/** Writes every case file that is not there yet; returns the folder. */
export function makeCorpus(dir = CORPUS_DIR) {
  mkdirSync(dir, { recursive: true });
  for (const c of CASES) {
    const out = join(dir, c.file);
    if (!existsSync(out)) c.make(out);
  }
  return dir;
}

function ffmpeg(args, out) {
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, out]);
}

/** The first `fraction` of a file. */
function cut(path, fraction) {
  const bytes = readFileSync(path);
  return bytes.subarray(0, Math.floor(bytes.length * fraction));
}

/** Deterministic bytes that are no known format. */
function pseudoRandom(n, seed) {
  const out = Buffer.alloc(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** An MP4 cut half-way through its `moov` box (the index of every frame). */
function cutInsideMoov(mp4) {
  const at = mp4.indexOf('moov');
  const size = mp4.readUInt32BE(at - 4);
  return mp4.subarray(0, at + Math.floor(size / 2));
}

/** An MP4 with 4 KB of its frame data overwritten in the middle. */
function corruptMiddle(mp4) {
  const out = Buffer.from(mp4);
  const mdat = out.indexOf('mdat');
  const middle = mdat + Math.floor((out.length - mdat) / 2);
  pseudoRandom(4096, 7).copy(out, middle);
  return out;
}

/** A safetensors file from {name: {dtype, shape, data_offsets}} and `dataBytes` bytes of data, as written. */
function rawSafetensors(header, dataBytes) {
  const json = Buffer.from(JSON.stringify(header));
  const out = Buffer.alloc(8 + json.length + dataBytes);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  json.copy(out, 8);
  return out;
}

/** A valid safetensors file of F32 tensors {name: shape}, filled by `fill(name, i)`. */
function safetensors(shapes, fill = (_, i) => ((i * 7919) % 1000) / 1000 - 0.5) {
  const header = {};
  let offset = 0;
  for (const [name, shape] of Object.entries(shapes)) {
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const out = rawSafetensors(header, offset);
  const dataStart = out.length - offset;
  for (const [name, { data_offsets: [begin, end] }] of Object.entries(header)) {
    for (let i = 0; i < (end - begin) / 4; i++) out.writeFloatLE(fill(name, i), dataStart + begin + 4 * i);
  }
  return out;
}

/** The golden fixture's state dict shapes (from its manifest) with one change; BN variances stay positive. */
function goldenShaped({ reshape, drop, nan }) {
  const manifest = JSON.parse(readFileSync(join(golden, 'manifest.json'), 'utf8'));
  const shapes = {};
  for (const { key, shape } of manifest.state_dict) {
    if (key.endsWith('num_batches_tracked') || key === drop) continue;
    shapes[key] = reshape?.[0] === key ? reshape[1] : shape;
  }
  return safetensors(shapes, (name, i) => {
    if (name === nan && i === 5) return NaN;
    return /running_var$|norm[^.]*\.weight$/.test(name) ? 1 : ((i * 7919) % 1000) / 10000 - 0.05;
  });
}

/** A safetensors header length of 1 TiB: the reader must refuse before allocating anything. */
function hugeHeader() {
  const out = Buffer.alloc(64);
  out.writeBigUInt64LE(2n ** 40n, 0);
  out.write('{"a":', 8);
  return out;
}

/** A zip whose central directory declares 4 GB of data for its one entry. */
function zipBomb() {
  const zip = Buffer.from(zipSync({ 'archive/data.pkl': [Buffer.alloc(1 << 20), { level: 9 }] }));
  for (let i = 0; i + 4 <= zip.length; i++) {
    const signature = zip.readUInt32LE(i);
    if (signature === 0x04034b50) zip.writeUInt32LE(0xfffffff0, i + 22); // local header: uncompressed size
    if (signature === 0x02014b50) zip.writeUInt32LE(0xfffffff0, i + 24); // central directory: uncompressed size
  }
  return zip;
}

/** The layout torch.save writes: archive/data.pkl (+ version), stored uncompressed. */
function torchZip(pickle) {
  return Buffer.from(zipSync({ 'archive/data.pkl': pickle, 'archive/version': Buffer.from('3\n') }, { level: 0 }));
}

const unicode = (s) => {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32LE(b.length);
  return Buffer.concat([Buffer.from('X'), len, b]); // BINUNICODE
};

/** Protocol 2: GLOBAL module.name, an argument tuple, REDUCE — `module.name(arg)` in Python. */
function picklePy2Reduce(module, name, arg) {
  return Buffer.concat([Buffer.from([0x80, 2]), Buffer.from(`c${module}\n${name}\n`), unicode(arg), Buffer.from([0x85]), Buffer.from('R.')]);
}

/** Protocol 0 INST: MARK, the argument, INST module name — builds `module.name(arg)`. */
function pickleInst(module, name, arg) {
  return Buffer.concat([Buffer.from('('), unicode(arg), Buffer.from(`i${module}\n${name}\n.`)]);
}

/** Protocol 1 OBJ: MARK, GLOBAL, the argument, OBJ — `module.name(arg)`. */
function pickleObj(module, name, arg) {
  return Buffer.concat([Buffer.from([0x80, 2]), Buffer.from('('), Buffer.from(`c${module}\n${name}\n`), unicode(arg), Buffer.from('o.')]);
}

/** Protocol 4: STACK_GLOBAL from two strings on the stack, then REDUCE. */
function pickleStackGlobal(module, name, arg) {
  const short = (s) => Buffer.concat([Buffer.from([0x8c, Buffer.byteLength(s)]), Buffer.from(s)]);
  return Buffer.concat([Buffer.from([0x80, 4]), short(module), short(name), Buffer.from([0x93]), short(arg), Buffer.from([0x85]), Buffer.from('R.')]);
}

if (process.argv[1] === import.meta.filename) {
  const dir = makeCorpus(process.argv[2] ? resolve(process.argv[2]) : CORPUS_DIR);
  console.log(`${CASES.length} cases in ${dir}`);
}
