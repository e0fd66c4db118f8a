// `npm run convert -- in.pyth out.safetensors [--f16] [--preset NAME] [--size N]`
import { writeFileSync } from 'node:fs';
import { parseCli, openInputFile, usageError, withEngineModule } from './cli.mjs';

const HELP = `Usage: npm run convert -- <in> <out.safetensors> [options]

Converts an official SlowFast checkpoint (.pyth/.pth: PyTorch zip or legacy format, pytorchvideo or
PySlowFast names) into the web format: safetensors holding the state dict and the model config. The
weights are checked against the architecture first; problems are reported by their real key names.
Nothing in the checkpoint is executed: its pickle is read by a safe unpickler.

Options:
  --f16           store conv and linear weights as float16 (half the size; logits within ~1e-2 relative)
  --preset NAME   slowfast_r50_8x8 | slowfast_r50_4x16 | slowfast_r101_8x8 | slowfast_r101_16x8 |
                  slow_r50_8x8 | slow_r50_4x16, for settings the weights cannot tell (frames, alpha, stride);
                  default: the checkpoint's training cfg where it has one, else inferred from the weights
  --size N        the input size to record in the config (default 224)
  -h, --help      show this help

Exit codes: 0 ok, 1 the checkpoint is unusable (message on stderr), 2 bad arguments or unreadable files.`;

const { args, positionals } = parseCli(HELP, {
  f16: { type: 'boolean', default: false }, preset: { type: 'string' }, size: { type: 'string' },
}, { positionals: true });
if (positionals.length !== 2) usageError(HELP, 'expected an input and an output file');
const [input, output] = positionals;
const size = args.size === undefined ? undefined : Number(args.size);
if (size !== undefined && !(Number.isInteger(size) && size >= 32 && size % 32 === 0)) usageError(HELP, '--size must be a multiple of 32');
const file = await openInputFile(input);

await withEngineModule('/model/weights/convert.ts', async (module) => {
  const out = await module.convertCheckpoint(file, { f16: args.f16, preset: args.preset, inputSize: size });
  writeFileSync(output, out.bytes);
  const c = out.config;
  console.log(`${input} (${out.naming} names) → ${output}: ${c.slowOnly ? 'Slow' : 'SlowFast'} R${c.depth}, alpha ${c.alpha}, ` +
    `stem ${c.stemChannels.join('/')}, ${c.numClasses} classes, ${(out.parameters / 1e6).toFixed(2)}M parameters, ` +
    `${(out.bytes.byteLength / 2 ** 20).toFixed(1)} MiB (${args.f16 ? 'f16' : 'f32'})`);
});
