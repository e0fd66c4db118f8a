// A small graph IR: tensors with shapes, and nodes that are kernel descriptors reading and writing them.
// The executor plans it once (buffers, pipelines, bind groups) and runs it many times.
import { fmt, sizeOf, type KernelDescriptor, type Shape } from '../kernels/kernel.ts';

export type TensorId = number;

export type TensorKind = 'input' | 'weight' | 'activation';

export interface TensorSpec {
  id: TensorId;
  name: string;
  shape: Shape;
  kind: TensorKind;
  /** Bytes on the GPU (f32 activations; weights as stored, e.g. packed f16). */
  bytes: number;
  /** A weight's contents. */
  data?: ArrayBufferView<ArrayBuffer>;
}

export interface GraphNode {
  /** The PyTorch module this node computes (for profiles and errors). */
  name: string;
  kernel: KernelDescriptor;
  inputs: TensorId[];
  /** A node may write part of a tensor (its channel slice of a concatenation); several nodes may write one. */
  outputs: TensorId[];
}

export class Graph {
  readonly tensors: TensorSpec[] = [];
  readonly nodes: GraphNode[] = [];
  /** Named results that the executor reads back after a run. */
  readonly outputs = new Map<string, TensorId>();

  input(name: string, shape: Shape): TensorId {
    return this.add({ name, shape, kind: 'input', bytes: sizeOf(shape) * 4 });
  }

  weight(name: string, shape: Shape, data: ArrayBufferView<ArrayBuffer>): TensorId {
    return this.add({ name, shape, kind: 'weight', bytes: data.byteLength, data });
  }

  activation(name: string, shape: Shape): TensorId {
    return this.add({ name, shape, kind: 'activation', bytes: sizeOf(shape) * 4 });
  }

  /** Adds a node that writes a fresh activation of `shape`, and returns it. */
  op(name: string, kernel: KernelDescriptor, inputs: TensorId[], shape: Shape): TensorId {
    const out = this.activation(name, shape);
    this.write(name, kernel, inputs, [out]);
    return out;
  }

  /** Adds a node that writes (part of) existing tensors. */
  write(name: string, kernel: KernelDescriptor, inputs: TensorId[], outputs: TensorId[]): void {
    if (inputs.length !== kernel.inputBindings.length || outputs.length !== kernel.outputBindings.length) {
      throw new Error(
        `${name} (${kernel.name}): the kernel takes ${kernel.inputBindings.length} inputs and ` +
          `${kernel.outputBindings.length} outputs, the node gives ${inputs.length} and ${outputs.length}`,
      );
    }
    for (const t of [...inputs, ...outputs]) if (!this.tensors[t]) throw new Error(`${name}: unknown tensor ${t}`);
    for (const t of outputs) {
      if (this.tensors[t].kind !== 'activation') throw new Error(`${name}: cannot write ${this.tensors[t].kind} ${this.tensors[t].name}`);
    }
    this.nodes.push({ name, kernel, inputs, outputs });
  }

  output(name: string, tensor: TensorId): void {
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
