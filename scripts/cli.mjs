// Argument handling shared by the command-line tools: --help prints the usage and exits 0; a bad argument
// prints the problem and the usage and exits 2.
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
