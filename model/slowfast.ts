// Builds SlowFast (pytorchvideo's create_slowfast) — and the Slow-only baseline (create_resnet) — as a
// Graph of typed ops, for any depth, α, β, τ, width, lateral kind and input size. Node and weight names are
// the pytorchvideo state-dict names, so a bad checkpoint is reported by its real keys. Batch norm is folded
// into the convs here, once, at build time. Nothing here knows a device: the executor picks the kernels.
import { foldBatchNorm } from '../kernels/batchNorm3d/foldBatchNorm.ts';
import { frameGatherIndex } from '../kernels/frameGather/frameGather.ts';
import { conv3dAffine, type Conv3dAttrs, type Triple } from '../kernels/conv3d/conv3d.ts';
import type { Shape } from '../kernels/kernel.ts';
import { Graph, type TensorId } from './graph.ts';
import { slowFrameIndices } from './sampling.ts';
import type { WeightSource } from './weights/weightSource.ts';

/** How the Fast pathway feeds the Slow one (the paper's §3.2 and Table 5a). */
export type LateralKind = 'tconv' | 'tsample' | 'ttoc-concat' | 'ttoc-sum';

export interface SlowFastConfig {
  depth: 50 | 101;
  /** Frame-rate ratio: the Fast pathway sees α× the Slow pathway's frames. */
  alpha: number;
  /** 1/β, the Fast pathway's channel ratio (8). */
  betaInv: number;
  /** Time-strided conv lateral: kernel (k,1,1), and its output channels as a multiple of the fast channels. */
  fusionKernel: number;
  fusionChannelRatio: number;
  lateral: LateralKind;
  /** Stem output channels [slow, fast]; the full model is [64, 8], the golden fixtures [16, 2]. */
  stemChannels: readonly [number, number];
  numClasses: number;
  /** Input height and width (square crops). */
  inputSize: number;
  /** Fast-pathway frames (T·α); the Slow pathway gets fastFrames / α. */
  fastFrames: number;
  /** The Slow-only baseline: no Fast pathway, no laterals. */
  slowOnly?: boolean;
  /**
   * The crop the head's average-pool kernel was made for (T × crop/32 × crop/32; default inputSize). With a
   * larger input, as in pytorchvideo and PySlowFast, the pool slides and its outputs are averaged.
   */
  trainCrop?: number;
  /** Source-frame stride of the Slow pathway (τ; 8 for 8×8, 16 for 4×16); the Fast stride is τ/α. */
  tau: number;
  /**
   * The temporal kernel of every res block's conv_a, per pathway, stage (res2–res5) and block. Absent: the
   * paper's (Slow 1, 1, 3, 3 by stage; Fast 3). The zoo's 16×8 R101 "50_50" differs in res4 (pytorchvideo's
   * stage_conv_a_kernel_sizes), and a checkpoint's own weights say which it has.
   */
  convATemporal?: { slow: readonly (readonly number[])[]; fast: readonly (readonly number[])[] };
  /**
   * How the head's logits become per-class probabilities: a softmax over the classes (one action per clip,
   * Kinetics), or a sigmoid per class (several at once: Charades). Default softmax.
   */
  headActivation?: 'softmax' | 'sigmoid';
}

export const STAGE_DEPTHS: Record<SlowFastConfig['depth'], readonly number[]> = { 50: [3, 4, 6, 3], 101: [3, 4, 23, 3] };

/** The paper's conv_a temporal kernels: Slow 1×1×1 in res2–res3 and 3×1×1 after; Fast 3×1×1 throughout. */
export function standardConvATemporal(depth: SlowFastConfig['depth']): NonNullable<SlowFastConfig['convATemporal']> {
  const stages = STAGE_DEPTHS[depth];
  return {
    slow: stages.map((n, s) => new Array<number>(n).fill(s < 2 ? 1 : 3)),
    fast: stages.map((n) => new Array<number>(n).fill(3)),
  };
}

/** pytorchvideo's slowfast_16x8_r101_50_50: in res4, the first 6 of 23 blocks (both pathways) have 3×1×1, the rest 1×1×1. */
const R101_50_50: NonNullable<SlowFastConfig['convATemporal']> = (() => {
  const res4 = [...new Array<number>(6).fill(3), ...new Array<number>(17).fill(1)];
  return { slow: [[1, 1, 1], [1, 1, 1, 1], res4, [3, 3, 3]], fast: [[3, 3, 3], [3, 3, 3, 3], res4, [3, 3, 3]] };
})();

