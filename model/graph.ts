// A small graph IR: tensors with shapes, and nodes that are typed ops (ops.ts) reading and writing them. It
// holds no device choice: the executor picks each node's kernel for its device, plans the graph once
// (buffers, pipelines, bind groups) and runs it many times.
import { fmt, sizeOf, type Shape } from '../kernels/kernel.ts';
import { inputCount, outputShape, type Op } from './ops.ts';

export type TensorId = number;

export type TensorKind = 'input' | 'weight' | 'activation';

export interface TensorSpec {
  id: TensorId;
  name: string;
  shape: Shape;
  kind: TensorKind;
  /** Bytes as the graph holds it (4 per element: f32, or u32 indices); the executor may store weights packed. */
  bytes: number;
  /** A weight's contents (absent in a graph built from shapes alone, e.g. to list its layers). */
  data?: Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>;
}

export interface GraphNode {
  /** The PyTorch module this node computes (for profiles and errors). */
  name: string;
  op: Op;
  inputs: TensorId[];
  /** A node may write part of a tensor (its channel slice of a concatenation); several nodes may write one. */
  outputs: TensorId[];
}

/** What a run of a graph gives back: its named outputs (a name the graph may or may not have: its variant decides). */
export type GraphOutputs<O extends string = string> = { readonly [K in O]?: Float32Array };

/** A graph whose outputs are named by `O` (a model's exported names). */
export class Graph<O extends string = string> {
  readonly tensors: TensorSpec[] = [];
  readonly nodes: GraphNode[] = [];
  /** Named results that the executor reads back after a run. */
  readonly outputs = new Map<O, TensorId>();

  input(name: string, shape: Shape): TensorId {
    return this.add({ name, shape, kind: 'input', bytes: sizeOf(shape) * 4 });
  }

  weight(name: string, shape: Shape, data?: Float32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>): TensorId {
    if (data && data.length !== sizeOf(shape)) throw new Error(`${name}: ${data.length} values for shape ${fmt(shape)}`);
    return this.add({ name, shape, kind: 'weight', bytes: sizeOf(shape) * 4, data });
  }

  activation(name: string, shape: Shape): TensorId {
    return this.add({ name, shape, kind: 'activation', bytes: sizeOf(shape) * 4 });
  }

  /** Adds a node that writes a fresh activation, shaped by its op, and returns it. */
  op(name: string, op: Op, inputs: TensorId[]): TensorId {
    const out = this.activation(name, this.outputShapeOf(name, op, inputs));
    this.write(name, op, inputs, out);
    return out;
  }

  /** Adds a node that writes an existing tensor, or its channel slice (a conv with an output channel offset). */
  write(name: string, op: Op, inputs: TensorId[], output: TensorId): void {
    for (const t of [...inputs, output]) if (!this.tensors[t]) throw new Error(`${name}: unknown tensor ${t}`);
    if (this.tensors[output].kind !== 'activation') throw new Error(`${name}: cannot write ${this.tensors[output].kind} ${this.tensors[output].name}`);
    const shape = this.outputShapeOf(name, op, inputs);
    if (fmt(shape) !== fmt(this.shape(output))) throw new Error(`${name} (${op.op}) writes ${fmt(shape)}, not ${this.describe(output)}`);
    this.nodes.push({ name, op, inputs, outputs: [output] });
  }

  private outputShapeOf(name: string, op: Op, inputs: TensorId[]): Shape {
    if (inputs.length !== inputCount(op)) throw new Error(`${name} (${op.op}): the op takes ${inputCount(op)} inputs, the node gives ${inputs.length}`);
    for (const t of inputs) if (!this.tensors[t]) throw new Error(`${name}: unknown tensor ${t}`);
    return outputShape(op, inputs.map((t) => this.shape(t)));
  }

  output(name: O, tensor: TensorId): void {
    this.outputs.set(name, tensor);
  }

  shape(t: TensorId): Shape {
    return this.tensors[t].shape;
  }

  describe(t: TensorId): string {
    const s = this.tensors[t];
    return `${s.name} ${fmt(s.shape)}`;
  }

  private add(spec: Omit<TensorSpec, 'id'>): TensorId {
    const id = this.tensors.length;
    this.tensors.push({ id, ...spec });
    return id;
  }
}
