// `npm run export-onnx -- in.pyth out.onnx [--preset NAME] [--size N] [--input fast] [--softmax]`
import { writeFileSync } from 'node:fs';
import { parseCli, openInputFile, usageError, withEngineModule } from './cli.mjs';

const HELP = `Usage: npm run export-onnx -- <weights> <out.onnx> [options]

Writes the SlowFast network of a checkpoint as an ONNX model (opset 17) that any ONNX runtime can run
(onnxruntime, onnxruntime-web): the same graph our engine runs, batch norm folded into the convs, giving
the same logits. <weights> is an official checkpoint (.pyth/.pth, pytorchvideo or PySlowFast names) or a
file made by npm run convert. Nothing in the checkpoint is executed.

Options:
  --preset NAME   slowfast_r50_8x8 | slowfast_r50_4x16 | slowfast_r101_8x8 | slowfast_r101_16x8 |
                  slow_r50_8x8 | slow_r50_4x16, for settings the weights cannot tell (frames, alpha, stride);
                  default: the checkpoint's training cfg where it has one, else inferred from the weights
  --size N        input height and width (a multiple of 32; default 224, or the size a converted file records)
  --input KIND    pathways (default): inputs slow (1,3,T/alpha,S,S) and fast (1,3,T,S,S), as PyTorch's
                  forward takes them; fast: the Fast clip alone, the Slow frames gathered inside the model
  --softmax       add an output "probabilities" beside "logits": the head's activation (a softmax, or a sigmoid
                  per class for a multi-label head such as Charades')
  -h, --help      show this help

Exit codes: 0 ok, 1 the checkpoint is unusable (message on stderr), 2 bad arguments or unreadable files.`;

const { args, positionals } = parseCli(HELP, {
  preset: { type: 'string' }, size: { type: 'string' }, input: { type: 'string', default: 'pathways' }, softmax: { type: 'boolean', default: false },
}, { positionals: true });
if (positionals.length !== 2) usageError(HELP, 'expected a weights file and an output file');
const [input, output] = positionals;
const size = args.size === undefined ? undefined : Number(args.size);
if (size !== undefined && !(Number.isInteger(size) && size >= 32 && size % 32 === 0)) usageError(HELP, '--size must be a multiple of 32');
if (!['pathways', 'fast'].includes(args.input)) usageError(HELP, `--input must be pathways or fast, not '${args.input}'`);
const file = await openInputFile(input);

await withEngineModule('/model/onnx/exportCheckpoint.ts', async (module) => {
  const out = await module.exportCheckpoint(file, { preset: args.preset, inputSize: size, input: args.input, softmax: args.softmax });
  try {
    writeFileSync(output, out.bytes);
  } catch (e) {
    console.error(`cannot write ${output}: ${e.message}`);
    return 2;
  }
  const io = (vs) => vs.map((v) => `${v.name} [${v.shape.join(', ')}]`).join(', ');
  console.log(`${input} → ${output}: ${out.nodes} ONNX nodes, ${(out.parameters / 1e6).toFixed(2)}M parameters, ` +
    `${(out.bytes.byteLength / 2 ** 20).toFixed(1)} MiB; inputs ${io(out.inputs)}; outputs ${io(out.outputs)}`);
});
