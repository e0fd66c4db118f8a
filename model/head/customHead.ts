// A taught head as one small file: safetensors holding the head's weight and bias (over standardised
// features) and the standardisation (each feature's mean and spread), with the class names and the backbone
// it was trained on in the metadata. A head only means something on the features of the backbone that made
// them, so the backbone is named and fingerprinted, and a head for another is refused.
import type { WeightInput } from '../weights/byteSource.ts';
import { CheckpointError } from '../weights/pickle.ts';
import { readSafetensors, writeSafetensors, type SafetensorsEntry } from '../weights/safetensors.ts';
import type { StateDict } from '../weights/stateDict.ts';
import { parameterShapes } from '../weights/convert.ts';
import type { SlowFastConfig } from '../slowfast.ts';
import type { Evaluation, HeadWeights } from './train.ts';

export const HEAD_FORMAT = 'slowfast-web head';
const HEAD_VERSION = '1';

/** Which backbone made the features: a name for people, a fingerprint of its weights for the check. */
export interface BackboneIdentity {
  name: string;
  /** SHA-256 (hex) over the weights' names, shapes and a fixed sample of their values. */
  hash: string;
  /** Size of the pooled features the head reads (2304 for the R50 SlowFast). */
  features: number;
}

export interface CustomHead extends HeadWeights {
  classNames: string[];
  backbone: BackboneIdentity;
  /** How it was graded when it was trained (kept in the file for whoever loads it). */
  evaluation?: Evaluation;
}

export class HeadFileError extends Error {
  override name = 'HeadFileError';
}

/** The head as a linear layer on raw features: W' = W / std, b' = b − W'·mean (what the GPU runs). */
export function foldHead(head: HeadWeights): { weight: Float32Array<ArrayBuffer>; bias: Float32Array<ArrayBuffer> } {
  const d = head.featureMean.length;
  const classes = head.bias.length;
  const weight = new Float32Array(classes * d);
  const bias = new Float32Array(classes);
  for (let k = 0; k < classes; k++) {
    let shift = 0;
    for (let j = 0; j < d; j++) {
      const w = head.weight[k * d + j] / head.featureStd[j];
      weight[k * d + j] = w;
      shift += w * head.featureMean[j];
    }
    bias[k] = head.bias[k] - shift;
  }
  return { weight, bias };
}

/** A short fingerprint of the head's numbers and names (e.g. to tell two heads' GPU buffers apart). */
export function headFingerprint(head: CustomHead): string {
  // FNV-1a over the bytes: fast, and two heads that differ anywhere differ here.
  let h = 0x811c9dc5;
  const mix = (bytes: Uint8Array) => {
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  };
  for (const a of [head.weight, head.bias, head.featureMean, head.featureStd]) mix(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  mix(new TextEncoder().encode(JSON.stringify([head.classNames, head.backbone.hash])));
  return h.toString(16).padStart(8, '0');
}

/** The values sampled from each tensor for the fingerprint. */
const SAMPLES_PER_TENSOR = 1024;

/**
 * Fingerprints a model's weights: each of the model's parameters (so extras a file may carry beside them do
 * not count) by name, shape and up to 1024 of its values evenly spaced; `features` is the head's input size.
 */
export async function backboneIdentity(dict: StateDict, config: SlowFastConfig, name: string): Promise<BackboneIdentity> {
  const params = parameterShapes(config);
  const head = params.find((p) => /proj\.weight$/.test(p.name))!;
  const parts: Uint8Array[] = [];
  for (const { name: key } of [...params].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const t = dict.get(key);
    if (!t) throw new HeadFileError(`the model has no ${key}`);
    parts.push(new TextEncoder().encode(`${key} ${t.shape.join('x')};`));
    const step = Math.max(1, Math.floor(t.data.length / SAMPLES_PER_TENSOR));
    const sample = new Float32Array(Math.ceil(t.data.length / step));
    for (let i = 0, j = 0; i < t.data.length; i += step, j++) sample[j] = t.data[i];
    parts.push(new Uint8Array(sample.buffer));
  }
  const all = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  return { name, hash: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''), features: head.shape[1] };
}

