// Runs one of our Node entry points as a user would, for the command-line tests. Asynchronous, so a test's
// own HTTP server keeps answering while the script runs.
import { spawn } from 'node:child_process';

export interface ScriptResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function runScript(script: string, args: string[], env: Record<string, string> = {}): Promise<ScriptResult> {
  return new Promise((resolve) => {
    const child = spawn('node', [`scripts/${script}.mjs`, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => resolve({ status: status ?? -1, stdout, stderr }));
  });
}
