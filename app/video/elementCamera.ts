// Camera frames where MediaStreamTrackProcessor is missing (Safari, Firefox): the stream plays in a <video>
// element on the page, each frame it presents (requestVideoFrameCallback) becomes a VideoFrame, and frames go
// to the engine worker over a MessagePort, one each time the worker asks; a frame presented while none is asked
// for is skipped, as the live classifier would skip it. A port, not a transferred stream, because Safari cannot
// transfer streams; VideoFrames it can.

type Request = { type: 'next' } | { type: 'close' };
type Reply = { type: 'frame'; frame: VideoFrame } | { type: 'end' };

/** Plays `stream` in an element of its own and serves its frames on a new port (the other end goes to the worker). */
export function serveCameraElementFrames(stream: MediaStream): { port: MessagePort; stop(): void } {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  const channel = new MessageChannel();
  const port = channel.port1;
  let asked = 0;
  let stopped = false;

  const send = () => {
    if (stopped || asked === 0 || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || video.videoWidth === 0) return;
    let frame: VideoFrame;
    try {
      // The live classifier times frames by their arrival; the timestamp only has to increase.
      frame = new VideoFrame(video, { timestamp: Math.round(performance.now() * 1000) });
    } catch {
      return; // between two frames of a resize: the next presented frame will do
    }
    asked--;
    port.postMessage({ type: 'frame', frame } satisfies Reply, [frame]);
  };
  // Browsers without requestVideoFrameCallback get a frame every 1/30 s of whatever the element shows.
  const schedule = (): void => {
    if (stopped) return;
    if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(presented);
    else setTimeout(presented, 1000 / 30);
  };
  const presented = () => {
    send();
    schedule();
  };
  const stop = () => {
    if (stopped) return;
    stopped = true;
    port.postMessage({ type: 'end' } satisfies Reply);
    port.close();
    video.pause();
    video.srcObject = null;
  };
  port.onmessage = (e: MessageEvent<Request>) => {
    if (e.data.type === 'close') return stop();
    asked++;
  };
  void video.play().catch(() => {}); // a muted element may play without a gesture; the preview shows the rest
  schedule();
  return { port: channel.port2, stop };
}

/** The worker's side: the served frames as a stream, asking for the next frame only when the last is taken. */
function cameraPortFrames(port: MessagePort): ReadableStream<VideoFrame> {
  let delivered: (() => void) | undefined;
  return new ReadableStream<VideoFrame>(
    {
      start(controller) {
        port.onmessage = (e: MessageEvent<Reply>) => {
          if (e.data.type === 'frame') controller.enqueue(e.data.frame);
          else {
            controller.close();
            port.close();
          }
          delivered?.();
          delivered = undefined;
        };
      },
      pull() {
        return new Promise<void>((resolve) => {
          delivered = resolve;
          port.postMessage({ type: 'next' } satisfies Request);
        });
      },
      cancel() {
        port.postMessage({ type: 'close' } satisfies Request);
        port.close();
      },
    },
    { highWaterMark: 1 },
  );
}

/** A camera's frames as a stream on the thread that classifies them, whichever way they come. */
export function cameraFrameStream(frames: ReadableStream<VideoFrame> | MessagePort): ReadableStream<VideoFrame> {
  return frames instanceof MessagePort ? cameraPortFrames(frames) : frames;
}
