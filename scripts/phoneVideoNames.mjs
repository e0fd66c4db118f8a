// The names of the phone-style test videos (phoneVideos.mjs makes them): plain data, so browser tests may import it.

/** The turns, as ffmpeg's rotate tag names them: counter-clockwise (WebCodecs and mediabunny count clockwise). */
export const PHONE_TURNS = [90, 180, 270];

/** The three files of one turn, by name. */
export function phoneVideoNames(turn) {
  return { tagged: `phone-${turn}.mp4`, stored: `phone-${turn}-stored.mp4`, upright: `phone-${turn}-upright.webm` };
}

/** The name's turn and which of its files it is, if it names a phone video. */
export function parsePhoneVideoName(name) {
  for (const turn of PHONE_TURNS) for (const [kind, n] of Object.entries(phoneVideoNames(turn))) if (n === name) return { turn, kind };
  return undefined;
}
