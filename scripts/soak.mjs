// `npm run soak [-- --minutes N]`: the long webcam run of e2e/soak.spec.ts (not part of `npm test`).
import { spawnSync } from 'node:child_process';
import { parseCli, usageError } from './cli.mjs';
import { ensureNodeModules, ensureSystemPackages, root } from './prereqs.mjs';

const HELP = `Usage: npm run soak -- [--minutes N]

Runs live webcam labels from Chromium's fake camera (a .y4m of ../shared/media/cricket.mp4) for N minutes
(default 10) in headless Chromium, and checks that the page's and the engine's JS heap, the GPU buffers
and textures the engine holds, and its open camera frames stay flat after a minute's warm-up. Writes
bench-results/soak.json. Exit code 0 when they stay flat, 1 when not.`;

const { args } = parseCli(HELP, { minutes: { type: 'string', default: '10' } });
const minutes = Number(args.minutes);
if (!(minutes >= 1)) usageError(HELP, '--minutes must be at least 1');
ensureNodeModules();
ensureSystemPackages({ needFfmpeg: true });
const r = spawnSync('npx', ['playwright', 'test', '--project', 'soak', '--reporter', 'list'], {
  cwd: root, stdio: 'inherit', env: { ...process.env, SOAK: '1', SOAK_MINUTES: String(minutes) },
});
process.exit(r.status ?? 1);