export const PRESETS = {
  /** pytorchvideo's slowfast_r50: 8×8, α 4, fusion kernel 7. */
  slowfast_r50_8x8: {
    depth: 50, alpha: 4, betaInv: 8, fusionKernel: 7, fusionChannelRatio: 2, lateral: 'tconv',
    stemChannels: [64, 8], numClasses: 400, inputSize: 224, fastFrames: 32, tau: 8,
  },
  /** The seed's table: 4×16, α 8, fusion kernel 5. */
  slowfast_r50_4x16: {
    depth: 50, alpha: 8, betaInv: 8, fusionKernel: 5, fusionChannelRatio: 2, lateral: 'tconv',
    stemChannels: [64, 8], numClasses: 400, inputSize: 224, fastFrames: 32, tau: 16,
  },
  slowfast_r101_8x8: {
    depth: 101, alpha: 4, betaInv: 8, fusionKernel: 5, fusionChannelRatio: 2, lateral: 'tconv',
    stemChannels: [64, 8], numClasses: 400, inputSize: 224, fastFrames: 32, tau: 8,
  },
  /** pytorchvideo's slowfast_16x8_r101_50_50: 16 Slow / 64 Fast frames, per-block conv_a kernels in res4. */
  slowfast_r101_16x8: {
    depth: 101, alpha: 4, betaInv: 8, fusionKernel: 5, fusionChannelRatio: 2, lateral: 'tconv',
    stemChannels: [64, 8], numClasses: 400, inputSize: 224, fastFrames: 64, tau: 8, convATemporal: R101_50_50,
  },
  /** pytorchvideo's slow_r50 (8×8): the Slow pathway alone, to show what the Fast pathway adds. */
  slow_r50_8x8: {
    depth: 50, alpha: 1, betaInv: 8, fusionKernel: 5, fusionChannelRatio: 2, lateral: 'tconv',
    stemChannels: [64, 8], numClasses: 400, inputSize: 224, fastFrames: 8, tau: 8, slowOnly: true,
  },
  /** The zoo's Slow R50 4×16: 4 frames, 16 apart. */
  slow_r50_4x16: {
    depth: 50, alpha: 1, betaInv: 8, fusionKernel: 5, fusionChannelRatio: 2, lateral: 'tconv',
    stemChannels: [64, 8], numClasses: 400, inputSize: 224, fastFrames: 4, tau: 16, slowOnly: true,
  },
} as const satisfies Record<string, SlowFastConfig>;

export type PresetName = keyof typeof PRESETS;

/** A preset at `width` of its channels (at least one each) and input size `inputSize`: what the benches run. */
export function scaledConfig(preset: PresetName, width: number, inputSize: number): SlowFastConfig {
  const base: SlowFastConfig = PRESETS[preset];
  const scaled = (c: number) => Math.max(1, Math.round(c * width));
  return { ...base, stemChannels: [scaled(base.stemChannels[0]), scaled(base.stemChannels[1])], inputSize };
}

export interface BuildOptions {
  /**
   * What the graph takes as input:
   * - 'pathways' (default): `slow` (1,3,T/α,S,S) and `fast` (1,3,T,S,S), as the golden fixtures give them;
   * - 'fast': the Fast clip alone; the Slow frames, linspace(0, T−1, T/α) as pytorchvideo's PackPathway, are
   *   gathered from it on the GPU;
   * - 'ring': `ring` (1,3,R,S,S), preprocessed video frames on the GPU, and `clipIndex` (T, u32), which ring
   *   slots make the clip; both pathways are gathered from the ring, so no frame is uploaded twice.
   */
  input?: 'pathways' | 'fast' | 'ring';
  /** For input 'ring': the frames the ring holds, all its views' slots together (the ring's T). */
  ringCapacity?: number;
  /** Append the head's activation (output `probabilities`: softmax, or the config's per-class sigmoid) after the logits. */
  softmax?: boolean;
  /**
   * Also output each pathway's class activation maps (`map_slow`, `map_fast`: (1, M, T, H, W) of its res5
   * features) for the M classes in input `mapClasses` (u32 [M]: indices, or topRank(r) for the run's r-th
   * highest logit). With the head's global pool, mean(map_slow) + mean(map_fast) + bias = that class's logit.
   */
  classMaps?: number;
  /** Also output `features`: the pooled (and, for SlowFast, concatenated) res5 features the head reads. */
  features?: boolean;
  /**
   * A taught head in the checkpoint head's place: its logits, probabilities (softmax) and maps become the
   * graph's `logits`, `probabilities` and `map_*`, and the checkpoint's head is still computed, as
   * `base_logits` and `base_probabilities`. `id` names its weights (distinct per head: they are cached by name).
   */
  customHead?: { id: string; classes: number; weight?: Float32Array<ArrayBuffer>; bias?: Float32Array<ArrayBuffer> };
}

