// The bad-input corpus (e2e/corpus.mjs) through the command-line tools: every checkpoint through
// `npm run convert`, every video through `npm run classify` (one run for all of them, as a user would
// classify a folder). Each case: its message on stderr and its exit code.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CASES, makeCorpus } from '../e2e/corpus.mjs';
import { runScript, type ScriptResult } from './runScript.ts';

const dir = makeCorpus();
const G = '../shared/golden/slowfast_r50_w16_8x8_64px';
// The 20-minute video is for the page's streaming test; classifying all of it here would take too long.
const videos = CASES.filter((c) => c.as === 'video' && c.exit !== undefined);
const weights = CASES.filter((c) => c.as === 'weights');

describe('npm run convert on the corpus checkpoints', () => {
  for (const c of weights) {
    it(`${c.file}: exit ${c.exit}, ${c.message}`, async () => {
      const r = await runScript('convert', [join(dir, c.file), join(dir, 'out.safetensors')]);
      expect(r.status).toBe(c.exit);
      expect(r.stderr.trim()).toMatch(new RegExp(`^error: .*${c.message!.source}`));
    }, 60_000);
  }
});

describe('npm run classify on the corpus videos', () => {
  let run: ScriptResult;
  let results: { file: string; error?: string; clips?: unknown[]; notices?: string[] }[];
  beforeAll(async () => {
    run = await runScript('classify', [...videos.map((c) => join(dir, c.file)), '--checkpoint', `${G}/checkpoint.pyth`, '--size', '64', '--json']);
    results = JSON.parse(run.stdout);
  }, 600_000);

  it('exits 1 when any video failed, and still classifies the others', () => {
    expect(run.status).toBe(1);
    expect(results.map((r) => r.file)).toEqual(videos.map((c) => join(dir, c.file)));
  });

  for (const c of videos) {
    it(`${c.file}: ${c.exit === 1 ? 'an error' : c.exit === 3 ? 'labels and a notice' : 'labels'}`, () => {
      const r = results.find((x) => x.file === join(dir, c.file))!;
      const stderr = run.stderr.split('\n').filter((l) => l.includes(`${join(dir, c.file)}: `));
      if (c.exit === 1) {
        expect(r.error).toMatch(c.message!);
        expect(stderr).toEqual([expect.stringMatching(new RegExp(`^error: .*${c.message!.source}`))]);
        return;
      }
      expect(r.error).toBeUndefined();
      expect(r.clips!.length).toBeGreaterThanOrEqual(1);
      if (c.exit === 3) {
        expect(r.notices).toEqual([expect.stringMatching(c.message!)]);
        expect(stderr).toEqual([expect.stringMatching(/^notice: /)]);
      } else {
        expect(r.notices).toEqual([]);
        expect(stderr).toEqual([]);
      }
    });
  }
});
