import { useEffect, useRef, useState } from 'react';
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

const THUMB_PIXELS = 192;

/**
 * The crop the network saw of the frame on screen, with where the model looked for one class over it: a map beside
 * another (two models compared), where the overlay shows one at a time.
 */
export function ClassMapThumb({ media, shown, label, testId }: { media: React.RefObject<HTMLVideoElement | HTMLImageElement | null>; shown?: MapShown; label: string; testId: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { mapView, mapOpacity } = useStore((s) => s.settings);
  useEffect(() => {
    const c = canvas.current;
    const m = media.current;
    const g = c?.getContext('2d');
    if (!c || !m || !g) return;
    const frameW = m instanceof HTMLVideoElement ? m.videoWidth : m.naturalWidth;
    const frameH = m instanceof HTMLVideoElement ? m.videoHeight : m.naturalHeight;
    g.clearRect(0, 0, THUMB_PIXELS, THUMB_PIXELS);
    if (!shown || !frameW || !frameH) {
      c.dataset.classIndex = '';
      return;
    }
    const crop = cropRect(frameW, frameH, shown.inputSize);
    g.drawImage(m, crop.x, crop.y, crop.w, crop.h, 0, 0, THUMB_PIXELS, THUMB_PIXELS);
    const plane = mapView !== 'off' ? mapAt(shown.maps, shown.slot, mapView as MapPathway, shown.phase) : undefined;
    c.dataset.classIndex = plane ? String(shown.maps.classes[shown.slot]) : '';
    if (!plane) return;
    const side = Math.min(THUMB_PIXELS, Math.max(plane.w, plane.h) * PIXELS_PER_CELL);
    const small = new OffscreenCanvas(side, side);
    small.getContext('2d')!.putImageData(new ImageData(heatmapPixels(plane, side, side, mapOpacity), side, side), 0, 0);
    g.imageSmoothingEnabled = true;
    g.drawImage(small, 0, 0, THUMB_PIXELS, THUMB_PIXELS);
  });
  return <canvas ref={canvas} width={THUMB_PIXELS} height={THUMB_PIXELS} className="class-map-thumb" data-testid={testId} role="img" aria-label={label} />;
}

/** In place of the map controls where the CPU engine runs: it computes labels only. */
export function MapsNeedWebGpu() {
  return <p className="detail" data-testid="maps-need-webgpu">Where it looks: maps need WebGPU (the CPU engine computes labels only).</p>;
}

/** Any class of the model for the map: the clip's mapped top ones first, then every other, narrowed by a search. */
export interface AnyClass {
  /** Every class name, by index. */
  names: readonly string[];
  /** The class chosen. */
  chosen: number;
  onChoose: (index: number) => void;
  /** What the page is doing about it (a map being made for this clip), or why it could not. */
  status?: string;
}

/** Off, Slow, Fast or both pathways' maps, and their opacity; for the clip's top classes, or (`anyClass`) any class. */
export function ClassMapControls({ classes, slot, onSlot, anyClass }: { classes?: { index: number; label: string }[]; slot: number; onSlot: (slot: number) => void; anyClass?: AnyClass }) {
  const { mapView, mapOpacity } = useStore((s) => s.settings);
  const { setSettings } = useStore.getState();
  const [query, setQuery] = useState('');
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
      {anyClass && (
        <AnyClassPicker anyClass={anyClass} top={classes ?? []} query={query} onQuery={setQuery} disabled={mapView === 'off'} />
      )}
      {!anyClass && classes && classes.length > 0 && (
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

/** The class list of AnyClass: a search box (Enter takes its first match) and the list it narrows. */
function AnyClassPicker({ anyClass, top, query, onQuery, disabled }: { anyClass: AnyClass; top: { index: number; label: string }[]; query: string; onQuery: (q: string) => void; disabled: boolean }) {
  const q = query.trim().toLowerCase();
  const topIndices = new Set(top.map((c) => c.index));
  const others = anyClass.names
    .map((label, index) => ({ index, label }))
    .filter((c) => !topIndices.has(c.index) && (!q || c.label.toLowerCase().includes(q)))
    .sort((a, b) => a.label.localeCompare(b.label));
  const shownTop = top.filter((c) => !q || c.label.toLowerCase().includes(q));
  const chosenShown = shownTop.some((c) => c.index === anyClass.chosen) || others.some((c) => c.index === anyClass.chosen);
  return (
    <>
      <label>
        for{' '}
        <select value={anyClass.chosen} onChange={(e) => anyClass.onChoose(Number(e.target.value))} data-testid="map-class" disabled={disabled}>
          {!chosenShown && <option value={anyClass.chosen}>{anyClass.names[anyClass.chosen]}</option>}
          {shownTop.length > 0 && (
            <optgroup label="This clip's top classes" data-testid="map-class-top">
              {shownTop.map((c) => <option key={c.index} value={c.index}>{c.label}</option>)}
            </optgroup>
          )}
          <optgroup label={q ? `Classes matching "${query.trim()}"` : 'Every class'} data-testid="map-class-all">
            {others.map((c) => <option key={c.index} value={c.index}>{c.label}</option>)}
          </optgroup>
        </select>
      </label>
      <label>
        find{' '}
        <input type="search" value={query} placeholder="a class" disabled={disabled} data-testid="map-class-search"
          onChange={(e) => onQuery(e.target.value)}
          onKeyDown={(e) => {
            const first = shownTop[0] ?? others[0];
            if (e.key === 'Enter' && first) anyClass.onChoose(first.index);
          }} />
      </label>
      {anyClass.status && <span className="detail" role="status" data-testid="map-class-status">{anyClass.status}</span>}
    </>
  );
}
