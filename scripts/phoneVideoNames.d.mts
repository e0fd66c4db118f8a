// Types for phoneVideoNames.mjs.
export type PhoneTurn = 90 | 180 | 270;
export interface PhoneVideoFiles<T = string> {
  /** Landscape frames with the turn in the display matrix, as a phone writes it. */
  tagged: T;
  /** The same frames without the tag. */
  stored: T;
  /** ffmpeg's upright re-encode of the tagged file. */
  upright: T;
}
export const PHONE_TURNS: PhoneTurn[];
export function phoneVideoNames(turn: PhoneTurn): PhoneVideoFiles;
export function parsePhoneVideoName(name: string): { turn: PhoneTurn; kind: keyof PhoneVideoFiles } | undefined;
