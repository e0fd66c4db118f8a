// Test fixtures: the golden outputs and media in ../shared, which the dev and test servers expose at /shared/.

export async function fetchShared(path: string): Promise<ArrayBuffer> {
  const r = await fetch(`/shared/${path}`);
  if (!r.ok) throw new Error(`cannot read ../shared/${path}: HTTP ${r.status}`);
  return r.arrayBuffer();
}

export async function sharedF32(path: string): Promise<Float32Array<ArrayBuffer>> {
  return new Float32Array(await fetchShared(path));
}

export async function sharedJson<T = unknown>(path: string): Promise<T> {
  // A fixture of ours: the test that reads it names its shape.
  return JSON.parse(new TextDecoder().decode(await fetchShared(path))) as T;
}

/** A video in ../shared decoded by the ffmpeg CLI to raw rgb24 frames (the decoder the golden inputs used). */
export async function sharedRgb24Frames(path: string, width: number, height: number): Promise<Uint8Array[]> {
  const r = await fetch(`/shared-rgb24/${path}`);
  if (!r.ok) throw new Error(`cannot decode ../shared/${path}: ${await r.text()}`);
  const bytes = new Uint8Array(await r.arrayBuffer());
  const frameBytes = width * height * 3;
  return Array.from({ length: bytes.length / frameBytes }, (_, i) => bytes.subarray(i * frameBytes, (i + 1) * frameBytes));
}
