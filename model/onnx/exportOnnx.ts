// Graph → ONNX: every node is a typed op (model/ops.ts), and this file says how each op is written in ONNX. Fusions our kernels do in one dispatch become the ONNX ops they stand for (a conv
// with its folded batch norm, residual and ReLU is Conv → Add → Relu; a conv that fills a channel slice of
// a concatenation becomes a Conv whose output is concatenated), so any ONNX runtime computes our logits.
import protobuf from 'protobufjs';
import schema from './onnx.proto?raw';
import { packF16, unpackF16 } from '../../kernels/f16.ts';
import { fmt, sizeOf, type Shape } from '../../kernels/kernel.ts';
import { poolWindow } from '../../kernels/window.ts';
import type { Graph, GraphNode, TensorId } from '../graph.ts';
import type { OpName, OpOf } from '../ops.ts';

/** ONNX opset the exported models declare (every op used here is unchanged from 13 to 21). */
export const ONNX_OPSET = 17;
const IR_VERSION = 8;
const FLOAT = 1;
const INT64 = 7;
const INT32 = 6;

const root = protobuf.parse(schema, { keepCase: true }).root;
const ModelProto = root.lookupType('onnx.ModelProto');

export class OnnxExportError extends Error {
  override readonly name = 'OnnxExportError';
}

export interface OnnxExportOptions {
  /** The graph's name in the file (e.g. the preset). */
  name?: string;
  /** Free text stored as the model's doc string (e.g. where the weights came from). */
  description?: string;
  producerVersion?: string;
  /**
   * The weights as an engine planned with this format holds them: 'f16' writes conv and linear weights as
   * the f32 values their f16 packing rounds to, so an ONNX runtime computes what that engine computes.
   */
  weightFormat?: 'f32' | 'f16';
}

export interface OnnxValue {
  name: string;
  shape: number[];
  /** Default float32; a gather's run-time indices are int32. */
  type?: 'int32';
  /** An axis of any length in the model (the frame axis of a ring of frames); `shape` gives one. */
  dynamicAxis?: number;
}

export interface OnnxModel {
  bytes: Uint8Array;
  inputs: OnnxValue[];
  outputs: OnnxValue[];
  /** ONNX nodes written (more than the graph's: fused epilogues unfold). */
  nodes: number;
  /** Parameters stored (f32). */
  parameters: number;
}

type AttrValue = number | readonly number[] | string;
interface NodeOut {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  attribute: object[];
}

/** A slice of channels one node wrote into a tensor that several nodes share. */
interface Part {
  offset: number;
  channels: number;
  value: string;
}

class OnnxWriter {
  readonly nodes: NodeOut[] = [];
  readonly initializers: object[] = [];
  parameters = 0;
  private readonly used = new Set<string>();
  private readonly values = new Map<TensorId, string>();
  private readonly parts = new Map<TensorId, Part[]>();

  constructor(
    readonly graph: Graph,
    private readonly weightFormat: 'f32' | 'f16' = 'f32',
  ) {}

  /** A name no other value has. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}#${i}`;
    this.used.add(name);
    return name;
  }

  node(opType: string, name: string, inputs: string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    const out = output ?? this.fresh(name);
    this.nodes.push({
      input: inputs, output: [out], name: this.fresh(`${name} (${opType})`), op_type: opType,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  floatConst(name: string, shape: readonly number[], data: Float32Array): string {
    const n = this.fresh(name);
    this.parameters += data.length;
    this.initializers.push({
      name: n, dims: [...shape], data_type: FLOAT,
      raw_data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    });
    return n;
  }

  int64Const(name: string, values: readonly number[]): string {
    const n = this.fresh(name);
    const raw = new BigInt64Array(values.map((v) => BigInt(v)));
    this.initializers.push({ name: n, dims: [values.length], data_type: INT64, raw_data: new Uint8Array(raw.buffer) });
    return n;
  }

  /** The ONNX value holding a tensor's full contents (concatenating the channel slices written into it). */
  read(t: TensorId): string {
    const parts = this.parts.get(t);
    if (parts) {
      this.parts.delete(t);
      const total = this.graph.shape(t)[1];
      parts.sort((a, b) => a.offset - b.offset);
      let at = 0;
      for (const p of parts) {
        if (p.offset !== at) throw new OnnxExportError(`${this.graph.describe(t)}: channels [${at}, ${p.offset}) are read before anything writes them`);
        at += p.channels;
      }
      if (at !== total) throw new OnnxExportError(`${this.graph.describe(t)}: channels [${at}, ${total}) are read before anything writes them`);
      this.values.set(t, this.node('Concat', this.graph.tensors[t].name, parts.map((p) => p.value), { axis: 1 }));
    }
    const v = this.values.get(t);
    if (v !== undefined) return v;
    const spec = this.graph.tensors[t];
    if (spec.kind === 'weight') throw new OnnxExportError(`${spec.name}: a weight read as an activation`);
    throw new OnnxExportError(`${this.graph.describe(t)} is read before any node writes it`);
  }

