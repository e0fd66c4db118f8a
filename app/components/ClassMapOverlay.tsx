import { useEffect, useRef } from 'react';
import type { ClassMaps } from '../../model/classifier.ts';
import { cropRect, heatmapPixels, mapAt, type MapPathway } from '../classMapView.ts';
import { useStore } from '../store.ts';

const PIXELS_PER_CELL = 16;

export interface MapShown {
  maps: ClassMaps;
  /** Which mapped class (index into maps.classes). */
  slot: number;
  /** 0 at the clip's start, 1 at its end. */
  phase: number;
  /** The network's input size: the crop it saw. */
  inputSize: number;
}

/**
 * A canvas over a video (or image) showing where the model looked: the chosen class's map at this moment,
 * over the crop the network saw, letterboxed as the media is (object-fit: contain). Redrawn only when what it
 * shows changes.
 */
export function ClassMapOverlay({ media, shown }: { media: React.RefObject<HTMLVideoElement | HTMLImageElement | null>; shown?: MapShown }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawn = useRef('');
  const { mapView, mapOpacity } = useStore((s) => s.settings);
  useEffect(() => {
    const c = canvas.current;
    const m = media.current;
    if (!c || !m) return;
    const frameW = m instanceof HTMLVideoElement ? m.videoWidth : m.naturalWidth;
    const frameH = m instanceof HTMLVideoElement ? m.videoHeight : m.naturalHeight;
    const [cw, ch] = [m.clientWidth, m.clientHeight];
    const plane = shown && mapView !== 'off' && frameW && frameH ? mapAt(shown.maps, shown.slot, mapView as MapPathway, shown.phase) : undefined;
    const step = shown ? Math.floor(shown.phase * (shown.maps.fastShape ?? shown.maps.slowShape)[0]) : -1;
    const key = plane ? [shown!.maps.slow.byteOffset, shown!.maps.slow.length, shown!.maps.classes[shown!.slot], shown!.slot, mapView, step, mapOpacity, cw, ch, frameW, frameH].join('|') : 'none';
    if (key === drawn.current) return;
    drawn.current = key;
    c.width = cw;
    c.height = ch;
    const g = c.getContext('2d');
    if (!g) return;
    g.clearRect(0, 0, cw, ch);
    c.dataset.classIndex = plane ? String(shown!.maps.classes[shown!.slot]) : '';
    if (!plane) return;
    // The media's content box (object-fit: contain), then the crop within it.
    const scale = Math.min(cw / frameW, ch / frameH);
    const crop = cropRect(frameW, frameH, shown!.inputSize);
    const x = Math.round((cw - frameW * scale) / 2 + crop.x * scale);
    const y = Math.round((ch - frameH * scale) / 2 + crop.y * scale);
    const w = Math.max(1, Math.round(crop.w * scale));
    const h = Math.max(1, Math.round(crop.h * scale));
    // Coloured at a few pixels per map cell, then scaled by the canvas: colouring every screen pixel on the
    // page's thread would stall it for a large video.
    const sw = Math.min(w, plane.w * PIXELS_PER_CELL);
    const sh = Math.min(h, plane.h * PIXELS_PER_CELL);
    const small = new OffscreenCanvas(sw, sh);
    small.getContext('2d')!.putImageData(new ImageData(heatmapPixels(plane, sw, sh, mapOpacity), sw, sh), 0, 0);
    g.imageSmoothingEnabled = true;
    g.imageSmoothingQuality = 'high';
    g.drawImage(small, x, y, w, h);
  });
  return <canvas ref={canvas} className="class-map" data-testid="class-map" aria-hidden="true" />;
}

/** In place of the map controls where the CPU engine runs: it computes labels only. */
export function MapsNeedWebGpu() {
  return <p className="detail" data-testid="maps-need-webgpu">Where it looks: maps need WebGPU (the CPU engine computes labels only).</p>;
}

/** Off, Slow, Fast or both pathways' maps, and their opacity. */
export function ClassMapControls({ classes, slot, onSlot }: { classes?: { index: number; label: string }[]; slot: number; onSlot: (slot: number) => void }) {
  const { mapView, mapOpacity } = useStore((s) => s.settings);
  const { setSettings } = useStore.getState();
  return (
    <div className="row map-controls">
      <label>
        Where it looks{' '}
        <select value={mapView} onChange={(e) => setSettings({ mapView: e.target.value as typeof mapView })} data-testid="map-view">
          <option value="off">off</option>
          <option value="both">both pathways</option>
          <option value="slow">Slow pathway</option>
          <option value="fast">Fast pathway</option>
        </select>
      </label>
      {classes && classes.length > 0 && (
        <label>
          for{' '}
          <select value={slot} onChange={(e) => onSlot(Number(e.target.value))} data-testid="map-class" disabled={mapView === 'off'}>
            {classes.map((c, i) => (
              <option key={c.index} value={i}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
      )}
      <label>
        opacity{' '}
        <input type="range" min={0.1} max={1} step={0.05} value={mapOpacity} disabled={mapView === 'off'}
          onChange={(e) => setSettings({ mapOpacity: Number(e.target.value) })} data-testid="map-opacity" />
      </label>
    </div>
  );
}
