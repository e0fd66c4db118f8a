// Property-based fuzzing of the weight readers: valid checkpoints (zip, legacy pickle, safetensors) with bytes
// flipped, cut, inserted or overwritten, and their pickles mutated inside an intact zip. Whatever the bytes,
// a reader either returns weights or throws a CheckpointError — never another error, never a hang.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readWeights, toSafetensors } from './load.ts';
import { CheckpointError } from './pickle.ts';
import { mutate, mutation } from '../../e2e/mutate.ts';

const G = new URL('../../../shared/golden/slowfast_r50_w16_8x8_64px/', import.meta.url);
const zipCheckpoint = new Uint8Array(readFileSync(new URL('checkpoint.pyth', G)));
const legacyCheckpoint = new Uint8Array(readFileSync(new URL('checkpoint_legacy.pyth', G)));
const golden = await readWeights(zipCheckpoint);
const safetensors = toSafetensors(golden.dict, { depth: 50, alpha: 4, betaInv: 8, fusionKernel: 7, fusionChannelRatio: 2, lateral: 'tconv', stemChannels: [16, 2], numClasses: 400, inputSize: 64, fastFrames: 32, tau: 8 });
const files = unzipSync(zipCheckpoint);
const pklName = Object.keys(files).find((n) => n.endsWith('data.pkl'))!;

/** The most one read may take, mutated or not (the intact zip reads in well under a second). */
const TIME_LIMIT_MS = 5000;

/** Reads `bytes`: fine, or a CheckpointError; anything else (or a slow read) fails the property. */
async function readsOrRefuses(bytes: Uint8Array): Promise<boolean> {
  const t0 = performance.now();
  try {
    await readWeights(bytes);
  } catch (e) {
    if (!(e instanceof CheckpointError)) throw new Error(`not a CheckpointError: ${(e as Error)?.stack ?? e}`);
  }
  const ms = performance.now() - t0;
  if (ms > TIME_LIMIT_MS) throw new Error(`the read took ${ms.toFixed(0)} ms`);
  return true;
}

const runs = { numRuns: 250, seed: 20261124 };

describe('weight readers under mutation: weights or a CheckpointError, in time', () => {
  it('PyTorch zip checkpoints', async () => {
    await fc.assert(fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => readsOrRefuses(mutate(zipCheckpoint, ms))), runs);
  }, 120_000);

  it('their pickles, mutated inside an intact zip', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 6 }), (ms) => {
        const zip = zipSync({ ...files, [pklName]: mutate(files[pklName], ms) }, { level: 0 });
        return readsOrRefuses(zip);
      }),
      { ...runs, numRuns: 400 },
    );
  }, 120_000);

  it('legacy (non-zip) checkpoints', async () => {
    await fc.assert(fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => readsOrRefuses(mutate(legacyCheckpoint, ms))), runs);
  }, 120_000);

  it('safetensors files', async () => {
    await fc.assert(fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), (ms) => readsOrRefuses(mutate(safetensors, ms))), runs);
  }, 120_000);

  it('arbitrary bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 4096 }), (bytes) => readsOrRefuses(bytes)), { ...runs, numRuns: 2000 });
  });

  it('the unmutated files still read (the properties above are not vacuous)', async () => {
    for (const f of [zipCheckpoint, legacyCheckpoint]) expect((await readWeights(f)).dict.size).toBe(golden.dict.size);
    // (Our format leaves out BN's num_batches_tracked.)
    expect([...(await readWeights(safetensors)).dict.keys()]).toEqual([...golden.dict.keys()].filter((k) => !k.endsWith('num_batches_tracked')));
  });
});
