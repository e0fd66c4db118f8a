// Argument handling shared by the command-line tools: --help prints the usage and exits 0; a bad argument
// prints the problem and the usage and exits 2.
import { openAsBlob } from 'node:fs';
import { parseArgs } from 'node:util';

export function parseCli(help, options, { positionals = false } = {}) {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: positionals, options: { ...options, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    usageError(help, e.message);
  }
  if (parsed.values.help) {
    console.log(help);
    process.exit(0);
  }
  return { args: parsed.values, positionals: parsed.positionals };
}

export function usageError(help, message) {
  console.error(`${message}\n\n${help}`);
  process.exit(2);
}

/**
 * An input file as a Blob, read from disk in parts as the reader needs them (an official checkpoint is
 * mostly optimizer state that is never read), or a message and exit 2.
 */
export async function openInputFile(path) {
  try {
    return await openAsBlob(path);
  } catch (e) {
    console.error(`cannot read ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
    process.exit(2);
  }
}

/**
 * Runs `fn(module)` on an engine module loaded in Node; a thrown error is printed as `error: …` and the
 * exit code is 1 (the input is unusable), else `fn`'s result (0 by default).
 */
export async function withEngineModule(path, fn) {
  const { ensureNodeModules } = await import('./prereqs.mjs');
  ensureNodeModules();
  const { loadEngineModule } = await import('./engine-node.mjs');
  const { module, close } = await loadEngineModule(path);
  let code = 0;
  try {
    code = (await fn(module)) ?? 0;
  } catch (e) {
    console.error(`error: ${e.message}`);
    code = 1;
  } finally {
    await close();
  }
  process.exit(code);
}
