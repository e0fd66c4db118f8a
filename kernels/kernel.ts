// The contract between an op and whoever runs it: an op returns a plain KernelDescriptor; only the
// executor (model/) and the one-shot runner (runKernel.ts) touch a GPUDevice. What a graph computes is said
// by each op's `…Op` type ({op, attrs}: see model/ops.ts), never by a descriptor.
import common from './common.wgsl?raw';

/** The most workgroups WebGPU guarantees in one dispatch dimension. */
export const MAX_WORKGROUPS_PER_DIM = 65535;

export type UniformType = 'u32' | 'i32' | 'f32';
/** Uniform fields in declaration order; the WGSL struct is generated from this, so there is one owner. */
export type UniformLayout = Readonly<Record<string, UniformType>>;

export interface KernelDescriptor {
  /** The op, for profiles and errors. */
  name: string;
  /** Complete WGSL, header resolved. */
  source: string;
  entryPoint: string;
  /** Identifies the pipeline (source and entry point; constants are written into the source); shapes never enter it. */
  cacheKey: string;
  /** The binding of each input buffer, in the order the caller passes them, then of each output. */
  inputBindings: number[];
  outputBindings: number[];
  /** Bytes for the uniform buffer at binding 0. */
  uniforms: Uint32Array<ArrayBuffer>;
  dispatch: [number, number, number];
}

/** A dense tensor shape; activations are (N, C, T, H, W), row-major. */
export type Shape = readonly number[];

/** How a tensor's elements are stored: f32, or f16 (where the device has `shader-f16`). */
export type Dtype = 'f32' | 'f16';

/** Bytes an element of `dtype` takes. */
export const bytesPerElement = (dtype: Dtype): number => (dtype === 'f16' ? 2 : 4);

/** Bytes a tensor of `shape` takes stored as `dtype`, in whole words (buffers copy and map in them). */
export const storedBytes = (shape: Shape, dtype: Dtype): number => Math.ceil((sizeOf(shape) * bytesPerElement(dtype)) / 4) * 4;

/**
 * The element types of an op's activations as stored: the inputs' and the output's (default f32). A kernel's WGSL
 * names them `In` and `Out` (aliases the header defines) and converts where it computes in another type.
 */
export interface ElementTypes {
  in?: Dtype;
  out?: Dtype;
}

export function sizeOf(shape: Shape): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Throws a shape error that names the op and the offending dims. */
export function shapeError(op: string, message: string): never {
  throw new ShapeError(`${op}: ${message}`);
}

export class ShapeError extends Error {
  override readonly name = 'ShapeError';
}

