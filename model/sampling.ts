// Which frames of a clip each pathway sees, exactly as pytorchvideo's PackPathway and PySlowFast's
// pack_pathway_output choose them.

/**
 * torch.linspace(0, length − 1, count).long(): `count` indices spread over `length` items, repeating items
 * when count > length. This is pytorchvideo's UniformTemporalSubsample and PackPathway.
 */
export function linspaceIndices(length: number, count: number): number[] {
  if (length < 1 || count < 1) throw new Error(`cannot take ${count} of ${length} frames`);
  if (count === 1) return [0];
  // torch.linspace (CPU) works in float32 with step = (end − start)/(steps − 1): the first half counts up
  // from the start, the second half down from the end, so the last index is exactly length − 1.
  const end = length - 1;
  const step = Math.fround(end / (count - 1));
  const half = Math.floor(count / 2);
  return Array.from({ length: count }, (_, i) =>
    Math.trunc(i < half ? Math.fround(i * step) : Math.fround(end - Math.fround(step * (count - i - 1)))));
}

/**
 * Indices into the Fast pathway's frames that the Slow pathway takes: linspace(0, T−1, T/α) truncated —
 * not every α-th frame (for T = 32, α = 4: 0, 4, 8, 13, 17, 22, 26, 31).
 */
export function slowFrameIndices(fastFrames: number, alpha: number): number[] {
  return linspaceIndices(fastFrames, Math.floor(fastFrames / alpha));
}

/** Gathers the Slow pathway's input (1, 3, T/α, H, W) from the Fast pathway's (1, 3, T, H, W). */
export function gatherSlow(fast: Float32Array, fastFrames: number, alpha: number, height: number, width: number): Float32Array<ArrayBuffer> {
  const idx = slowFrameIndices(fastFrames, alpha);
  const plane = height * width;
  const slow = new Float32Array(3 * idx.length * plane);
  for (let c = 0; c < 3; c++) {
    idx.forEach((t, i) => slow.set(fast.subarray((c * fastFrames + t) * plane, (c * fastFrames + t + 1) * plane), (c * idx.length + i) * plane));
  }
  return slow;
}
