// Reads the golden fixtures and media in ../shared, which the dev and test servers expose at /shared/.

export async function fetchShared(path: string): Promise<ArrayBuffer> {
  const r = await fetch(`/shared/${path}`);
  if (!r.ok) throw new Error(`cannot read ../shared/${path}: HTTP ${r.status}`);
  return r.arrayBuffer();
}

export async function sharedF32(path: string): Promise<Float32Array> {
  return new Float32Array(await fetchShared(path));
}

export async function sharedJson<T = unknown>(path: string): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await fetchShared(path))) as T;
}
