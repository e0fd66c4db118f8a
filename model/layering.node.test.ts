// The boundary between what the model computes and how a device runs it, checked on the source: the graph
// builder reaches nothing device-level, and the exporter and autotuner read typed ops without casts.
import { readFileSync } from 'node:fs';
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

/** `x as T` and `<T>x` in a file, but not `as const`. */
function casts(file: string): string[] {
  const found: string[] = [];
  const source = parse(file);
  const visit = (node: ts.Node) => {
    const isCast = (ts.isAsExpression(node) && node.type.getText(source) !== 'const') || ts.isTypeAssertionExpression(node);
    if (isCast) found.push(`${file.slice(root.length + 1)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText(source)}`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
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

  it('the ONNX exporter and the autotuner read typed ops with no casts', () => {
    expect([...casts(resolve(root, 'model/onnx/exportOnnx.ts')), ...casts(resolve(root, 'model/autotune.ts'))]).toEqual([]);
  });
});
