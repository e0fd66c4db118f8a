// The head's gradient on the GPU: the batch's logits (linear), their softmax and the gradient
// (softmaxGradient) in one submission. The batch is uploaded once, as the graph's weights; each step
// uploads the head and reads back the probabilities (for the loss) and the gradient.
import { Executor } from '../executor.ts';
import { Graph } from '../graph.ts';
import type { GradientBackend } from './train.ts';

export function gpuGradient(device: GPUDevice): GradientBackend {
  return {
    name: 'gpu',
    async create(x, labels, classes, decay) {
      const n = labels.length;
      const d = x.length / n;
      const g = new Graph<'probabilities' | 'gradient'>();
      const batch = g.weight('features', [n, d], x);
      const classOf = g.weight('labels', [n], labels);
      const weight = g.input('weight', [classes, d]);
      const bias = g.input('bias', [classes]);
      const logits = g.op('logits', { op: 'linear', attrs: {} }, [batch, weight, bias]);
      const probabilities = g.op('softmax', { op: 'softmax', attrs: { axis: -1 } }, [logits]);
      g.output('probabilities', probabilities);
      g.output('gradient', g.op('gradient', { op: 'softmaxGradient', attrs: { decay } }, [batch, probabilities, classOf, weight]));
      const executor = await Executor.plan(device, g);
      return {
        async step(w, b) {
          const out = await executor.run({ weight: w, bias: b });
          const p = out.probabilities!;
          let loss = 0;
          for (let i = 0; i < n; i++) loss -= Math.log(Math.max(p[i * classes + labels[i]], 1e-30));
          let norm = 0;
          for (const v of w) norm += v * v;
          return { loss: loss / n + (decay / 2) * norm, gradient: out.gradient! };
        },
        destroy: () => executor.destroy(),
      };
    },
  };
}
