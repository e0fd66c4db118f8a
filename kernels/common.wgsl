// Shared index maths, prepended to every op's source.

// Dispatches larger than 65,535 workgroups are spread over y and z (splitDispatch in kernel.ts); this
// recovers the linear workgroup index. Invocations past the real count must return early.
fn linearWorkgroupIndex(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y;
}

// The index of this invocation in a 1-D launch of `size`-invocation workgroups (see linearWorkgroupIndex).
fn linearInvocationIndex(wid: vec3u, nwg: vec3u, lid: u32, size: u32) -> u32 {
  return linearWorkgroupIndex(wid, nwg) * size + lid;
}

// Element i of weights packed as f16 pairs (f16.ts): `word` is the u32 holding it, w[i >> 1].
fn halfOf(word: u32, i: u32) -> f32 {
  let pair = unpack2x16float(word);
  return select(pair.x, pair.y, (i & 1u) == 1u);
}
