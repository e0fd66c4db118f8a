// `npm start`: install on first run, then serve the app with Vite and print its URL.
import { spawn } from 'node:child_process';
import { ensureNodeModules, root } from './prereqs.mjs';

ensureNodeModules();
const port = process.env.PORT || '5173';
console.log(`Serving slowfast-web at http://localhost:${port}/  (open it in a browser with WebGPU; Ctrl+C stops)`);
const vite = spawn('npx', ['vite', '--host', 'localhost', '--port', port, '--strictPort'], { cwd: root, stdio: 'inherit' });
vite.on('exit', (code) => process.exit(code ?? 0));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => vite.kill(sig));