/** A tensor, or a channel range of one, that stands for a PyTorch block's output (for stage-by-stage checks). */
export interface Tap {
  tensor: TensorId;
  channels?: [number, number];
}

/** The SlowFast graph's outputs, by what they are (which of them a graph has depends on its BuildOptions). */
export const OUTPUT = {
  /** (1, classes): the head's logits (a taught head's, where there is one). */
  logits: 'logits',
  /** (1, classes): their softmax (or per-class sigmoid), with BuildOptions.softmax. */
  probabilities: 'probabilities',
  /** The checkpoint head's, beside a taught head. */
  baseLogits: 'base_logits',
  baseProbabilities: 'base_probabilities',
  /** (1, C): the pooled res5 features the head reads, with BuildOptions.features. */
  features: 'features',
  /** (1, M, T, H, W): each pathway's class activation maps, with BuildOptions.classMaps. */
  mapSlow: 'map_slow',
  mapFast: 'map_fast',
} as const;
export type SlowFastOutput = (typeof OUTPUT)[keyof typeof OUTPUT];

export interface BuiltModel {
  graph: Graph<SlowFastOutput>;
  config: SlowFastConfig;
  /** Graph inputs and their shapes (see BuildOptions.input); Slow-only has `slow` alone. */
  inputShapes: Record<string, Shape>;
  /** Block outputs named as in the golden intermediates (b0_stem_slow, b1_fuse_lateral, …). */
  taps: Map<string, Tap>;
  /** Every parameter the network reads (state-dict name and shape), in the order the builder asks for them. */
  parameters: { name: string; shape: Shape }[];
}

const pad = (k: Triple): Triple => [Math.floor(k[0] / 2), Math.floor(k[1] / 2), Math.floor(k[2] / 2)];

class Builder {
  readonly graph = new Graph<SlowFastOutput>();
  readonly taps = new Map<string, Tap>();
  readonly parameters: { name: string; shape: Shape }[] = [];

  /** Without weights, the graph has shapes only (its weight tensors hold no data). */
  constructor(private readonly weights?: WeightSource) {}

  param(name: string, shape: Shape): Float32Array<ArrayBuffer> | undefined {
    this.parameters.push({ name, shape });
    return this.weights?.get(name, shape);
  }

  /** conv (no bias) + BatchNorm (folded) [+ residual] [+ ReLU], named after the PyTorch modules. */
  convBn(
    convName: string, normName: string, x: TensorId, outC: number, kernel: Triple,
    opts: { stride?: Triple; relu?: boolean; residual?: TensorId; into?: { tensor: TensorId; offset: number } } = {},
  ): TensorId {
    const xs = this.graph.shape(x);
    const wShape = [outC, xs[1], ...kernel];
    const w = this.param(`${convName}.weight`, wShape);
    const [weight, bias, runningMean, runningVar] = ['weight', 'bias', 'running_mean', 'running_var'].map((p) => this.param(`${normName}.${p}`, [outC]));
    const folded = w && weight && bias && runningMean && runningVar
      ? foldBatchNorm(w, outC, { weight, bias, runningMean, runningVar, eps: 1e-5 })
      : undefined;
    const attrs: Conv3dAttrs = {
      kernel, stride: opts.stride ?? [1, 1, 1], padding: pad(kernel), relu: opts.relu, residual: opts.residual !== undefined,
      ...(opts.into ? { outputChannelOffset: opts.into.offset, outputChannelsTotal: this.graph.shape(opts.into.tensor)[1] } : {}),
    };
    const wT = this.graph.weight(`${convName}.weight`, wShape, folded?.weight);
    const aT = this.graph.weight(`${convName}.bias (folded ${normName})`, [outC, 2], folded && conv3dAffine(outC, undefined, folded.bias));
    const inputs = [x, wT, aT, ...(opts.residual !== undefined ? [opts.residual] : [])];
    if (opts.into) {
      this.graph.write(convName, { op: 'conv3d', attrs }, inputs, opts.into.tensor);
      return opts.into.tensor;
    }
    return this.graph.op(convName, { op: 'conv3d', attrs }, inputs);
  }

