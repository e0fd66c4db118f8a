// The fallback for files the browser's own player can play but WebCodecs cannot decode (a codec that only the
// platform's media stack has, a container our demuxer refuses): a <video> element on the page is seeked to each
// time of a regular grid, and each frame it presents (requestVideoFrameCallback) becomes a VideoFrame that is
// transferred to the engine worker over a MessagePort, one at a time as the worker asks. Slower than decoding
// (a seek per frame), so it is used only when decoding is refused.
import { UPRIGHT } from '../../kernels/preprocess/preprocess.ts';
import type { VideoFile, VideoInfo } from './decode.ts';

/** What the page hands the worker: the grid of times and the port that serves their frames. */
export interface ElementFrames {
  port: MessagePort;
  info: VideoInfo;
  /** Seconds, ascending: the frame shown at each is served, in order. */
  times: number[];
}

type Request = { type: 'next' } | { type: 'close' };
type Reply = { type: 'frame'; frame: VideoFrame } | { type: 'end' } | { type: 'error'; message: string };

/** How long a seek may take before the file counts as unplayable. */
const SEEK_TIMEOUT_MS = 10_000;
/** After `seeked`, how long to wait for the presented-frame callback (none comes when the frame is unchanged). */
const PRESENT_WAIT_MS = 50;

/**
 * What a playing <video> says of its file. The player shows frames upright (it applies the container's turn), and
 * the frames it presents are taken as shown, so they need no turn of their own.
 */
export function elementVideoInfo(video: HTMLVideoElement): VideoInfo {
  return { width: video.videoWidth, height: video.videoHeight, orientation: UPRIGHT, codec: "the browser's player", duration: video.duration, container: 'element' };
}

/** Refusals the browser's own player may still get past (it has the platform's codecs and demuxers). */
const PLAYER_MAY_PLAY: ReadonlySet<string> = new Set(['unsupported-codec', 'not-a-video', 'no-video-track']);

/** Whether a file WebCodecs refused (VideoInputError's kind) is worth trying in the browser's own player. */
export const playerMayPlay = (kind: string | undefined): boolean => kind !== undefined && PLAYER_MAY_PLAY.has(kind);

/** A <video> playing `url`, once its first frame is decoded; undefined if the browser cannot play it. */
export async function openPlayableVideo(url: string, timeoutMs = SEEK_TIMEOUT_MS): Promise<HTMLVideoElement | undefined> {
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.playsInline = true;
  const ok = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    video.addEventListener('loadeddata', () => (clearTimeout(timer), resolve(true)), { once: true });
    video.addEventListener('error', () => (clearTimeout(timer), resolve(false)), { once: true });
    video.src = url;
  });
  if (ok && video.videoWidth > 0 && Number.isFinite(video.duration) && video.duration > 0) return video;
  video.removeAttribute('src');
  video.load();
  return undefined;
}

/** Times k / rate covering [0, duration). */
export function frameGrid(duration: number, rate: number): number[] {
  const count = Math.max(1, Math.ceil(duration * rate - 1e-6));
  return Array.from({ length: count }, (_, k) => k / rate);
}

/** Seeks `video` to `time` and resolves once the frame for that time is presented. */
function seek(video: HTMLVideoElement, time: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let presented = false;
    let seeked = false;
    const timer = setTimeout(() => reject(new Error(`seeking to ${time.toFixed(2)} s did not finish`)), SEEK_TIMEOUT_MS);
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    video.requestVideoFrameCallback(() => {
      presented = true;
      if (seeked) done();
    });
    video.addEventListener('seeked', () => {
      seeked = true;
      if (presented) done();
      else setTimeout(done, PRESENT_WAIT_MS);
    }, { once: true });
    video.currentTime = time;
  });
}

/**
 * Serves the frames of `video` at `times` on a new port (the other end goes to the worker). The element is
 * released when the worker closes the port's session or the last frame is served.
 */
export function serveElementFrames(video: HTMLVideoElement, times: readonly number[]): MessagePort {
  const channel = new MessageChannel();
  const port = channel.port1;
  let next = 0;
  const release = () => {
    port.close();
    video.removeAttribute('src');
    video.load();
  };
  const reply = (r: Reply, transfer: Transferable[] = []) => port.postMessage(r, transfer);
  port.onmessage = async (e: MessageEvent<Request>) => {
    if (e.data.type === 'close') return release();
    if (next >= times.length) {
      reply({ type: 'end' });
      return release();
    }
    const time = times[next++];
    try {
      await seek(video, time);
      const frame = new VideoFrame(video, { timestamp: Math.round(time * 1e6) });
      reply({ type: 'frame', frame }, [frame]); // transferring closes our copy
    } catch (err) {
      reply({ type: 'error', message: (err as Error).message });
      release();
    }
  };
  return channel.port2;
}

/** The worker's side: the served frames as a VideoFile, read once, in order. */
export function openElementFrames({ port, info, times }: ElementFrames): VideoFile {
  let waiting: ((r: Reply) => void) | undefined;
  port.onmessage = (e: MessageEvent<Reply>) => waiting?.(e.data);
  const ask = () => {
    const reply = new Promise<Reply>((resolve) => (waiting = resolve));
    port.postMessage({ type: 'next' } satisfies Request);
    return reply;
  };
  return {
    info,
    frameTimestamps: async () => [...times],
    async *frames() {
      for (;;) {
        const r = await ask();
        if (r.type === 'end') return;
        if (r.type === 'error') throw new Error(`the browser's player could not show the frames: ${r.message}`);
        yield r.frame;
      }
    },
    dispose() {
      port.postMessage({ type: 'close' } satisfies Request);
      port.close();
    },
  };
}
