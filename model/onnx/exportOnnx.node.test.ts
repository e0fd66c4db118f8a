// The exported file's structure, read back with the same schema; what cannot be exported says why.
import { describe, expect, it } from 'vitest';
import { Graph } from '../graph.ts';
import { GOLDEN_FIXTURES } from '../goldenFixtures.ts';
import { buildSlowFast } from '../slowfast.ts';
import { RandomSource } from '../weights/weightSource.ts';
import { decodeOnnx, exportOnnx, ONNX_OPSET } from './exportOnnx.ts';

interface Decoded {
  ir_version: number;
  opset_import: { version: number }[];
  graph: {
    node: { op_type: string; input: string[]; output: string[] }[];
    initializer: { name: string; dims: number[]; raw_data: number[] }[];
    input: { name: string }[];
    output: { name: string; type: { tensor_type: { shape: { dim: { dim_value: number }[] } } } }[];
  };
}

describe('exportOnnx', () => {
  const config = GOLDEN_FIXTURES.slowfast_r50_w16_8x8_64px;

  it('writes one Conv per conv layer, a Concat per lateral fusion, and every weight once', () => {
    const model = buildSlowFast(config, new RandomSource(1), { softmax: true });
    const onnx = exportOnnx(model.graph, { name: 'fixture' });
    const m = decodeOnnx(onnx.bytes) as unknown as Decoded;
    expect(m.ir_version).toBe(8);
    expect(m.opset_import[0].version).toBe(ONNX_OPSET);
    const count = (op: string) => m.graph.node.filter((n) => n.op_type === op).length;
    const convLayers = model.graph.nodes.filter((n) => n.op.op === 'conv3d').length;
    expect(count('Conv')).toBe(convLayers);
    // Stem fusion + three stage fusions, and the head's pooled pathways.
    expect(count('Concat')).toBe(5);
    expect(count('Gemm')).toBe(1);
    expect(count('Softmax')).toBe(1);
    expect(m.graph.input.map((i) => i.name).sort()).toEqual(['fast', 'slow']);
    expect(m.graph.output.map((o) => [o.name, o.type.tensor_type.shape.dim.map((d) => d.dim_value)])).toEqual([
      ['logits', [1, 400]], ['probabilities', [1, 400]],
    ]);
    // Each conv's weight and folded bias, and the head's: all f32, all the parameters the model has.
    const params = m.graph.initializer.reduce((a, t) => a + t.dims.reduce((x, y) => x * y, 1), 0);
    expect(params).toBe(onnx.parameters);
    expect(new Set(m.graph.initializer.map((t) => t.name)).size).toBe(m.graph.initializer.length);
    // Every value is produced before it is read.
    const known = new Set([...m.graph.input.map((i) => i.name), ...m.graph.initializer.map((t) => t.name)]);
    for (const n of m.graph.node) {
      for (const i of n.input) expect(known.has(i), `${n.op_type} reads ${i} before it exists`).toBe(true);
      for (const o of n.output) known.add(o);
    }
  });

  it('exports a ring graph (the CPU engine\'s): clipIndex an int32 input, the ring of any length; refuses ops with no ONNX form', () => {
    const ring = buildSlowFast(config, new RandomSource(1), { input: 'ring', ringCapacity: 40 });
    const onnx = exportOnnx(ring.graph);
    expect(onnx.inputs).toEqual([
      { name: 'ring', shape: [1, 3, 40, config.inputSize, config.inputSize], dynamicAxis: 2 },
      { name: 'clipIndex', shape: [config.fastFrames], type: 'int32' },
    ]);
    const inputs = (decodeOnnx(onnx.bytes) as { graph: { input: { name: string; type: { tensor_type: { elem_type: number; shape: { dim: object[] } } } }[] } }).graph.input;
    expect(inputs.map((i) => i.type.tensor_type.elem_type)).toEqual([1, 6]);
    expect(inputs[0].type.tensor_type.shape.dim[2]).toEqual({ dim_param: 'ring_2' });
    const g = new Graph();
    g.op('resize', { op: 'preprocess', attrs: { width: 8, height: 8, size: 4, frames: 1, t: 0, clip: 0 } }, [g.input('frame', [8, 8, 4])]);
    expect(() => exportOnnx(g)).toThrow(/^resize: preprocess has no ONNX form$/);
  });
});
