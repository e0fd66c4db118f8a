// Teaching the model new actions: a softmax head (multinomial logistic regression) on the backbone's pooled
// features, with L2 weight decay, trained full-batch by accelerated gradient descent from zero. The features are standardised
// first (the mean and spread of the training examples), and how well the head does is measured on examples
// it did not see: a held-out share of the takes when there are enough, else k-fold over them. Examples from
// one take (its clips, crops and flips) stay on one side of any split, so no view of a take grades another.
import { rng } from '../../kernels/compare.ts';

export interface Example {
  /** The backbone's pooled features for one clip (or one view of it). */
  features: Float32Array;
  /** Index of its class. */
  label: number;
  /** Where it came from (a take, a file, a segment): the unit a split keeps together. */
  group: string;
}

export interface TrainOptions {
  /** Orders the split (default 1). */
  seed?: number;
  /** Full-batch steps (default 200). */
  epochs?: number;
  /** L2 weight decay: the loss adds decay/2·|W|² (default 1e-3). */
  decay?: number;
  /** How each step's gradient is computed (default on the CPU). */
  gradient?: GradientBackend;
  /** After each epoch of the head that is returned. */
  onEpoch?: (point: CurvePoint) => void;
}

export interface CurvePoint {
  epoch: number;
  /** Mean cross-entropy on the training examples, plus the decay term. */
  loss: number;
  /** On the held-out takes, where there are any (held-out evaluation only). */
  heldOutAccuracy?: number;
}

export interface Evaluation {
  /** 'held-out': the head was trained without a fifth of each class's takes, graded on them; 'k-fold': trained
   * k times without one fold of takes, graded on it, then once on all; 'none': too few takes to grade. */
  method: 'held-out' | 'k-fold' | 'none';
  /** Share of graded examples labelled right. */
  accuracy?: number;
  /** Examples graded. */
  graded: number;
  folds?: number;
}

export interface TrainedHead {
  /** (K, D), over standardised features. */
  weight: Float32Array<ArrayBuffer>;
  bias: Float32Array<ArrayBuffer>;
  featureMean: Float32Array<ArrayBuffer>;
  featureStd: Float32Array<ArrayBuffer>;
  curve: CurvePoint[];
  evaluation: Evaluation;
  /** Examples the returned head was trained on. */
  trainedOn: number;
}

/** One step's loss and gradient (K, D + 1) for weights (K, D) and bias (K), on a fixed batch. */
export interface Gradient {
  step(weight: Float32Array<ArrayBuffer>, bias: Float32Array<ArrayBuffer>): Promise<{ loss: number; gradient: Float32Array }>;
  destroy(): void;
}

/** Makes the gradient of one batch: x (N, D) standardised, labels (N). */
export interface GradientBackend {
  name: string;
  create(x: Float32Array<ArrayBuffer>, labels: Uint32Array<ArrayBuffer>, classes: number, decay: number): Promise<Gradient>;
}

export class TrainingError extends Error {
  override name = 'TrainingError';
}

export const DEFAULTS = { seed: 1, epochs: 200, decay: 1e-3 } as const;

/** The takes a class needs before a fifth of them is held out; below it, k-fold. */
const HELD_OUT_MIN_TAKES = 5;
const MAX_FOLDS = 5;

/** Checks the examples against the class names: every class has one, every feature vector the same size. */
export function checkExamples(classNames: readonly string[], examples: readonly Example[]): number {
  if (classNames.length < 2) throw new TrainingError('name at least two classes to teach (for example the action and "nothing")');
  const counts = classNames.map((_, k) => examples.filter((e) => e.label === k).length);
  const empty = classNames.filter((_, k) => counts[k] === 0);
  if (empty.length) {
    throw new TrainingError(`${empty.map((n) => `"${n}"`).join(', ')} ${empty.length > 1 ? 'have' : 'has'} no examples yet: record a take or add a clip for ${empty.length > 1 ? 'each' : 'it'}`);
  }
  const bad = examples.find((e) => !Number.isInteger(e.label) || e.label < 0 || e.label >= classNames.length);
  if (bad) throw new TrainingError(`an example is labelled ${bad.label}, not one of the ${classNames.length} classes`);
  const d = examples[0].features.length;
  if (examples.some((e) => e.features.length !== d)) throw new TrainingError('the examples come from different models (their features differ in size): delete the old ones');
  return d;
}

/** Trains a head for `classNames` on `examples`, graded on takes it did not see. */
export async function trainHead(classNames: readonly string[], examples: readonly Example[], o: TrainOptions = {}): Promise<TrainedHead> {
  checkExamples(classNames, examples);
  const split = splitTakes(classNames.length, examples, o.seed ?? DEFAULTS.seed);
  if (split.method === 'held-out') {
    const heldOut = examples.filter((_, i) => split.fold[i] === 0);
    const head = await fit(classNames.length, examples.filter((_, i) => split.fold[i] !== 0), o, heldOut);
    const accuracy = accuracyOf(head, heldOut);
    return { ...head, evaluation: { method: 'held-out', accuracy, graded: heldOut.length } };
  }
  let evaluation: Evaluation = { method: 'none', graded: 0 };
  if (split.method === 'k-fold') {
    let right = 0;
    for (let f = 0; f < split.folds; f++) {
      const graded = examples.filter((_, i) => split.fold[i] === f);
      const head = await fit(classNames.length, examples.filter((_, i) => split.fold[i] !== f), { ...o, onEpoch: undefined });
      right += accuracyOf(head, graded) * graded.length;
    }
    evaluation = { method: 'k-fold', accuracy: right / examples.length, graded: examples.length, folds: split.folds };
  }
  return { ...(await fit(classNames.length, examples, o)), evaluation };
}

