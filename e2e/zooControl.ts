// What the stand-in zoo (e2e/zoo-server.mjs) serves under SLOWFAST_8x8_R50's path, and what it sent.
import { ZOO_PORT } from './paths.ts';
import type { RangeFaults, RangeStats } from './rangeServer.mjs';

const control = `http://localhost:${ZOO_PORT}/control`;

/** Has the zoo serve SLOWFAST_8x8_R50 from `file` with `faults` (no file: the golden one, slowly), and count afresh. */
export async function serveZooCheckpoint(file?: string, faults?: RangeFaults): Promise<void> {
  await fetch(control, { method: 'POST', body: JSON.stringify({ file, faults }) });
}

/** What the zoo sent of SLOWFAST_8x8_R50 since it was last told what to serve. */
export const zooSent = async (): Promise<RangeStats> => (await fetch(control)).json();
