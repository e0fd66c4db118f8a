// Types for corpus.mjs (plain JavaScript so that `node e2e/corpus.mjs` runs it directly).
export interface CorpusCase {
  /** File name in the corpus folder. */
  file: string;
  /** Dropped on the page as a video or as weights. */
  as: 'video' | 'weights';
  make(out: string): void;
  /** What the reader says: an error (after the file's name on the page), or with `works` the analysis notice. */
  message?: RegExp;
  /** Unusual but readable: labels must appear. */
  works?: boolean;
  /** Too long to classify whole in a test: the first labels, then cancel. */
  long?: boolean;
  /** The CLI's exit code (classify for videos, convert for weights); absent where the CLI is not run on it. */
  exit?: number;
}
export const CASES: CorpusCase[];
export const CORPUS_DIR: string;
export function makeCorpus(dir?: string): string;
