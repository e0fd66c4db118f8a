// The camera, on the page's thread: opening it (getUserMedia → MediaStreamTrackProcessor, whose frames go to
// the engine worker; where that is missing, a <video> element's frames: elementCamera.ts) and naming every way
// it fails. The worker classifies them (liveClassifier.ts).
import { serveCameraElementFrames } from './elementCamera.ts';
export type WebcamErrorKind = 'permission-denied' | 'no-camera' | 'camera-in-use' | 'camera-disconnected' | 'unsupported';

export class WebcamError extends Error {
  override readonly name = 'WebcamError';
  constructor(
    readonly kind: WebcamErrorKind,
    message: string,
  ) {
    super(message);
  }
}

function cameraError(e: unknown): WebcamError {
  const name = (e as DOMException)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return new WebcamError('permission-denied', 'Camera permission was denied. Allow the camera for this page in the browser\'s site settings, then start again.');
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return new WebcamError('no-camera', 'No camera was found. Connect one and start again.');
  if (name === 'NotReadableError' || name === 'AbortError') return new WebcamError('camera-in-use', 'The camera could not be started; another application may be using it.');
  return new WebcamError('unsupported', `The camera could not be started: ${(e as Error)?.message ?? String(e)}`);
}

/** A started camera: the stream (for a preview), its track, and its frames as a stream another thread can own. */
export interface Camera {
  stream: MediaStream;
  track: MediaStreamVideoTrack;
  /** Transferable to the worker that owns the GPU: the track's frames, or a port serving a <video> element's. */
  frames: CameraFrames;
  /** Where the frames come from: the track itself, or a <video> element playing it (no MediaStreamTrackProcessor). */
  source: 'track' | 'video-element';
  stop(): void;
}

export type CameraFrames = ReadableStream<VideoFrame> | MessagePort;

/** Opens the default camera (main thread: MediaStreamTrackProcessor lives on the window in Chromium). */
export async function openCamera(): Promise<Camera> {
  if (!navigator.mediaDevices?.getUserMedia) throw new WebcamError('unsupported', 'This browser has no camera access (getUserMedia).');
  const processor = typeof MediaStreamTrackProcessor !== 'undefined';
  if (!processor && typeof VideoFrame === 'undefined') {
    throw new WebcamError('unsupported', 'This browser cannot read camera frames (it has neither MediaStreamTrackProcessor nor VideoFrame); use a current Chrome, Edge, Firefox or Safari.');
  }
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
  } catch (e) {
    throw cameraError(e);
  }
  return cameraFromStream(stream, { stopTracks: true });
}

/**
 * A camera from a stream already open (the library's caller's): its first video track's frames, for the worker.
 * `stopTracks`: stop() ends the stream's tracks too (only for a stream we opened).
 */
export function cameraFromStream(stream: MediaStream, o: { stopTracks: boolean }): Camera {
  const track = stream.getVideoTracks()[0] as MediaStreamVideoTrack | undefined;
  const stopTracks = () => {
    if (o.stopTracks) for (const t of stream.getTracks()) t.stop();
  };
  if (!track) {
    stopTracks();
    throw new WebcamError('no-camera', 'No camera was found. Connect one and start again.');
  }
  if (typeof MediaStreamTrackProcessor !== 'undefined') return { stream, track, frames: new MediaStreamTrackProcessor({ track }).readable, source: 'track', stop: stopTracks };
  const served = serveCameraElementFrames(stream);
  return {
    stream,
    track,
    frames: served.port,
    source: 'video-element',
    stop: () => {
      served.stop();
      stopTracks();
    },
  };
}

/** The error to show when a running camera's track ends without the user stopping it. */
export const cameraDisconnected = () =>
  new WebcamError('camera-disconnected', 'The camera was disconnected. Labels stopped; start again when it is back.');

/**
 * Why a camera track ended: its permission was withdrawn (the browser stops the camera when the user revokes
 * it in the site settings), or the camera went away.
 */
export async function cameraEnded(): Promise<WebcamError> {
  const state = await navigator.permissions?.query({ name: 'camera' as PermissionName }).then((p) => p.state, () => undefined);
  if (state === 'denied') {
    return new WebcamError('permission-denied', 'Camera permission was withdrawn, so labels stopped. Allow the camera for this page in the browser\'s site settings, then start again.');
  }
  return cameraDisconnected();
}