  stem(prefix: string, x: TensorId, outC: number, kernel: Triple): TensorId {
    const conv = this.convBn(`${prefix}.conv`, `${prefix}.norm`, x, outC, kernel, { stride: [1, 2, 2], relu: true });
    return this.graph.op(`${prefix}.pool`, { op: 'maxPool3d', attrs: { kernel: [1, 3, 3], stride: [1, 2, 2], padding: [0, 1, 1] } }, [conv]);
  }

  /** pytorchvideo ResBlock with a BottleneckBlock branch2: act(branch1(x) + conv_c(conv_b(conv_a(x)))). */
  resBlock(
    prefix: string, x: TensorId, inner: number, outC: number, convAKernel: Triple, spatialStride: number,
    into?: { tensor: TensorId; offset: number },
  ): TensorId {
    const inC = this.graph.shape(x)[1];
    const stride: Triple = [1, spatialStride, spatialStride];
    const shortcut = inC !== outC || spatialStride !== 1
      ? this.convBn(`${prefix}.branch1_conv`, `${prefix}.branch1_norm`, x, outC, [1, 1, 1], { stride })
      : x;
    const a = this.convBn(`${prefix}.branch2.conv_a`, `${prefix}.branch2.norm_a`, x, inner, convAKernel, { relu: true });
    const b = this.convBn(`${prefix}.branch2.conv_b`, `${prefix}.branch2.norm_b`, a, inner, [1, 3, 3], { stride, relu: true });
    return this.convBn(`${prefix}.branch2.conv_c`, `${prefix}.branch2.norm_c`, b, outC, [1, 1, 1], { residual: shortcut, relu: true, into });
  }

  tap(name: string, tensor: TensorId, channels?: [number, number]): void {
    this.taps.set(name, channels ? { tensor, channels } : { tensor });
  }
}

function checkConfig(c: SlowFastConfig): void {
  const problems: string[] = [];
  if (!(c.depth in STAGE_DEPTHS)) problems.push(`depth must be 50 or 101, got ${c.depth}`);
  if (!Number.isInteger(c.alpha) || c.alpha < 1) problems.push(`alpha must be a positive integer, got ${c.alpha}`);
  if (c.fastFrames % c.alpha !== 0) problems.push(`fast frames ${c.fastFrames} must be a multiple of alpha ${c.alpha}`);
  if (c.inputSize % 32 !== 0) problems.push(`input size ${c.inputSize} must be a multiple of 32`);
  if (c.lateral === 'ttoc-sum' && !c.slowOnly && c.stemChannels[1] * c.alpha !== c.stemChannels[0]) {
    problems.push(`ttoc-sum needs α·βC = C (fast channels ${c.stemChannels[1]} × α ${c.alpha} ≠ slow channels ${c.stemChannels[0]})`);
  }
  const stages = STAGE_DEPTHS[c.depth];
  for (const [pathway, kernels] of Object.entries(c.convATemporal ?? {})) {
    if (!stages || kernels.length !== 4 || kernels.some((k, s) => k.length !== stages[s] || k.some((t) => !(t === 1 || t === 3 || t === 5)))) {
      problems.push(`conv_a temporal kernels of the ${pathway} pathway must give 1, 3 or 5 for each of the ${stages?.join('/')} blocks`);
    }
  }
  if (problems.length) throw new Error(`invalid SlowFast config: ${problems.join('; ')}`);
}

/** The temporal size of conv_a in block `block` of stage `stage` (0 = res2) of a pathway. */
function convATemporalOf(c: SlowFastConfig, pathway: 'slow' | 'fast', stage: number, block: number): number {
  return (c.convATemporal ?? standardConvATemporal(c.depth))[pathway][stage][block];
}

/**
 * The network for `config`, its weights read from `weights` (and batch norm folded). Without `weights`, a
 * graph of shapes alone: enough to list its layers (autotuning) or its parameters, not to run it.
 */
