// The network's state-dict shapes from ../shared/golden/KEYMAP.md, for the benchmarks.
import { readFileSync } from 'node:fs';

/**
 * Rows `| i | \`pytorchvideo key\` | \`PySlowFast key\` | [shape] | dtype |` as { key, shape }, in state-dict order.
 * Throws what readFileSync throws when the file cannot be read.
 */
export function readKeymapShapes(path) {
  const keymap = readFileSync(path, 'utf8');
  return [...keymap.matchAll(/^\| \d+ \| `([^`]+)` \| `[^`]+` \| \[([\d, ]*)\] \|/gm)].map((m) => ({
    key: m[1],
    shape: m[2] ? m[2].split(',').map(Number) : [],
  }));
}
