import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RangeSource {
  size: number;
  read(start: number, end: number): Buffer;
}
export interface RangeFaults {
  dropAt?: number;
  stallAt?: number;
  refuseFrom?: number;
  corruptAt?: number;
  claimedSize?: number;
  everyMs?: number;
  ranges?: boolean;
}
export interface RangeStats {
  bytes?: number;
  requests?: number;
  /** Each answer's status and span. */
  spans?: string[];
  dropped?: boolean;
  stalled?: boolean;
  corrupted?: boolean;
}
export function fileSource(path: string): RangeSource;
export function bufferSource(bytes: Uint8Array): RangeSource;
export function answerRange(req: IncomingMessage, res: ServerResponse, source: RangeSource, faults?: RangeFaults, stats?: RangeStats): Promise<void>;
