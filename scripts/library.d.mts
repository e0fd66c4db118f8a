// Types for library.mjs (plain JavaScript, imported by the Node entry points and their tests).
export const VIDEO_EXTENSIONS: string[];
export function listVideos(paths: string[]): { videos: string[]; empty: string[] };
export function parseShard(text: string | undefined): { index: number; count: number } | undefined;
export function shardOf(videos: string[], shard: { index: number; count: number }): string[];
export function readDone(jsonlPath: string): { done: Set<string>; endsCut: boolean };
export function mapNames(videos: string[]): Map<string, string>;