  /** Records `value` as the whole of tensor t, or (offset given) as channels [offset, offset + channels) of it. */
  write(t: TensorId, value: string, slice?: { offset: number; channels: number }): void {
    if (this.values.has(t) || (!slice && this.parts.has(t))) {
      throw new OnnxExportError(`${this.graph.describe(t)} is written twice; the exporter needs each tensor (or channel slice) written once`);
    }
    if (!slice || (slice.offset === 0 && slice.channels === this.graph.shape(t)[1])) {
      this.values.set(t, value);
      return;
    }
    const list = this.parts.get(t) ?? [];
    list.push({ value, ...slice });
    this.parts.set(t, list);
  }

  /** Keeps a name (a graph output's) for the value that will be given it. */
  reserve(name: string): void {
    if (this.used.has(name)) throw new OnnxExportError(`two graph inputs or outputs are named ${name}`);
    this.used.add(name);
  }

  bindInput(t: TensorId, name: string): void {
    this.values.set(t, name);
  }

  /** A weight's values; `packable` ones (conv and linear weights) as the engine's weight format stores them. */
  weight(t: TensorId, packable = false): Float32Array {
    const spec = this.graph.tensors[t];
    if (spec.kind !== 'weight' || !(spec.data instanceof Float32Array)) {
      throw new OnnxExportError(`${spec.name} must be a constant f32 weight to export, it is ${spec.data ? 'an index' : spec.kind === 'weight' ? 'a weight without data' : spec.kind}`);
    }
    if (packable && this.weightFormat === 'f16') return unpackF16(packF16(spec.data), sizeOf(spec.shape));
    return spec.data;
  }
}

function attribute(name: string, v: AttrValue): object {
  if (typeof v === 'string') return { name, type: 3, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: 2, i: v } : { name, type: 1, f: v };
  return { name, type: 7, ints: [...v] };
}

/**
 * The ops an ONNX model can hold: a frame's resize and crop (preprocess) happen before the network, and class
 * activation maps (classMap) are the page's view of a run, not the network's output, and a head's training
 * gradient (softmaxGradient) belongs to teaching, not to inference.
 */
type Exportable = Exclude<OpName, 'preprocess' | 'classMap' | 'softmaxGradient'>;

/** How each op is written in ONNX. */
type Lowerings = { [K in Exportable]: (w: OnnxWriter, node: GraphNode, attrs: OpOf<K>['attrs']) => void };

const pads = (p: readonly number[]) => [...p, ...p];

