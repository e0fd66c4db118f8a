// Shared index maths, prepended to every op's source.

// Dispatches larger than 65,535 workgroups are spread over y and z (splitDispatch in kernel.ts); this
// recovers the linear workgroup index. Invocations past the real count must return early.
fn linearWorkgroupIndex(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x + wid.z * nwg.x * nwg.y;
}
