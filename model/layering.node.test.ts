// The boundary between what the model computes and how a device runs it, checked on the source: the graph
// builder reaches nothing device-level, and the exporter and autotuner read typed ops without casts.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '..');

function parse(path: string): ts.SourceFile {
  return ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
}

/** Every module `file` reaches through its imports (type-only imports included: they name what it knows). */
function reachable(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const s of parse(file).statements) {
    if (!ts.isImportDeclaration(s) && !ts.isExportDeclaration(s)) continue;
    const spec = s.moduleSpecifier;
    if (!spec || !ts.isStringLiteral(spec) || !spec.text.startsWith('.') || !spec.text.endsWith('.ts')) continue;
    reachable(resolve(dirname(file), spec.text), seen);
  }
  return seen;
}

/** `x as T` and `<T>x` in a file, but not `as const`; with `unlessSaidWhy`, not those whose line or the line before carries a comment. */
function casts(file: string, o: { unlessSaidWhy?: boolean } = {}): string[] {
  const found: string[] = [];
  const source = parse(file);
  const lines = source.text.split('\n');
  const saysWhy = (line: number) => /\/\/|\/\*/.test(lines[line]) || (line > 0 && /^\s*(\/\/|\*|\/\*)/.test(lines[line - 1]));
  const visit = (node: ts.Node) => {
    const isCast = (ts.isAsExpression(node) && node.type.getText(source) !== 'const') || ts.isTypeAssertionExpression(node);
    const line = source.getLineAndCharacterOfPosition(node.getStart()).line;
    if (isCast && !(o.unlessSaidWhy && saysWhy(line))) found.push(`${file.slice(root.length + 1)}:${line + 1}: ${node.getText(source)}`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The sources under a folder, tests and benchmarks left out. */
function sources(folder: string): string[] {
  return readdirSync(resolve(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !/\.(test|bench)\.ts$|\.d\.ts$/.test(f))
    .map((f) => resolve(root, folder, f));
}

const DEVICE_LAYER = ['kernels/device.ts', 'kernels/runKernel.ts', 'kernels/f16.ts', 'kernels/conv3d/autotune.ts', 'model/executor.ts', 'model/kernelChoice.ts'];

describe('layering', () => {
  it('the graph builder reaches nothing of the device layer: no device, no runner, no kernel choice', () => {
    const reached = [...reachable(resolve(root, 'model/slowfast.ts'))].map((f) => f.slice(root.length + 1));
    expect(reached).toContain('model/ops.ts');
    expect(reached.filter((f) => DEVICE_LAYER.includes(f))).toEqual([]);
    // And it names no device choice.
    expect(readFileSync(resolve(root, 'model/slowfast.ts'), 'utf8')).not.toMatch(/\b(tilePolicy|subgroups|weightFormat|packF16|KernelDescriptor)\b/);
  });

  it('model/ and kernels/ cast nothing, except where a comment beside the cast says why', () => {
    expect([...sources('model'), ...sources('kernels')].flatMap((f) => casts(f, { unlessSaidWhy: true }))).toEqual([]);
  });

  it('the ONNX exporter and the autotuner read typed ops with no casts', () => {
    expect([...casts(resolve(root, 'model/onnx/exportOnnx.ts')), ...casts(resolve(root, 'model/autotune.ts'))]).toEqual([]);
  });
});
