// Which frames of a clip each pathway sees, exactly as pytorchvideo's PackPathway and PySlowFast's
// pack_pathway_output choose them.

/**
 * Indices into the Fast pathway's frames that the Slow pathway takes: torch.linspace(0, T−1, T/α) truncated
 * to integers — not every α-th frame (for T = 32, α = 4: 0, 4, 8, 13, 17, 22, 26, 31).
 */
export function slowFrameIndices(fastFrames: number, alpha: number): number[] {
  const n = Math.floor(fastFrames / alpha);
  if (n < 1) throw new Error(`cannot take ${fastFrames}/${alpha} slow frames`);
  if (n === 1) return [0];
  // torch.linspace (CPU) works in float32 with step = (end − start)/(steps − 1): the first half counts up
  // from the start, the second half down from the end, so the last index is exactly T − 1.
  const end = fastFrames - 1;
  const step = Math.fround(end / (n - 1));
  const half = Math.floor(n / 2);
  return Array.from({ length: n }, (_, i) =>
    Math.trunc(i < half ? Math.fround(i * step) : Math.fround(end - Math.fround(step * (n - i - 1)))));
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