const LOWERINGS: Lowerings = {
  conv3d(w, node, a) {
    const g = w.graph;
    const [x, weight, affine, residual] = node.inputs;
    const wShape = g.shape(weight);
    const outC = wShape[0];
    const count = sizeOf(wShape);
    // Packed f16 weights go out as the f32 values they round to, so ONNX runtimes compute what we compute.
    const kernelW = w.weight(weight, true);
    // The epilogue's per-channel (scale, shift): scale goes into the weights, shift is the bias.
    const aff = w.weight(affine);
    const scaled = new Float32Array(count);
    const per = count / outC;
    for (let c = 0; c < outC; c++) for (let i = 0; i < per; i++) scaled[c * per + i] = kernelW[c * per + i] * aff[2 * c];
    const bias = Float32Array.from({ length: outC }, (_, c) => aff[2 * c + 1]);
    const { stride = [1, 1, 1], padding = [0, 0, 0], dilation = [1, 1, 1] } = a;
    let y = w.node('Conv', node.name, [w.read(x), w.floatConst(`${node.name}.weight`, wShape, scaled), w.floatConst(`${node.name}.bias`, [outC], bias)], {
      kernel_shape: a.kernel, strides: stride, pads: pads(padding), dilations: dilation, group: 1,
    });
    if (a.residual) y = w.node('Add', `${node.name} + residual`, [y, w.read(residual)]);
    if (a.relu) y = w.node('Relu', `${node.name} relu`, [y]);
    w.write(node.outputs[0], y, { offset: a.outputChannelOffset ?? 0, channels: outC });
  },
  maxPool3d(w, node, a) {
    const { kernel, stride, padding } = poolWindow(a);
    w.write(node.outputs[0], w.node('MaxPool', node.name, [w.read(node.inputs[0])], { kernel_shape: kernel, strides: stride, pads: pads(padding) }));
  },
  avgPool3d(w, node, a) {
    const { kernel, stride, padding } = poolWindow(a);
    w.write(node.outputs[0], w.node('AveragePool', node.name, [w.read(node.inputs[0])], {
      kernel_shape: kernel, strides: stride, pads: pads(padding), count_include_pad: 1,
    }));
  },
  concat(w, node, a) {
    w.write(node.outputs[0], w.node('Concat', node.name, node.inputs.map((t) => w.read(t)), { axis: a.axis }));
  },
  add(w, node, a) {
    let y = w.node('Add', node.name, node.inputs.map((t) => w.read(t)));
    if (a.relu) y = w.node('Relu', `${node.name} relu`, [y]);
    w.write(node.outputs[0], y);
  },
  relu(w, node) {
    w.write(node.outputs[0], w.node('Relu', node.name, [w.read(node.inputs[0])]));
  },
  sigmoid(w, node) {
    w.write(node.outputs[0], w.node('Sigmoid', node.name, [w.read(node.inputs[0])]));
  },
  softmax(w, node, a) {
    w.write(node.outputs[0], w.node('Softmax', node.name, [w.read(node.inputs[0])], { axis: a.axis }));
  },
  frameGather(w, node, a) {
    const [x, index] = node.inputs;
    const spec = w.graph.tensors[index];
    // Indices given at run time (a frame ring's clipIndex) are an int32 graph input; fixed ones a constant.
    const indices = spec.kind === 'input' ? w.read(index) : spec.data ? w.int64Const(`${node.name} indices`, [...spec.data]) : undefined;
    if (!indices) throw new OnnxExportError(`${node.name}: its frame indices (${spec.name}) have no values`);
    w.write(node.outputs[0], w.node('Gather', node.name, [w.read(x), indices], { axis: a.axis }));
  },
  timeStridedSample(w, node, a) {
    const frames = w.graph.shape(node.inputs[0])[2];
    const ins = [w.read(node.inputs[0]), w.int64Const(`${node.name} starts`, [0]), w.int64Const(`${node.name} ends`, [frames]),
      w.int64Const(`${node.name} axes`, [2]), w.int64Const(`${node.name} steps`, [a.alpha])];
    w.write(node.outputs[0], w.node('Slice', node.name, ins));
  },
  timeToChannel(w, node, a) {
    // (N, C, T·α, H, W) → (N, C, T, α, H, W) → frames (α) before or after channels → (N, α·C, T, H, W).
    const [n, c, t, h, wd] = w.graph.shape(node.inputs[0]);
    const { alpha } = a;
    const split = w.node('Reshape', `${node.name} split time`, [w.read(node.inputs[0]), w.int64Const(`${node.name} shape in`, [n, c, t / alpha, alpha, h, wd])]);
    const perm = a.order === 'frame-major' ? [0, 3, 1, 2, 4, 5] : [0, 1, 3, 2, 4, 5];
    const moved = w.node('Transpose', `${node.name} frames to channels`, [split], { perm });
    w.write(node.outputs[0], w.node('Reshape', node.name, [moved, w.int64Const(`${node.name} shape out`, w.graph.shape(node.outputs[0]))]));
  },
  linear(w, node) {
    const [x, weight, bias] = node.inputs;
    const wShape = w.graph.shape(weight);
    const wData = w.weight(weight, true);
    let input = w.read(x);
    if (w.graph.shape(x).length > 2) input = w.node('Flatten', `${node.name} flatten`, [input], { axis: 1 });
    w.write(node.outputs[0], w.node('Gemm', node.name,
      [input, w.floatConst(`${node.name}.weight`, wShape, wData), w.floatConst(`${node.name}.bias`, [wShape[0]], w.weight(bias))], { transB: 1 }));
  },
};