export function buildSlowFast(config: SlowFastConfig, weights?: WeightSource, options: BuildOptions = {}): BuiltModel {
  checkConfig(config);
  if (config.slowOnly) return buildSlowOnly(config, weights, options);
  const b = new Builder(weights);
  const g = b.graph;
  const { alpha, inputSize: S, fastFrames } = config;
  const slowFrames = fastFrames / alpha;
  const slowShape = [1, 3, slowFrames, S, S];
  const fastShape = [1, 3, fastFrames, S, S];
  const input = options.input ?? 'pathways';
  let fastIn: TensorId;
  let inputShapes: Record<string, Shape>;
  if (input === 'ring') {
    ({ clip: fastIn, inputShapes } = clipFromRing(g, fastShape, options));
  } else {
    fastIn = g.input('fast', fastShape);
    inputShapes = input === 'fast' ? { fast: fastShape } : { slow: slowShape, fast: fastShape };
  }
  let slowIn: TensorId;
  if (input === 'pathways') {
    slowIn = g.input('slow', slowShape);
  } else {
    const index = slowFrameIndices(fastFrames, alpha);
    const indexT = g.weight('slow frame indices', [index.length], frameGatherIndex(index));
    slowIn = g.op('pack pathway (slow frames)', { op: 'frameGather', attrs: { axis: 2 } }, [fastIn, indexT]);
  }
  let slow = b.stem('blocks.0.multipathway_blocks.0', slowIn, config.stemChannels[0], [1, 7, 7]);
  let fast = b.stem('blocks.0.multipathway_blocks.1', fastIn, config.stemChannels[1], [5, 7, 7]);
  b.tap('b0_stem_slow', slow);
  b.tap('b0_stem_fast', fast);

  /**
   * The lateral from the Fast pathway into the Slow one after `stage`. With `fused` (tconv only), the Slow
   * output already sits in channels [0, C) of it and the lateral conv fills the rest, with no copy.
   */
  const fuse = (stage: number, slowOut: TensorId, fused?: { tensor: TensorId; slowChannels: number }): TensorId => {
    const prefix = `blocks.${stage}.multipathway_fusion`;
    const fs = g.shape(fast);
    if (config.lateral === 'tconv') {
      const latC = fs[1] * config.fusionChannelRatio;
      const conv = (into?: { tensor: TensorId; offset: number }) =>
        b.convBn(`${prefix}.conv_fast_to_slow`, `${prefix}.norm`, fast, latC, [config.fusionKernel, 1, 1],
          { stride: [alpha, 1, 1], relu: true, into });
      if (fused) {
        conv({ tensor: fused.tensor, offset: fused.slowChannels });
        b.tap(`b${stage}_fuse_lateral`, fused.tensor, [fused.slowChannels, fused.slowChannels + latC]);
        return fused.tensor;
      }
      const lateral = conv();
      b.tap(`b${stage}_fuse_lateral`, lateral);
      return g.op(`${prefix}.concat`, { op: 'concat', attrs: { axis: 1 } }, [slowOut, lateral]);
    }
    const lateral = config.lateral === 'tsample'
      ? g.op(`${prefix}.time_strided_sample`, { op: 'timeStridedSample', attrs: { alpha } }, [fast])
      : g.op(`${prefix}.time_to_channel`, { op: 'timeToChannel', attrs: { alpha, order: 'frame-major' } }, [fast]);
    b.tap(`b${stage}_fuse_lateral`, lateral);
    if (config.lateral === 'ttoc-sum') return g.op(`${prefix}.sum`, { op: 'add', attrs: {} }, [slowOut, lateral]);
    return g.op(`${prefix}.concat`, { op: 'concat', attrs: { axis: 1 } }, [slowOut, lateral]);
  };

  // Where a stage's Slow output goes: for tconv, straight into its slice of the fused tensor.
  const fusedTarget = (stage: number, slowShape: Shape): TensorId | undefined => {
    if (config.lateral !== 'tconv') return undefined;
    const lateralC = g.shape(fast)[1] * config.fusionChannelRatio;
    return g.activation(`blocks.${stage}.multipathway_fusion (concat)`, [slowShape[0], slowShape[1] + lateralC, ...slowShape.slice(2)]);
  };

  // The stem's pool cannot write into a slice, so the stem fusion concatenates.
  slow = fuse(0, slow);
  b.tap('b0_fuse_slow', slow);

  const depths = STAGE_DEPTHS[config.depth];
  const names = ['res2', 'res3', 'res4', 'res5'];
  for (let s = 0; s < 4; s++) {
    const stage = s + 1;
    const spatial = s === 0 ? 1 : 2;
    const innerSlow = config.stemChannels[0] * 2 ** s;
    const innerFast = config.stemChannels[1] * 2 ** s;
    const convA = (pathway: 'slow' | 'fast', i: number): Triple => [convATemporalOf(config, pathway, s, i), 1, 1];
    const hasFusion = stage < 4;
    const slowShapeOut = [1, innerSlow * 4, slowFrames, g.shape(slow)[3] / spatial, g.shape(slow)[4] / spatial];
    // Fast first: the tconv lateral reads the Fast output.
    for (let i = 0; i < depths[s]; i++) {
      fast = b.resBlock(`blocks.${stage}.multipathway_blocks.1.res_blocks.${i}`, fast, innerFast, innerFast * 4, convA('fast', i), i === 0 ? spatial : 1);
    }
    const fused = hasFusion ? fusedTarget(stage, slowShapeOut) : undefined;
    for (let i = 0; i < depths[s]; i++) {
      const last = i === depths[s] - 1;
      slow = b.resBlock(`blocks.${stage}.multipathway_blocks.0.res_blocks.${i}`, slow, innerSlow, innerSlow * 4, convA('slow', i),
        i === 0 ? spatial : 1, last && fused !== undefined ? { tensor: fused, offset: 0 } : undefined);
    }
    b.tap(`b${stage}_${names[s]}_slow`, slow, fused !== undefined ? [0, innerSlow * 4] : undefined);
    b.tap(`b${stage}_${names[s]}_fast`, fast);
    if (hasFusion) {
      // With a fused target the last block already wrote into it: the Slow output is its first channels.
      slow = fuse(stage, slow, fused !== undefined ? { tensor: fused, slowChannels: innerSlow * 4 } : undefined);
      b.tap(`b${stage}_fuse_slow`, slow);
    }
  }

  // Head: per-pathway average pool with the training crop's kernel, averaged over what is left; concat; linear.
  const pooled = [slow, fast].map((x, p) => headPool(g, `blocks.5.pool.${p}`, x, config));
  const poolConcat = g.op('blocks.5 (concat)', { op: 'concat', attrs: { axis: 1 } }, pooled);
  b.tap('b5_poolconcat', poolConcat);
  const { logits, weight } = head(b, 'blocks.6.proj', poolConcat, config, options);
  b.tap('b6_head', logits);
  if (options.classMaps) classMaps(g, options.classMaps, { slow, fast }, weight, logits);
  weights?.finish();
  return { graph: g, config, inputShapes, taps: b.taps, parameters: b.parameters };
}