/** Throws, saying which model the head needs, unless it was trained on `backbone`. */
export function checkBackbone(head: CustomHead, backbone: BackboneIdentity): void {
  if (head.backbone.hash === backbone.hash && head.backbone.features === backbone.features) return;
  throw new HeadFileError(
    `this head was taught on ${head.backbone.name} (weights ${head.backbone.hash.slice(0, 12)}…); the model loaded now is ` +
    `${backbone.name} (${backbone.hash.slice(0, 12)}…): load the model it was taught on, or teach a new head`,
  );
}

export function writeHeadFile(head: CustomHead): Uint8Array<ArrayBuffer> {
  const d = head.featureMean.length;
  const k = head.classNames.length;
  const f32 = (shape: number[], data: Float32Array): SafetensorsEntry => ({ dtype: 'F32', shape, data });
  const tensors = new Map([
    ['head.weight', f32([k, d], head.weight)],
    ['head.bias', f32([k], head.bias)],
    ['features.mean', f32([d], head.featureMean)],
    ['features.std', f32([d], head.featureStd)],
  ]);
  return writeSafetensors(tensors, {
    format: HEAD_FORMAT, version: HEAD_VERSION, class_names: JSON.stringify(head.classNames),
    backbone: JSON.stringify(head.backbone), ...(head.evaluation ? { evaluation: JSON.stringify(head.evaluation) } : {}),
  });
}

/** Reads and checks a head file; anything that is not a whole, consistent head is refused with why. */
export async function readHeadFile(input: WeightInput): Promise<CustomHead> {
  let parsed: Awaited<ReturnType<typeof readSafetensors>>;
  try {
    parsed = await readSafetensors(input);
  } catch (e) {
    if (e instanceof CheckpointError) throw new HeadFileError(`not a head file: ${e.message}`);
    throw e;
  }
  const { dict, metadata } = parsed;
  if (metadata.format !== HEAD_FORMAT) {
    throw new HeadFileError(`not a head file: a safetensors file${metadata.format ? ` of format '${metadata.format}'` : ''} without the head's metadata (a model's weights go in "Load weights")`);
  }
  if (metadata.version !== HEAD_VERSION) throw new HeadFileError(`head file version ${metadata.version} is not one this page reads (${HEAD_VERSION})`);
  const json = <T>(key: string, valid: (v: unknown) => v is T): T => {
    try {
      const v: unknown = JSON.parse(metadata[key] ?? 'null');
      if (valid(v)) return v;
    } catch { /* reported below */ }
    throw new HeadFileError(`the head file's ${key.replace('_', ' ')} are damaged`);
  };
  const classNames = json('class_names', (v): v is string[] => Array.isArray(v) && v.length >= 2 && v.every((s) => typeof s === 'string'));
  const backbone = json('backbone', (b): b is BackboneIdentity =>
    typeof b === 'object' && b !== null && 'name' in b && typeof b.name === 'string' && 'hash' in b && typeof b.hash === 'string' &&
    'features' in b && typeof b.features === 'number' && Number.isInteger(b.features) && b.features > 0);
  const tensor = (name: string, shape: number[]) => {
    const t = dict.get(name);
    if (!t) throw new HeadFileError(`the head file has no ${name}`);
    if (t.shape.join() !== shape.join()) throw new HeadFileError(`the head file's ${name} is (${t.shape.join(', ')}), not (${shape.join(', ')})`);
    if (t.data.some((v) => !Number.isFinite(v))) throw new HeadFileError(`the head file's ${name} holds values that are not finite numbers`);
    return t.data;
  };
  const [k, d] = [classNames.length, backbone.features];
  const head: CustomHead = {
    classNames, backbone,
    weight: tensor('head.weight', [k, d]), bias: tensor('head.bias', [k]),
    featureMean: tensor('features.mean', [d]), featureStd: tensor('features.std', [d]),
  };
  if (head.featureStd.some((s) => !(s > 0))) throw new HeadFileError("the head file's features.std has a spread that is not positive");
  if (metadata.evaluation) {
    try {
      // A grade is a note for whoever shows it, not part of what the head computes: taken as written.
      head.evaluation = JSON.parse(metadata.evaluation) as Evaluation;
    } catch { /* a grade is a note, not part of the head */ }
  }
  return head;
}
