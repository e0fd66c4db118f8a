// The SVG chart of `npm run bench`: median ms per clip of each engine, grouped by preset, log scale.
/** Bars of median ms per clip (log scale), one group per preset, with the ratio to ours. */
export function benchChart(r) {
  const colours = { 'slowfast-web': '#2f6fdb', 'onnxruntime-web webgpu': '#d9822b', 'onnxruntime-web wasm': '#8a8a8a' };
  const colour = (engine) => colours[engine] ?? '#7fa6e8';
  const rows = r.presets.flatMap((p) => [{ label: p.preset }, ...p.engines.filter((e) => !e.error).map((e) => ({ p, e }))]);
  const all = rows.filter((x) => x.e).map((x) => x.e.medianMs);
  const lo = Math.log10(Math.min(...all) / 2);
  const hi = Math.log10(Math.max(...all) * 2);
  const W = 840, left = 230, barW = W - left - 190, rowH = 22;
  const H = 60 + rows.length * rowH;
  const x = (ms) => left + ((Math.log10(ms) - lo) / (hi - lo)) * barW;
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${esc(`SlowFast per clip, median of ${r.options.runs} (log scale) — ${r.adapter.description || r.adapter.vendor}, ${r.options.inputSize}px, width ×${r.options.width}`)}</text>`,
  ];
  rows.forEach((row, i) => {
    const y = 40 + i * rowH;
    if (!row.e) {
      parts.push(`<text x="10" y="${y + 15}" font-weight="bold">${esc(row.label)}</text>`);
      return;
    }
    const { e } = row;
    const ratio = e.medianRatio === undefined ? '' : ` (${e.medianRatio.toFixed(e.medianRatio < 1 ? 2 : 1)}× our time)`;
    parts.push(`<text x="20" y="${y + 15}">${esc(e.engine)}</text>`);
    parts.push(`<rect x="${left}" y="${y + 3}" width="${Math.max(1, x(e.medianMs) - left).toFixed(1)}" height="${rowH - 6}" fill="${colour(e.engine)}"/>`);
    parts.push(`<text x="${(x(e.medianMs) + 6).toFixed(1)}" y="${y + 15}">${esc(`${e.medianMs.toFixed(e.medianMs < 100 ? 1 : 0)} ms${ratio}`)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
