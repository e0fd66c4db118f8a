// Types for phoneVideos.mjs (plain JavaScript, used by vite.config.ts, the e2e tests and the CLI tests).
import type { PhoneTurn, PhoneVideoFiles } from './phoneVideoNames.mjs';
export { PHONE_TURNS, phoneVideoNames, parsePhoneVideoName, type PhoneTurn, type PhoneVideoFiles } from './phoneVideoNames.mjs';
export function makePhoneVideos(turn: PhoneTurn, dir: string, media: string): Promise<PhoneVideoFiles>;