/**
 * Which fold each example's take falls in. Held-out: fold 0 is held out (a fifth of each class's takes, at
 * least one). k-fold: each class's takes dealt round the folds in a seeded order.
 */
export function splitTakes(classes: number, examples: readonly Example[], seed: number): { method: Evaluation['method']; folds: number; fold: number[] } {
  const random = rng(seed);
  const takesOf = Array.from({ length: classes }, (_, k) => [...new Set(examples.filter((e) => e.label === k).map((e) => e.group))]);
  const fewest = Math.min(...takesOf.map((t) => t.length));
  if (fewest < 2) return { method: 'none', folds: 1, fold: examples.map(() => 1) };
  const heldOut = fewest >= HELD_OUT_MIN_TAKES;
  const folds = heldOut ? 2 : Math.min(fewest, MAX_FOLDS);
  const foldOf = new Map<string, number>();
  takesOf.forEach((takes, k) => {
    const order = shuffled(takes, random);
    const held = Math.max(1, Math.round(order.length / 5));
    // A take's key includes its class: two classes may name their takes alike.
    order.forEach((t, i) => foldOf.set(`${k}\u0000${t}`, heldOut ? (i < held ? 0 : 1) : i % folds));
  });
  return { method: heldOut ? 'held-out' : 'k-fold', folds, fold: examples.map((e) => foldOf.get(`${e.label}\u0000${e.group}`)!) };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const a = [...items].sort();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

type Fitted = Omit<TrainedHead, 'evaluation'>;

/**
 * Accelerated gradient descent (Nesterov's momentum, restarted whenever the loss rises) on the full batch,
 * from zero weights, after standardising the features on this batch. The step is 1/L for L the gradient's
 * Lipschitz bound, so no rate needs choosing; a step is linear in its gradient, so the last bits of an f32
 * gradient (the GPU's) stay in the last bits of the head, where a scale-free rule such as Adam's would blow
 * a gradient that should be zero up into full steps.
 */
async function fit(classes: number, examples: readonly Example[], o: TrainOptions, heldOut: readonly Example[] = []): Promise<Fitted> {
  const { epochs = DEFAULTS.epochs, decay = DEFAULTS.decay } = o;
  const d = examples[0].features.length;
  const { mean, std } = standardisation(examples, d);
  const x = new Float32Array(examples.length * d);
  examples.forEach((e, i) => standardise(e.features, mean, std, x.subarray(i * d, (i + 1) * d)));
  const labels = Uint32Array.from(examples, (e) => e.label);
  const step = 1 / lipschitzBound(x, examples.length, decay);
  const gradient = await (o.gradient ?? cpuGradient).create(x, labels, classes, decay);
  const size = classes * (d + 1);
  // The iterate, the previous one, and the look-ahead point where the gradient is taken.
  const params = new Float64Array(size);
  const previous = new Float64Array(size);
  const ahead = new Float32Array(size);
  const weight = new Float32Array(classes * d);
  const bias = new Float32Array(classes);
  const curve: CurvePoint[] = [];
  let momentumAge = 0;
  let lastLoss = Infinity;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const beta = momentumAge / (momentumAge + 3);
      for (let i = 0; i < size; i++) ahead[i] = params[i] + beta * (params[i] - previous[i]);
      unpack(ahead, classes, d, weight, bias);
      const { loss, gradient: g } = await gradient.step(weight, bias);
      previous.set(params);
      for (let i = 0; i < size; i++) params[i] = ahead[i] - step * g[i];
      // The loss at the look-ahead point rose: momentum overshot, so start it again.
      momentumAge = loss > lastLoss ? 0 : momentumAge + 1;
      lastLoss = loss;
      const point: CurvePoint = { epoch, loss };
      if (heldOut.length) {
        unpack(params, classes, d, weight, bias);
        point.heldOutAccuracy = accuracyOf({ weight, bias, featureMean: mean, featureStd: std }, heldOut);
      }
      curve.push(point);
      o.onEpoch?.(point);
    }
  } finally {
    gradient.destroy();
  }
  unpack(params, classes, d, weight, bias);
  return { weight, bias, featureMean: mean, featureStd: std, curve, trainedOn: examples.length };
}

/**
 * A bound on the curvature of the loss: softmax cross-entropy's Hessian is (diag p − p pᵀ) ⊗ x̃x̃ᵀ per
 * example (x̃ the features and a 1 for the bias), and ‖diag p − p pᵀ‖ ≤ 1/2, so L ≤ λmax(X̃ᵀX̃)/(2N) + decay.
 * λmax is found by power iteration on the N × N Gram matrix X̃X̃ᵀ (N ≪ D), from a fixed start.
 */