/** Lowers one node by its op (each case narrows the union to that op's attrs). */
function lower(w: OnnxWriter, node: GraphNode): void {
  const { op } = node;
  switch (op.op) {
    case 'conv3d': return LOWERINGS.conv3d(w, node, op.attrs);
    case 'linear': return LOWERINGS.linear(w, node, op.attrs);
    case 'add': return LOWERINGS.add(w, node, op.attrs);
    case 'concat': return LOWERINGS.concat(w, node, op.attrs);
    case 'maxPool3d': return LOWERINGS.maxPool3d(w, node, op.attrs);
    case 'avgPool3d': return LOWERINGS.avgPool3d(w, node, op.attrs);
    case 'frameGather': return LOWERINGS.frameGather(w, node, op.attrs);
    case 'timeStridedSample': return LOWERINGS.timeStridedSample(w, node, op.attrs);
    case 'timeToChannel': return LOWERINGS.timeToChannel(w, node, op.attrs);
    case 'softmax': return LOWERINGS.softmax(w, node, op.attrs);
    case 'sigmoid': return LOWERINGS.sigmoid(w, node, op.attrs);
    case 'relu': return LOWERINGS.relu(w, node, op.attrs);
    case 'preprocess': case 'classMap': case 'softmaxGradient': throw new OnnxExportError(`${node.name}: ${op.op} has no ONNX form`);
  }
}

/** Writes the graph as an ONNX model (opset ONNX_OPSET): its inputs, every node, and its named outputs. */
export function exportOnnx(graph: Graph, options: OnnxExportOptions = {}): OnnxModel {
  const w = new OnnxWriter(graph, options.weightFormat);
  const inputs: OnnxValue[] = [];
  for (const name of graph.outputs.keys()) w.reserve(name);
  // A gather's indices are int32; the axis it gathers along from a graph input (a ring of frames) may be of
  // any length, so one model serves rings of every size.
  const indexInputs = new Set<TensorId>();
  const frameAxes = new Map<TensorId, number>();
  for (const node of graph.nodes) {
    if (node.op.op !== 'frameGather') continue;
    const [x, index] = node.inputs;
    if (graph.tensors[index].kind === 'input') indexInputs.add(index);
    if (graph.tensors[x].kind === 'input') frameAxes.set(x, node.op.attrs.axis);
  }
  for (const t of graph.tensors) {
    if (t.kind !== 'input') continue;
    w.reserve(t.name);
    w.bindInput(t.id, t.name);
    inputs.push({ name: t.name, shape: [...t.shape], ...(indexInputs.has(t.id) ? { type: 'int32' as const } : {}), ...(frameAxes.has(t.id) ? { dynamicAxis: frameAxes.get(t.id) } : {}) });
  }
  for (const node of graph.nodes) lower(w, node);
  const outputs: OnnxValue[] = [];
  const graphOutputs: object[] = [];
  for (const [name, t] of graph.outputs) {
    // ONNX outputs are named values: give each the name the graph exposes it under.
    w.node('Identity', name, [w.read(t)], {}, name);
    outputs.push({ name, shape: [...graph.shape(t)] });
  }
  for (const o of outputs) graphOutputs.push(valueInfo(o.name, o.shape));
  const model = ModelProto.fromObject({
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'slowfast-web',
    producer_version: options.producerVersion ?? '',
    doc_string: options.description ?? '',
    graph: {
      name: options.name ?? 'slowfast',
      node: w.nodes,
      initializer: w.initializers,
      input: inputs.map((i) => valueInfo(i.name, i.shape, i.type === 'int32' ? INT32 : FLOAT, i.dynamicAxis)),
      output: graphOutputs,
    },
  });
  return { bytes: ModelProto.encode(model).finish(), inputs, outputs, nodes: w.nodes.length, parameters: w.parameters };
}

function valueInfo(name: string, shape: Shape, elemType = FLOAT, dynamicAxis?: number): object {
  const dim = shape.map((d, axis) => (axis === dynamicAxis ? { dim_param: `${name}_${axis}` } : { dim_value: d }));
  return { name, type: { tensor_type: { elem_type: elemType, shape: { dim } } } };
}

/** Reads an ONNX file back into plain objects (for tests and for checking a file's inputs and outputs). */
export function decodeOnnx(bytes: Uint8Array): Record<string, unknown> {
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, bytes: Array, defaults: false, enums: Number });
}

export function describeValues(values: OnnxValue[]): string {
  return values.map((v) => `${v.name} ${fmt(v.shape)}`).join(', ');
}
