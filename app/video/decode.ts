// Decodes a user's video file to VideoFrames, streaming: mediabunny demuxes (mp4, mov, webm, mkv, …) and
// feeds WebCodecs' VideoDecoder; animated GIFs (and animated PNG and WebP) go through ImageDecoder. Frames
// come out in presentation order; the consumer closes each one. Nothing holds more than a few decoded frames
// at a time.
import { ALL_FORMATS, BlobSource, EncodedPacketSink, Input, type InputVideoTrack } from 'mediabunny';
import { UPRIGHT, type Orientation } from '../../kernels/preprocess/preprocess.ts';

export type VideoInputErrorKind = 'empty' | 'not-a-video' | 'still-image' | 'no-video-track' | 'unsupported-codec' | 'decode-failed';

export class VideoInputError extends Error {
  override readonly name = 'VideoInputError';
  constructor(
    readonly kind: VideoInputErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export interface VideoInfo {
  /** Display size of the frames (after the container's turn: a phone's portrait video is taller than wide). */
  width: number;
  height: number;
  /**
   * How the container says to show the decoded frames, which come out as stored (a phone's portrait video:
   * landscape frames, turned 90 or 270). Frames from the browser's player are already shown as they should be.
   */
  orientation: Orientation;
  /** e.g. 'avc', 'vp9', 'av1', 'gif'. */
  codec: string;
  /** Seconds, from the container (may be approximate for some files). */
  duration: number;
  /** 'image': an animated GIF, PNG or WebP; 'element': decoded by the browser's player (elementSource.ts). */
  container: 'container' | 'image' | 'element';
}

export interface VideoFile {
  info: VideoInfo;
  /** Every frame's presentation time in seconds, ascending, read from the container without decoding. */
  frameTimestamps(): Promise<number[]>;
  /** Decodes the frames in presentation order; stop early with `break`. Close every frame you receive. */
  frames(): AsyncGenerator<VideoFrame, void, undefined>;
  /** Why the frames end before the file's end (found on opening: a truncated animated image). */
  damage?: string;
  dispose(): void;
}

/** How many decoded frames may wait for the consumer, and how many chunks may wait in the decoder. */
const MAX_READY_FRAMES = 6;
const MAX_DECODE_QUEUE = 8;

const startsWith = (head: Uint8Array, bytes: readonly number[], at = 0) => bytes.every((b, i) => head[at + i] === b);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** Image formats by their first bytes: the MIME type ImageDecoder takes, and the name users know. */
function imageType(head: Uint8Array): { mime: string; name: string } | undefined {
  if (startsWith(head, ascii('GIF8'))) return { mime: 'image/gif', name: 'GIF' };
  if (startsWith(head, [0x89, ...ascii('PNG')])) return { mime: 'image/png', name: 'PNG' };
  if (startsWith(head, [0xff, 0xd8, 0xff])) return { mime: 'image/jpeg', name: 'JPEG' };
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return { mime: 'image/webp', name: 'WebP' };
  if (startsWith(head, ascii('ftypavif'), 4)) return { mime: 'image/avif', name: 'AVIF' };
  if (startsWith(head, ascii('BM'))) return { mime: 'image/bmp', name: 'BMP' };
  return undefined;
}

const CODEC_NAMES: Record<string, string> = {
  avc: 'H.264', hevc: 'H.265/HEVC', vp8: 'VP8', vp9: 'VP9', av1: 'AV1', prores: 'ProRes', mpeg4: 'MPEG-4 Part 2',
};

/**
 * A decoder config without the turn mediabunny copies into it from the container (WebCodecs' rotation and flip,
 * which some browsers put on the frames they decode and some ignore).
 */
function withoutTurn(config: VideoDecoderConfig | null): VideoDecoderConfig | undefined {
  if (!config) return undefined;
  const { rotation: _rotation, flip: _flip, ...plain } = config as VideoDecoderConfig & { rotation?: number; flip?: boolean };
  return plain;
}

export async function openVideoFile(file: Blob): Promise<VideoFile> {
  if (file.size === 0) throw new VideoInputError('empty', 'The file is empty (0 bytes).');
  const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
  const image = imageType(head);
  // Animated images (GIF, and animated PNG or WebP) play as videos; a still one has no motion to classify.
  if (image) return openAnimatedImage(file, image);
  const input = new Input({ formats: ALL_FORMATS, source: new BlobSource(file) });
  let track: InputVideoTrack | null;
  try {
    track = await input.getPrimaryVideoTrack();
  } catch {
    input.dispose();
    throw new VideoInputError('not-a-video', 'This file is not a video we can read (not an MP4, MOV, WebM, MKV or GIF, or it is damaged).');
  }
  if (!track) {
    const hasAudio = await input.getPrimaryAudioTrack().catch(() => null);
    input.dispose();
    throw new VideoInputError('no-video-track', hasAudio ? 'This file has only audio: there is no video to classify.' : 'This file has no video track (or it is damaged).');
  }
  const codec = (await track.getCodec()) ?? 'unknown';
  const name = CODEC_NAMES[codec] ?? codec;
  // The decoder is given no rotation or flip, so its frames are the stored ones, in every browser: the turn is
  // applied once, by the preprocess, from `orientation`.
  const config = withoutTurn(await track.getDecoderConfig());
  const support = config ? await VideoDecoder.isConfigSupported(config).catch(() => ({ supported: false })) : { supported: false };
  if (!config || !support.supported) {
    input.dispose();
    throw new VideoInputError('unsupported-codec', `This browser cannot decode ${name} video${config ? ` (${config.codec})` : ''}. Try an H.264, VP8, VP9 or AV1 file.`);
  }
  const info: VideoInfo = {
    width: await track.getDisplayWidth(),
    height: await track.getDisplayHeight(),
    orientation: { rotation: await track.getRotation(), flip: await track.getFlip() },
    codec,
    duration: await track.computeDuration(),
    container: 'container',
  };
  return {
    info,
    frameTimestamps: async () => {
      const ts: number[] = [];
      for await (const packet of new EncodedPacketSink(track).packets(undefined, undefined, { metadataOnly: true })) ts.push(packet.timestamp);
      return ts.sort((a, b) => a - b);
    },
    frames: () => decodeTrack(track, config, name),
    dispose: () => input.dispose(),
  };
}

async function* decodeTrack(track: InputVideoTrack, config: VideoDecoderConfig, codecName: string): AsyncGenerator<VideoFrame, void, undefined> {
  const ready: VideoFrame[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const signal = () => {
    wake?.();
    wake = undefined;
  };
  const decoder = new VideoDecoder({
    output: (frame) => {
      ready.push(frame);
      signal();
    },
    error: (e) => {
      failure = new VideoInputError('decode-failed', `The ${codecName} video could not be decoded: ${e.message}`);
      signal();
    },
  });
  decoder.addEventListener('dequeue', signal);
  decoder.configure(config);
  const packets = new EncodedPacketSink(track).packets();
  let fed = false;
  try {
    for (;;) {
      while (ready.length) yield ready.shift()!;
      if (failure) throw failure;
      if (fed) {
        if (decoder.decodeQueueSize === 0) break;
      } else if (decoder.decodeQueueSize < MAX_DECODE_QUEUE && ready.length < MAX_READY_FRAMES) {
        const next = await packets.next();
        if (next.done) {
          fed = true;
          // flush() resolves once every frame is out (into `ready`); it rejects if the decoder failed.
          await decoder.flush().catch((e: Error) => {
            failure ??= new VideoInputError('decode-failed', `The ${codecName} video could not be decoded: ${e.message}`);
          });
          continue;
        }
        try {
          decoder.decode(next.value.toEncodedVideoChunk());
        } catch (e) {
          throw failure ?? new VideoInputError('decode-failed', `The ${codecName} video could not be decoded: ${(e as Error).message}`);
        }
        continue;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
    while (ready.length) yield ready.shift()!;
  } finally {
    for (const f of ready) f.close();
    await packets.return();
    if (decoder.state !== 'closed') decoder.close();
  }
}

async function openAnimatedImage(file: Blob, type: { mime: string; name: string }): Promise<VideoFile> {
  const still = new VideoInputError('still-image', `This is a still image (${type.name}), not a video: SlowFast recognises actions from motion over about 2 s.`);
  if (typeof ImageDecoder === 'undefined' || !(await ImageDecoder.isTypeSupported(type.mime))) {
    if (type.mime !== 'image/gif') throw still;
    throw new VideoInputError('unsupported-codec', 'This browser cannot decode animated GIFs (no WebCodecs ImageDecoder).');
  }
  const open = async () => {
    const decoder = new ImageDecoder({ data: file.stream(), type: type.mime });
    try {
      await decoder.completed;
      await decoder.tracks.ready;
    } catch (e) {
      decoder.close();
      throw new VideoInputError('not-a-video', `This ${type.name} could not be read (${(e as Error).message.replace(/\.$/, '')}); it may be truncated or damaged.`);
    }
    return decoder;
  };
  const probe = await open();
  const track = probe.tracks.selectedTrack;
  if (!track || track.frameCount === 0) {
    probe.close();
    throw new VideoInputError('no-video-track', `This ${type.name} has no frames.`);
  }
  if (track.frameCount === 1) {
    probe.close();
    throw still;
  }
  let duration = 0;
  const timestamps: number[] = [];
  let damage: string | undefined;
  for (let i = 0; i < track.frameCount; i++) {
    // Frame timing lives in each frame; decoding a GIF frame is cheap.
    let image: VideoFrame;
    try {
      ({ image } = await probe.decode({ frameIndex: i }));
    } catch (e) {
      // A truncated image: the frames before the break are still good.
      damage = `The ${type.name} breaks off at frame ${i + 1} of ${track.frameCount} (${(e as Error).message.replace(/\.$/, '')}): it is truncated or damaged.`;
      break;
    }
    timestamps.push(image.timestamp / 1e6);
    duration = (image.timestamp + (image.duration ?? 0)) / 1e6;
    image.close();
  }
  if (timestamps.length === 0) {
    probe.close();
    throw new VideoInputError('not-a-video', `This ${type.name} could not be read: it is truncated or damaged.`);
  }
  const first = (await probe.decode({ frameIndex: 0 })).image;
  const info: VideoInfo = { width: first.displayWidth, height: first.displayHeight, orientation: UPRIGHT, codec: type.name.toLowerCase(), duration, container: 'image' };
  first.close();
  const frameCount = timestamps.length;
  return {
    info,
    damage,
    frameTimestamps: async () => timestamps,
    async *frames() {
      for (let i = 0; i < frameCount; i++) {
        yield (await probe.decode({ frameIndex: i })).image;
      }
    },
    dispose: () => probe.close(),
  };
}
