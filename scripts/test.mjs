// `npm test`: install what is missing, then type-check, run the unit tests (Node and real Chromium on
// WebGPU) and the e2e tests, and end with one plain line `N passed, N failed` counting every test.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNodeModules, ensureSystemPackages, root } from './prereqs.mjs';

ensureNodeModules();
ensureSystemPackages({ needFfmpeg: true, otherEngines: true });

let passed = 0;
let failed = 0;

// Fixtures at real size (an official-sized checkpoint, ~400 MB on disk) are made once for this run by the
// first test that needs them, shared by the unit and e2e tests, and deleted at the end.
const fixtures = mkdtempSync(join(tmpdir(), 'slowfast-fixtures-'));

function run(label, cmd, args, env = {}) {
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, SLOWFAST_FIXTURES_DIR: fixtures, ...env } });
  return r.status ?? 1;
}

function readJson(path) {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

// Type-checking counts as one test.
if (run('typecheck', 'npx', ['tsc', '--noEmit']) === 0) passed++;
else failed++;

const vitestJson = join(root, '.vitest-results.json');
rmSync(vitestJson, { force: true });
const vitestStatus = run('unit tests (Node + Chromium/WebGPU)', 'npx', [
  'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`,
]);
const vitest = readJson(vitestJson);
if (vitest) {
  passed += vitest.numPassedTests;
  failed += vitest.numFailedTests;
  // A suite that failed to load has no tests in it but is still a failure.
  failed += vitest.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
}
if (!vitest || (vitestStatus !== 0 && vitest.numFailedTests === 0)) failed++;

const playwrightJson = join(root, '.playwright-results.json');
rmSync(playwrightJson, { force: true });
const e2eStatus = run('e2e tests (Playwright)', 'npx', ['playwright', 'test', '--reporter=list,json'], {
  PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson,
});
const e2e = readJson(playwrightJson);
if (e2e) {
  passed += e2e.stats.expected + e2e.stats.flaky;
  failed += e2e.stats.unexpected;
}
if (!e2e || (e2eStatus !== 0 && e2e.stats.unexpected === 0)) failed++;

rmSync(fixtures, { recursive: true, force: true });
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