export function lipschitzBound(x: Float32Array, n: number, decay: number): number {
  const d = x.length / n;
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 1;
      for (let c = 0; c < d; c++) s += x[i * d + c] * x[j * d + c];
      gram[i * n + j] = gram[j * n + i] = s;
    }
  }
  let v = new Float64Array(n).fill(1 / Math.sqrt(n));
  let lambda = 0;
  for (let it = 0; it < POWER_ITERATIONS; it++) {
    const u = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) u[i] += gram[i * n + j] * v[j];
    lambda = Math.hypot(...u);
    v = u.map((e) => e / lambda);
  }
  // Power iteration approaches λmax from below: a little margin keeps the step safe.
  return (1.05 * lambda) / (2 * n) + decay;
}

const POWER_ITERATIONS = 50;

/** params is (K, D + 1) as the gradient is laid out: each class's weights, then its bias. */
function unpack(params: Float32Array | Float64Array, classes: number, d: number, weight: Float32Array, bias: Float32Array): void {
  for (let k = 0; k < classes; k++) {
    weight.set(params.subarray(k * (d + 1), k * (d + 1) + d), k * d);
    bias[k] = params[k * (d + 1) + d];
  }
}

/** Per feature: the training examples' mean, and their standard deviation (1 where a feature never varies). */
function standardisation(examples: readonly Example[], d: number): { mean: Float32Array<ArrayBuffer>; std: Float32Array<ArrayBuffer> } {
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (const e of examples) for (let j = 0; j < d; j++) mean[j] += e.features[j];
  for (let j = 0; j < d; j++) mean[j] /= examples.length;
  for (const e of examples) for (let j = 0; j < d; j++) sq[j] += (e.features[j] - mean[j]) ** 2;
  const std = Float32Array.from(sq, (s) => {
    const sd = Math.sqrt(s / examples.length);
    return sd > 1e-6 ? sd : 1;
  });
  return { mean: Float32Array.from(mean), std };
}

function standardise(features: Float32Array, mean: Float32Array, std: Float32Array, out: Float32Array): Float32Array {
  for (let j = 0; j < features.length; j++) out[j] = (features[j] - mean[j]) / std[j];
  return out;
}

export type HeadWeights = Pick<TrainedHead, 'weight' | 'bias' | 'featureMean' | 'featureStd'>;

/** The head's logits for raw (unstandardised) features, computed in f64. */
export function headLogits(head: HeadWeights, features: Float32Array): Float32Array<ArrayBuffer> {
  const d = head.featureMean.length;
  const classes = head.bias.length;
  const z = standardise(features, head.featureMean, head.featureStd, new Float32Array(d));
  return Float32Array.from({ length: classes }, (_, k) => {
    let s = head.bias[k];
    for (let j = 0; j < d; j++) s += head.weight[k * d + j] * z[j];
    return s;
  });
}

function accuracyOf(head: HeadWeights, examples: readonly Example[]): number {
  if (!examples.length) return 0;
  let right = 0;
  for (const e of examples) {
    const z = headLogits(head, e.features);
    let best = 0;
    for (let k = 1; k < z.length; k++) if (z[k] > z[best]) best = k;
    if (best === e.label) right++;
  }
  return right / examples.length;
}

/** The gradient on the CPU, accumulated in f64: a few million multiply-adds a step for tens of examples. */
export const cpuGradient: GradientBackend = {
  name: 'cpu',
  async create(x, labels, classes, decay) {
    const n = labels.length;
    const d = x.length / n;
    const z = new Float64Array(classes);
    const acc = new Float64Array(classes * (d + 1));
    const gradient = new Float32Array(classes * (d + 1));
    return {
      async step(weight, bias) {
        acc.fill(0);
        let loss = 0;
        for (let i = 0; i < n; i++) {
          const row = x.subarray(i * d, (i + 1) * d);
          let max = -Infinity;
          for (let k = 0; k < classes; k++) {
            let s = bias[k];
            const w = weight.subarray(k * d, (k + 1) * d);
            for (let j = 0; j < d; j++) s += w[j] * row[j];
            z[k] = s;
            max = Math.max(max, s);
          }
          let sum = 0;
          for (let k = 0; k < classes; k++) sum += Math.exp(z[k] - max);
          loss -= z[labels[i]] - max - Math.log(sum);
          for (let k = 0; k < classes; k++) {
            const residual = Math.exp(z[k] - max) / sum - (labels[i] === k ? 1 : 0);
            const a = k * (d + 1);
            for (let j = 0; j < d; j++) acc[a + j] += residual * row[j];
            acc[a + d] += residual;
          }
        }
        let norm = 0;
        for (let k = 0; k < classes; k++) {
          for (let j = 0; j <= d; j++) {
            const w = j < d ? weight[k * d + j] : 0;
            norm += w * w;
            gradient[k * (d + 1) + j] = acc[k * (d + 1) + j] / n + decay * w;
          }
        }
        return { loss: loss / n + (decay / 2) * norm, gradient };
      },
      destroy() {},
    };
  },
};