/** The graph inputs `ring` and `clipIndex` (BuildOptions.input 'ring'), and the clip gathered from them. */
function clipFromRing(g: Graph, clipShape: Shape, options: BuildOptions): { clip: TensorId; inputShapes: Record<string, Shape> } {
  const [, , frames, S] = clipShape;
  const ringShape = [1, 3, options.ringCapacity ?? frames, S, S];
  const ring = g.input('ring', ringShape);
  const slots = g.input('clipIndex', [frames]);
  const clip = g.op('clip from the ring', { op: 'frameGather', attrs: { axis: 2 } }, [ring, slots]);
  return { clip, inputShapes: { ring: ringShape, clipIndex: [frames] } };
}

/** AvgPool3d(T, crop/32, crop/32) stride 1, then the global mean of its outputs (identity when it has one). */
function headPool(g: Graph, name: string, x: TensorId, config: SlowFastConfig): TensorId {
  const xs = g.shape(x);
  const k = (config.trainCrop ?? config.inputSize) / 32;
  const kernel: Triple = [xs[2], Math.min(k, xs[3]), Math.min(k, xs[4])];
  const stride: Triple = [1, 1, 1];
  const attrs = { kernel, stride };
  const pooled = g.op(name, { op: 'avgPool3d', attrs }, [x]);
  const ps = g.shape(pooled);
  if (ps[2] * ps[3] * ps[4] === 1) return pooled;
  return g.op(`${name} (mean of positions)`, { op: 'avgPool3d', attrs: { kernel: [ps[2], ps[3], ps[4]], stride: [1, 1, 1] } }, [pooled]);
}

