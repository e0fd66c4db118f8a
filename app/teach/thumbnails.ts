// Small pictures of takes, so the user can tell them apart and delete the bad one. Drawn once from the
// camera or the video, kept as JPEG data URLs (a few KB) beside the take's features.

const WIDTH = 96;

function draw(video: HTMLVideoElement): string | undefined {
  if (!video.videoWidth) return undefined;
  const canvas = document.createElement('canvas');
  canvas.width = WIDTH;
  canvas.height = Math.round((WIDTH * video.videoHeight) / video.videoWidth);
  canvas.getContext('2d')!.drawImage(video, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/jpeg', 0.7);
}

const within = <T>(p: Promise<T>, ms: number) => Promise.race([p, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))]);

/** What the camera shows now. */
export async function thumbnailOfStream(stream: MediaStream): Promise<string | undefined> {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  try {
    await within(video.play(), 3000);
    await within(new Promise((r) => (video.requestVideoFrameCallback ? video.requestVideoFrameCallback(r) : setTimeout(r, 100))), 3000);
    return draw(video);
  } catch {
    return undefined;
  } finally {
    video.srcObject = null;
  }
}

/** The frame of a video (a URL the page can play) at `time` seconds; undefined if the browser cannot play it. */
export async function thumbnailOfVideo(url: string, time: number): Promise<string | undefined> {
  const video = document.createElement('video');
  video.muted = true;
  video.preload = 'auto';
  video.src = url;
  try {
    const loaded = await within(new Promise<boolean>((resolve) => {
      video.onloadeddata = () => resolve(true);
      video.onerror = () => resolve(false);
    }), 5000);
    if (!loaded) return undefined;
    video.currentTime = Math.min(time, Math.max(0, video.duration - 0.05));
    await within(new Promise((r) => (video.onseeked = r)), 5000);
    return draw(video);
  } catch {
    return undefined;
  } finally {
    video.removeAttribute('src');
    video.load();
  }
}
