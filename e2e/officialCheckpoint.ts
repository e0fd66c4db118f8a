// A checkpoint of the official SLOWFAST_8x8_R50.pyth's size and shape (≈ 276 MB), made without Python: the
// 662 state-dict tensors of ../shared/golden/KEYMAP.md (the official key names and shapes) with random
// weights, plus what a PySlowFast training run saves beside them: an SGD momentum buffer for every
// parameter, the epoch, the training cfg as YAML, the AMP scaler's state. Also the same weights alone in the
// legacy format, a second, smaller path to the same logits. Made once per `npm test` run in the folder
// SLOWFAST_FIXTURES_DIR names (scripts/test.mjs deletes it at the end), or per process and deleted after.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readKeymapShapes } from '../scripts/keymap.mjs';
import { numel, writeTorchCheckpoint, type CheckpointContents, type TensorSpec } from './torchCheckpoint.ts';

const KEYMAP = resolve(import.meta.dirname, '../../shared/golden/KEYMAP.md');

/** The training config as PySlowFast's cfg.dump() writes it (keys sorted), abridged to the sections that matter. */
export const OFFICIAL_8X8_CFG = `BN:
  EPSILON: 1.0e-05
  MOMENTUM: 0.1
  NORM_TYPE: batchnorm
  USE_PRECISE_STATS: true
  WEIGHT_DECAY: 0.0
DATA:
  DECODING_BACKEND: pyav
  INPUT_CHANNEL_NUM:
  - 3
  - 3
  MEAN:
  - 0.45
  - 0.45
  - 0.45
  NUM_FRAMES: 32
  SAMPLING_RATE: 2
  STD:
  - 0.225
  - 0.225
  - 0.225
  TEST_CROP_SIZE: 256
  TRAIN_CROP_SIZE: 224
  TRAIN_JITTER_SCALES:
  - 256
  - 320
MODEL:
  ARCH: slowfast
  DROPOUT_RATE: 0.5
  HEAD_ACT: softmax
  LOSS_FUNC: cross_entropy
  MODEL_NAME: PTVSlowFast
  NUM_CLASSES: 400
NUM_GPUS: 8
RESNET:
  DEPTH: 50
  NUM_BLOCK_TEMP_KERNEL:
  - - 3
    - 3
  - - 4
    - 4
  - - 6
    - 6
  - - 3
    - 3
  TRANS_FUNC: bottleneck_transform
  ZERO_INIT_FINAL_BN: true
SLOWFAST:
  ALPHA: 4
  BETA_INV: 8
  FUSION_CONV_CHANNEL_RATIO: 2
  FUSION_KERNEL_SZ: 7
SOLVER:
  BASE_LR: 0.8
  LR_POLICY: cosine
  MAX_EPOCH: 196
  MOMENTUM: 0.9
  OPTIMIZING_METHOD: sgd
  WEIGHT_DECAY: 0.0001
TEST:
  DATASET: kinetics
  NUM_ENSEMBLE_VIEWS: 10
  NUM_SPATIAL_CROPS: 3
TRAIN:
  DATASET: kinetics
  ENABLE: true
`;

export const OFFICIAL_8X8_PARAMETERS = 34_566_488;

/** Deterministic uniform [0, 1) numbers, one stream per tensor so any tensor can be made alone. */
function uniform(seed: number): () => number {
  let state = (seed * 2654435761 + 1) >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Random values of the kind training leaves: conv weights scaled to their fan-in, BN statistics near 1 and 0. */
function randomTensor(t: TensorSpec, seed: number): Uint8Array {
  if (t.dtype === 'int64') return new Uint8Array(new BigInt64Array([123_456n]).buffer);
  const u = uniform(seed);
  const out = new Float32Array(numel(t.shape));
  const fanIn = t.shape.length > 1 ? out.length / t.shape[0] : 1;
  const value: () => number =
    /(norm[^.]*|bn)\.weight$|running_var$/.test(t.key) ? () => 0.5 + u()
      : /(norm[^.]*|bn)\.bias$|running_mean$/.test(t.key) ? () => (u() - 0.5) * 0.2
        : t.key.includes('proj') ? () => (u() - 0.5) * 0.02
          : () => (u() * 2 - 1) * Math.sqrt(3 / fanIn);
  for (let i = 0; i < out.length; i++) out[i] = value();
  return new Uint8Array(out.buffer);
}

function officialContents(): CheckpointContents {
  const tensors: TensorSpec[] = readKeymapShapes(KEYMAP).map(({ key, shape }) => ({
    key, shape, dtype: key.endsWith('num_batches_tracked') ? 'int64' : 'float32',
  }));
  return {
    tensors,
    data: (i) => randomTensor(tensors[i], i),
    momentum: (i) => {
      const u = uniform(100_000 + i);
      const m = new Float32Array(numel(tensors[i].shape));
      for (let j = 0; j < m.length; j++) m[j] = (u() - 0.5) * 1e-3;
      return new Uint8Array(m.buffer);
    },
    epoch: 196,
    cfg: OFFICIAL_8X8_CFG,
    scaler: true,
  };
}

export interface OfficialShapedFixture {
  /** The official layout: zip, model_state + optimizer_state + epoch + cfg + scaler_state. */
  checkpoint: string;
  /** The same weights alone ({"model_state": …}), in the legacy format. */
  weightsOnly: string;
  /** Deletes the files unless the test run that shares them will. */
  dispose(): void;
}

export function officialShapedCheckpoint(): OfficialShapedFixture {
  const shared = process.env.SLOWFAST_FIXTURES_DIR;
  const dir = shared ?? mkdtempSync(join(tmpdir(), 'slowfast-official-'));
  mkdirSync(dir, { recursive: true });
  const checkpoint = join(dir, 'SLOWFAST_8x8_R50-shaped.pyth');
  const weightsOnly = join(dir, 'SLOWFAST_8x8_R50-shaped-weights-legacy.pyth');
  const contents = officialContents();
  if (!existsSync(checkpoint)) writeTorchCheckpoint(checkpoint, contents, 'zip');
  if (!existsSync(weightsOnly)) writeTorchCheckpoint(weightsOnly, { tensors: contents.tensors, data: contents.data }, 'legacy');
  return { checkpoint, weightsOnly, dispose: () => (shared ? undefined : rmSync(dir, { recursive: true, force: true })) };
}