/** Each pathway's class activation map, from its res5 features and its share of the head's weights. */
function classMaps(g: Graph<SlowFastOutput>, count: number, res5: { slow: TensorId; fast?: TensorId }, weight: TensorId, logits: TensorId): void {
  const asked = g.input('mapClasses', [count]);
  let offset = 0;
  for (const [pathway, x] of Object.entries(res5)) {
    if (x === undefined) continue;
    const map = g.op(`class activation map (${pathway})`, { op: 'classMap', attrs: { channelOffset: offset } }, [x, weight, logits, asked]);
    g.output(pathway === 'slow' ? OUTPUT.mapSlow : OUTPUT.mapFast, map);
    offset += g.shape(x)[1];
  }
}

function head(b: Builder, name: string, x: TensorId, config: SlowFastConfig, options: BuildOptions): { logits: TensorId; weight: TensorId } {
  const classes = config.numClasses;
  const g = b.graph;
  if (options.features) g.output(OUTPUT.features, x);
  const features = g.shape(x)[1];
  const w = b.param(`${name}.weight`, [classes, features]);
  const bias = b.param(`${name}.bias`, [classes]);
  const wT = g.weight(`${name}.weight`, [classes, features], w);
  const bT = g.weight(`${name}.bias`, [classes], bias);
  const logits = g.op(name, { op: 'linear', attrs: {} }, [x, wT, bT]);
  const custom = options.customHead;
  g.output(custom ? OUTPUT.baseLogits : OUTPUT.logits, logits);
  if (options.softmax) {
    const probs = config.headActivation === 'sigmoid'
      ? g.op('sigmoid', { op: 'sigmoid', attrs: {} }, [logits])
      : g.op('softmax', { op: 'softmax', attrs: { axis: -1 } }, [logits]);
    g.output(custom ? OUTPUT.baseProbabilities : OUTPUT.probabilities, probs);
  }
  if (!custom) return { logits, weight: wT };
  const cw = g.weight(`taught head ${custom.id}.weight`, [custom.classes, features], custom.weight);
  const cb = g.weight(`taught head ${custom.id}.bias`, [custom.classes], custom.bias);
  const taught = g.op('taught head', { op: 'linear', attrs: {} }, [x, cw, cb]);
  g.output(OUTPUT.logits, taught);
  if (options.softmax) g.output(OUTPUT.probabilities, g.op('taught head (softmax)', { op: 'softmax', attrs: { axis: -1 } }, [taught]));
  return { logits: taught, weight: cw };
}

/** pytorchvideo's create_resnet as used by slow_r50: one pathway, stem 1×7×7, conv_a temporal from res4. */
function buildSlowOnly(config: SlowFastConfig, weights: WeightSource | undefined, options: BuildOptions): BuiltModel {
  const b = new Builder(weights);
  const g = b.graph;
  const S = config.inputSize;
  const slowShape = [1, 3, config.fastFrames / config.alpha, S, S];
  let slowIn: TensorId;
  let inputShapes: Record<string, Shape>;
  if (options.input === 'ring') {
    ({ clip: slowIn, inputShapes } = clipFromRing(g, slowShape, options));
  } else {
    // 'fast' and 'pathways' alike: the one pathway's clip.
    slowIn = g.input('slow', slowShape);
    inputShapes = { slow: slowShape };
  }
  let x = b.stem('blocks.0', slowIn, config.stemChannels[0], [1, 7, 7]);
  b.tap('b0_stem', x);
  const depths = STAGE_DEPTHS[config.depth];
  for (let s = 0; s < 4; s++) {
    const inner = config.stemChannels[0] * 2 ** s;
    for (let i = 0; i < depths[s]; i++) {
      x = b.resBlock(`blocks.${s + 1}.res_blocks.${i}`, x, inner, inner * 4, [convATemporalOf(config, 'slow', s, i), 1, 1], i === 0 && s > 0 ? 2 : 1);
    }
    b.tap(`b${s + 1}_res${s + 2}`, x);
  }
  const pooled = headPool(g, 'blocks.5.pool', x, config);
  const { logits, weight } = head(b, 'blocks.5.proj', pooled, config, options);
  b.tap('head', logits);
  if (options.classMaps) classMaps(g, options.classMaps, { slow: x }, weight, logits);
  weights?.finish();
  return { graph: g, config, inputShapes, taps: b.taps, parameters: b.parameters };
}
