// Training a taught head, timed with its gradient on the CPU and on the GPU (`npm run bench -- --teach`):
// the measurement behind the worker's choice of backend. Examples are R50-sized pooled features (2304), made
// up around per-class directions; both backends train the same head (same split, same steps).
import { acquireGpu, type AdapterDescription } from '../../kernels/device.ts';
import { randomArray, rng } from '../../kernels/compare.ts';
import { gpuGradient } from './gpuGradient.ts';
import { cpuGradient, trainHead, type Example, type GradientBackend } from './train.ts';

export interface TrainBenchOptions {
  features: number;
  classes: number;
  /** Examples per class, one size per row. */
  examplesPerClass: number[];
  /** Examples per take (clips × crops of one take). */
  perTake: number;
  epochs: number;
}

export interface TrainBenchRow {
  examples: number;
  /** Wall time of the whole training (k-fold or held-out runs included), ms. */
  cpuMs: number;
  gpuMs: number;
  /** Largest difference between the two heads' weights (they should agree). */
  maxWeightDifference: number;
}

export interface TrainBenchResult {
  adapter: AdapterDescription;
  options: TrainBenchOptions;
  rows: TrainBenchRow[];
}

function examples(o: TrainBenchOptions, perClass: number): Example[] {
  const r = rng(7);
  const directions = Array.from({ length: o.classes }, () => randomArray(o.features, r, -1, 1));
  const out: Example[] = [];
  for (let k = 0; k < o.classes; k++) {
    for (let i = 0; i < perClass; i++) {
      const noise = randomArray(o.features, r, -1, 1);
      out.push({ features: directions[k].map((d, j) => Math.max(0, d + noise[j])), label: k, group: `${k}-${Math.floor(i / o.perTake)}` });
    }
  }
  return out;
}

export async function runTrainBench(o: TrainBenchOptions): Promise<TrainBenchResult> {
  const gpu = await acquireGpu();
  const names = Array.from({ length: o.classes }, (_, k) => `class ${k}`);
  const rows: TrainBenchRow[] = [];
  const time = async (data: Example[], gradient: GradientBackend) => {
    const t0 = performance.now();
    const head = await trainHead(names, data, { epochs: o.epochs, gradient });
    return { ms: performance.now() - t0, head };
  };
  for (const perClass of o.examplesPerClass) {
    const data = examples(o, perClass);
    await time(data, cpuGradient); // warm-up (JIT)
    const cpu = await time(data, cpuGradient);
    await time(data, gpuGradient(gpu.device)); // warm-up (pipelines)
    const onGpu = await time(data, gpuGradient(gpu.device));
    const maxWeightDifference = cpu.head.weight.reduce((m, w, i) => Math.max(m, Math.abs(w - onGpu.head.weight[i])), 0);
    rows.push({ examples: data.length, cpuMs: cpu.ms, gpuMs: onGpu.ms, maxWeightDifference });
  }
  return { adapter: gpu.adapter, options: o, rows };
}