export function fmt(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function expectRank(op: string, what: string, shape: Shape, rank: number): void {
  if (shape.length !== rank) shapeError(op, `${what} must have rank ${rank}, got ${fmt(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 1) shapeError(op, `${what} has a non-positive or fractional dim: ${fmt(shape)}`);
  }
}

/**
 * Spreads a 1-D count of workgroups over x, y and z so that no dimension exceeds the WebGPU limit. Shaders
 * recover the linear index with `linearWorkgroupIndex` from common.wgsl and drop indices past the count.
 */
export function splitDispatch(workgroups: number): [number, number, number] {
  if (workgroups <= MAX_WORKGROUPS_PER_DIM) return [Math.max(1, workgroups), 1, 1];
  const y = Math.ceil(workgroups / MAX_WORKGROUPS_PER_DIM);
  if (y <= MAX_WORKGROUPS_PER_DIM) return [MAX_WORKGROUPS_PER_DIM, y, 1];
  const z = Math.ceil(y / MAX_WORKGROUPS_PER_DIM);
  if (z > MAX_WORKGROUPS_PER_DIM) throw new RangeError(`dispatch of ${workgroups} workgroups is too large`);
  return [MAX_WORKGROUPS_PER_DIM, MAX_WORKGROUPS_PER_DIM, z];
}

function uniformStruct(layout: UniformLayout): string {
  const fields = Object.entries(layout).map(([name, type]) => `  ${name}: ${type},`);
  return `struct Params {\n${fields.join('\n')}\n}`;
}

/** Packs uniform values in the layout's order (every field is 4 bytes; the struct has no padding). */
export function packUniforms<L extends UniformLayout>(layout: L, values: { [K in keyof L]: number }): Uint32Array<ArrayBuffer> {
  const names = Object.keys(layout);
  // Uniform buffers are sized in 16-byte multiples.
  const words = new Uint32Array(Math.max(4, Math.ceil(names.length / 4) * 4));
  const asF32 = new Float32Array(words.buffer);
  const asI32 = new Int32Array(words.buffer);
  names.forEach((name, i) => {
    // The layout's own keys, listed by Object.keys (which types them as strings).
    const v = values[name as keyof L];
    if (v === undefined || !Number.isFinite(v)) throw new Error(`uniform ${name} is ${v}`);
    if (layout[name] === 'f32') asF32[i] = v;
    else if (layout[name] === 'i32') asI32[i] = v;
    else words[i] = v;
  });
  return words;
}

/**
 * Completes an op's WGSL: the shared index maths, then the op's source with its `//!header` line replaced by
 * the generated uniform struct and the op's compile-time constants (which the TS side also reads, so a tile
 * size has one owner). Lines between `//!if FLAG` (or `//!if !FLAG`), an optional `//!else` and `//!end` are
 * kept or blanked by a boolean constant, or by SUBGROUPS (`options.subgroups`, which also adds the directives
 * subgroup built-ins need; see hasSubgroups in device.ts): code a variant never runs is never compiled, and
 * a module without subgroups never names their built-ins.
 */
export function buildSource(
  opSource: string,
  layout: UniformLayout,
  consts: Record<string, number | boolean> = {},
  options: { subgroups?: boolean; elements?: ElementTypes; f16?: boolean } = {},
): string {
  if (!opSource.includes('//!header')) throw new Error('op source lacks its //!header placeholder');
  const constLines = Object.entries(consts).map(([k, v]) =>
    typeof v === 'boolean' ? `const ${k} = ${v};` : `const ${k} = ${Number.isInteger(v) ? `${v}u` : `${v}f`};`,
  );
  const elements = { in: options.elements?.in ?? 'f32', out: options.elements?.out ?? 'f32' };
  const half = elements.in === 'f16' || elements.out === 'f16' || !!options.f16;
  const header = [uniformStruct(layout), `alias In = ${elements.in};`, `alias Out = ${elements.out};`, ...constLines].join('\n');
  const flags: Record<string, boolean> = { SUBGROUPS: !!options.subgroups, HALF_IN: elements.in === 'f16', HALF_OUT: elements.out === 'f16' };
  for (const [k, v] of Object.entries(consts)) if (typeof v === 'boolean') flags[k] = v;
  const directives = (half ? 'enable f16;\n' : '') + (options.subgroups ? 'enable subgroups;\nrequires subgroup_id;\n' : '');
  return `${directives}${common}\n${keepSections(opSource, flags).replace('//!header', header)}`;
}

/** The lines of `source` that its `//!if` sections keep under `flags`; the others are blanked (line numbers stay). */
export function keepSections(source: string, flags: Record<string, boolean>): string {
  const open: { keep: boolean; flag: string }[] = [];
  const lines = source.split('\n').map((line) => {
    const m = /^\s*\/\/!(if|else|end)\b\s*(!?)(\w*)\s*$/.exec(line);
    if (!m) return open.every((s) => s.keep) ? line : '';
    const [, word, not, flag] = m;
    if (word === 'if') {
      if (!(flag in flags)) throw new Error(`//!if ${flag}: not a boolean constant of this kernel`);
      open.push({ keep: flags[flag] !== (not === '!'), flag });
    } else {
      const section = open.pop();
      if (!section) throw new Error(`//!${word} without //!if`);
      if (word === 'else') open.push({ keep: !section.keep, flag: section.flag });
    }
    return '';
  });
  if (open.length) throw new Error(`//!if ${open[open.length - 1].flag} is never closed by //!end`);
  return lines.join('\n');
}

export function cacheKeyOf(name: string, entryPoint: string, source: string): string {
  return `${name}:${entryPoint}:${hashString(source)}`;
}

function hashString(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16);
}

/** Elementwise ops use this workgroup size; the shaders read it through the generated header. */
export const ELEMENTWISE_WORKGROUP = 256;

/** Descriptor of an elementwise-style op: one invocation per output element, linear index. */
export function elementwiseDescriptor(
  name: string,
  opSource: string,
  layout: UniformLayout,
  uniforms: Record<string, number>,
  count: number,
  io: { inputs: number; outputs: number },
  consts: Record<string, number | boolean> = {},
  elements?: ElementTypes,
): KernelDescriptor {
  const source = buildSource(opSource, layout, { WORKGROUP: ELEMENTWISE_WORKGROUP, ...consts }, { elements });
  const inputBindings = Array.from({ length: io.inputs }, (_, i) => i + 1);
  const outputBindings = Array.from({ length: io.outputs }, (_, i) => io.inputs + i + 1);
  return {
    name,
    source,
    entryPoint: 'main',
    cacheKey: cacheKeyOf(name, 'main', source),
    inputBindings,
    outputBindings,
    uniforms: packUniforms(layout, uniforms),
    dispatch: splitDispatch(Math.ceil(count / ELEMENTWISE_WORKGROUP)),
  };
}
