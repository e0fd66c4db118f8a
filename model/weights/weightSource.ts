import { buildSlowFast, type SlowFastConfig } from '../slowfast.ts';
import { CheckpointError } from './pickle.ts';
import type { StateDict } from './stateDict.ts';

/** Where the model builder gets each named parameter, with the shape it expects. */
export interface WeightSource {
  get(name: string, shape: readonly number[]): Float32Array<ArrayBuffer>;
  /** Throws if any parameter was missing or misshapen, or (when strict) if the source has unused ones. */
  finish(): void;
}

export class WeightError extends CheckpointError {
  override readonly name = 'WeightError';
}

/**
 * Serves a checkpoint's state dict to the builder, collecting every problem by its real name, so one load
 * reports all missing, misshapen and unexpected weights at once.
 */
export class StateDictSource implements WeightSource {
  private readonly used = new Set<string>();
  private readonly missing: string[] = [];
  private readonly misshapen: string[] = [];
  private readonly nonFinite: string[] = [];

  constructor(
    private readonly dict: StateDict,
    /** Keys that are fine to leave unused (e.g. BN num_batches_tracked). */
    private readonly ignorable: (name: string) => boolean = (n) => n.endsWith('num_batches_tracked'),
  ) {}

  get(name: string, shape: readonly number[]): Float32Array<ArrayBuffer> {
    this.used.add(name);
    const t = this.dict.get(name);
    if (!t) {
      this.missing.push(`${name} [${shape.join(', ')}]`);
      return new Float32Array(shape.reduce((a, b) => a * b, 1));
    }
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      this.misshapen.push(`${name}: checkpoint has [${t.shape.join(', ')}], model needs [${shape.join(', ')}]`);
      return new Float32Array(shape.reduce((a, b) => a * b, 1));
    }
    // A NaN or infinity in one weight turns every label into noise; say where it is instead.
    if (!t.data.every(Number.isFinite)) this.nonFinite.push(name);
    return t.data;
  }

  finish(): void {
    const unexpected = [...this.dict.keys()].filter((k) => !this.used.has(k) && !this.ignorable(k));
    const parts: string[] = [];
    if (this.missing.length) parts.push(`missing ${this.missing.length}: ${this.missing.slice(0, 10).join('; ')}${this.missing.length > 10 ? '; …' : ''}`);
    if (this.misshapen.length) parts.push(`wrong shape ${this.misshapen.length}: ${this.misshapen.slice(0, 10).join('; ')}${this.misshapen.length > 10 ? '; …' : ''}`);
    if (this.nonFinite.length) parts.push(`non-finite values (NaN or ±∞): ${this.nonFinite.slice(0, 10).join('; ')}${this.nonFinite.length > 10 ? '; …' : ''}`);
    if (unexpected.length) parts.push(`unexpected ${unexpected.length}: ${unexpected.slice(0, 10).join('; ')}${unexpected.length > 10 ? '; …' : ''}`);
    if (parts.length) throw new WeightError(`the checkpoint does not fit this model — ${parts.join(' | ')}`);
  }
}

/** Deterministic random weights of the right shapes, for settings without official weights. */
export class RandomSource implements WeightSource {
  private state: number;
  constructor(seed = 1) {
    this.state = seed >>> 0;
  }
  get(name: string, shape: readonly number[]): Float32Array<ArrayBuffer> {
    const n = shape.reduce((a, b) => a * b, 1);
    const out = new Float32Array(n);
    const fanIn = shape.length > 1 ? n / shape[0] : 1;
    const isVar = name.endsWith('running_var');
    const isScale = /norm[^.]*\.weight$|bn\.weight$/.test(name);
    for (let i = 0; i < n; i++) {
      this.state = (Math.imul(this.state, 1664525) + 1013904223) >>> 0;
      const u = this.state / 2 ** 32;
      out[i] = isVar || isScale ? 0.5 + u : (u * 2 - 1) * Math.sqrt(3 / fanIn);
    }
    return out;
  }
  finish(): void {}
}

/** A state dict of random weights (RandomSource's) for every parameter a config's network asks for. */
export function randomStateDict(config: SlowFastConfig, seed = 1): StateDict {
  const random = new RandomSource(seed);
  const dict: StateDict = new Map();
  // In the order the builder reads them, so the values are those a RandomSource(seed) gives the builder.
  for (const { name, shape } of buildSlowFast(config).parameters) dict.set(name, { shape: [...shape], dtype: 'float32', data: random.get(name, shape) });
  return dict;
}
