import { useEffect, useRef, useState } from 'react';
import { clipAt, exportRecord, toCsv, toJson } from '../results.ts';
import { runsOnCpu, useStore, type Analysis } from '../store.ts';
import { sameMap, type MapKey } from '../store/videoSlice.ts';
import { ClassMapControls, ClassMapOverlay, MapsNeedWebGpu } from './ClassMapOverlay.tsx';
import { Compare } from './Compare.tsx';
import { downloadText as download } from './download.ts';
import { FileButton, VIDEO_TYPES } from './FileButton.tsx';
import { QueuePanel } from './QueuePanel.tsx';
import { pickFolder, videosOfFolderInput } from '../queue/folder.ts';
import { Segments, useSegments } from './Segments.tsx';
import { Timeline } from './Timeline.tsx';
import { TopLabels } from './TopLabels.tsx';
import { isUpright, type Orientation } from '../../kernels/preprocess/preprocess.ts';


/** Playback time of the video (or, for a GIF shown as an image, a looping clock of its length). */
function usePlaybackTime(media: React.RefObject<HTMLVideoElement | null>, analysis: Analysis) {
  const [time, setTime] = useState(0);
  useEffect(() => {
    let frame = 0;
    const started = performance.now();
    const duration = analysis.info?.duration ?? 0;
    const tick = () => {
      if (analysis.source.kind === 'image') setTime(duration ? ((performance.now() - started) / 1000) % duration : 0);
      else if (media.current) setTime(media.current.currentTime);
      frame = requestAnimationFrame(tick);
    };
    tick();
    return () => cancelAnimationFrame(frame);
  }, [media, analysis.source, analysis.info]);
  return time;
}

function Results({ analysis }: { analysis: Analysis }) {
  const media = useRef<HTMLVideoElement>(null);
  const image = useRef<HTMLImageElement>(null);
  const [playable, setPlayable] = useState(true);
  /** The class whose map shows; none: each clip's top one. */
  const [mapClass, setMapClass] = useState<number>();
  const time = usePlaybackTime(media, analysis);
  const { cancelAnalysis, mapClass: requestMap } = useStore.getState();
  const showModelLabels = useStore((s) => s.settings.showModelLabels);
  const duration = analysis.info?.duration ?? 0;
  const current = clipAt(analysis.results, time);
  /** Whose maps the overlay shows where two models are compared: the first's (0) or the second's (1). */
  const [mapModel, setMapModel] = useState<0 | 1>(0);
  const ofSecond = mapModel === 1 && !!analysis.compare;
  /** Each model's clip at the playhead: the first's, and the second's where two are compared. */
  const clipOf = (side: 0 | 1) => (side === 1 ? (analysis.compare ? clipAt(analysis.compare.results, time) : undefined) : current);
  // The clip whose maps show: the first model's at the playhead, or the second's.
  const mapped = clipOf(ofSecond ? 1 : 0);
  const mapClasses = mapped?.maps?.classes.map((index) => ({ index, label: analysis.classNames[index] ?? `class ${index}` }));
  const chosen = mapClass ?? mapped?.maps?.classes[0] ?? 0;
  const mapView = useStore((s) => s.settings.mapView);
  /** A model's map of a class in its clip at the playhead: among the clip's own, else one made for it on demand. */
  const mapOf = (side: 0 | 1, classIndex: number) => {
    const clip = clipOf(side);
    const slot = clip?.maps?.classes.indexOf(classIndex) ?? -1;
    if (slot >= 0) return { maps: clip!.maps!, slot };
    const extra = clip && analysis.extraMaps.find((m) => sameMap(m, { start: clip.start, classIndex, partner: side === 1 }));
    return extra && { maps: extra.maps, slot: 0 };
  };
  // The maps wanted now: the overlay's, and each model's where a class is chosen beside a comparison.
  const focus = analysis.compare && mapClass !== undefined;
  const wanted: MapKey[] = ([...new Set<0 | 1>(focus ? [ofSecond ? 1 : 0, 0, 1] : [ofSecond ? 1 : 0])])
    .flatMap((side) => {
      const clip = clipOf(side);
      return clip?.maps ? [{ start: clip.start, classIndex: chosen, ...(side === 1 ? { partner: true } : {}), end: clip.end }] : [];
    });
  const failed = (key: MapKey) => !!analysis.mapError && sameMap(analysis.mapError, key);
  const missing = mapView === 'off' ? undefined : wanted.find((k) => !mapOf(k.partner ? 1 : 0, k.classIndex) && !failed(k)) as (MapKey & { end: number }) | undefined;
  useEffect(() => {
    if (missing && !analysis.mapping) requestMap({ start: missing.start, end: missing.end }, missing.classIndex, !!missing.partner);
  }, [missing?.start, missing?.classIndex, missing?.partner, analysis.mapping, requestMap]);
  const overlayKey = wanted[0];
  const mapStatus = analysis.mapping
    ? `Mapping ${analysis.classNames[analysis.mapping.classIndex]} for ${analysis.mapping.partner ? `${analysis.compare?.model}'s` : 'the'} clip at ${analysis.mapping.start.toFixed(1)} s…`
    : overlayKey && failed(overlayKey) ? analysis.mapError!.message : undefined;
  const { segments, vtt, vttUrl } = useSegments(analysis);
  const seek = (t: number) => {
    if (media.current) media.current.currentTime = t;
  };
  /** A model's map of a class as drawn at this moment of playback. */
  const shownOf = (side: 0 | 1, classIndex: number) => {
    const clip = clipOf(side);
    const m = mapOf(side, classIndex);
    return clip && m && { ...m, inputSize: analysis.inputSize, phase: Math.min(1, Math.max(0, (time - clip.start) / (clip.end - clip.start || 1))) };
  };
  const shown = shownOf(ofSecond ? 1 : 0, chosen);
  const inClip = mapped?.maps?.classes.indexOf(chosen) ?? -1;
  const record = () =>
    exportRecord({ file: analysis.source.name, model: analysis.model, inputSize: analysis.inputSize, stride: analysis.stride, views: analysis.views, duration }, analysis.results);
  const base = analysis.source.name.replace(/\.[^.]*$/, '');
  return (
    <div className="results" data-testid="results" data-status={analysis.status}>
      <div className="player">
        <div className="media">
          {analysis.source.kind === 'image' ? (
            <img ref={image} src={analysis.source.url} alt={analysis.source.name} />
          ) : (
            <video ref={media} src={analysis.source.url} controls muted loop playsInline onError={() => setPlayable(false)}>
              {/* The segments as subtitles: the player shows the action under way. */}
              {vttUrl && segments.length > 0 && <track key={vttUrl} kind="subtitles" srcLang="en" label="Actions" src={vttUrl} default />}
            </video>
          )}
          <ClassMapOverlay media={analysis.source.kind === 'image' ? image : media} shown={shown} />
        </div>
        {analysis.engine === 'wasm' ? (
          <MapsNeedWebGpu />
        ) : (
          <>
            {analysis.compare && (
              <label className="row">
                Map of{' '}
                <select value={mapModel} onChange={(e) => setMapModel(e.target.value === '1' ? 1 : 0)} data-testid="map-model">
                  <option value={0}>{analysis.model}</option>
                  <option value={1}>{analysis.compare.model}</option>
                </select>
              </label>
            )}
            <ClassMapControls classes={mapClasses} slot={Math.max(0, inClip)} onSlot={(i) => setMapClass(mapClasses?.[i]?.index)}
              anyClass={mapped?.maps ? { names: analysis.classNames, chosen, onChoose: setMapClass, status: mapStatus } : undefined} />
          </>
        )}
        {!playable && <p className="notice">This browser cannot play the file back, but its frames were decoded and classified.</p>}
        {analysis.info?.container === 'element' && (
          <p className="notice" data-testid="via-player">
            WebCodecs cannot decode this file here, so its frames come from the browser's own player, one seek per frame (slower).
          </p>
        )}
        <p className="detail" data-testid="video-details">
          {analysis.source.name} · {analysis.info && `${analysis.info.width}×${analysis.info.height}${turnNote(analysis.info.orientation)}, ${analysis.info.codec}, ${duration.toFixed(2)} s`}
          <span data-testid="analysis-engine" data-engine={analysis.engine}> · {analysis.engine === 'wasm' ? 'on the CPU engine (WebAssembly)' : 'on WebGPU'}</span>
        </p>
      </div>
      <div className="labels">
        <TopLabels
          labels={current?.top}
          caption={current ? `Clip ${current.start.toFixed(1)}–${current.end.toFixed(1)} s` : analysis.status === 'running' ? 'Classifying the first clip…' : 'No clips'}
        />
        {showModelLabels && current?.baseTop && <TopLabels labels={current.baseTop} caption="The model's own labels" />}
        {analysis.status === 'running' && (
          <div className="progress" data-testid="progress">
            <progress max={analysis.clips || 1} value={analysis.clipsDone} /> {analysis.clipsDone} of {analysis.clips || '?'} clips{' '}
            <button type="button" onClick={cancelAnalysis}>
              Cancel
            </button>
          </div>
        )}
        {analysis.status === 'cancelled' && <p className="notice">Analysis stopped after {analysis.results.length} clips.</p>}
        {analysis.notices.map((n) => (
          <p key={n} className="notice" role="status" data-testid="analysis-notice">
            {n}
          </p>
        ))}
        <div className="row">
          <button type="button" disabled={!analysis.results.length} onClick={() => download(`${base}.labels.json`, 'application/json', toJson(record()))}>
            Export JSON
          </button>
          <button type="button" disabled={!analysis.results.length} onClick={() => download(`${base}.labels.csv`, 'text/csv', toCsv(record()))}>
            Export CSV
          </button>
        </div>
      </div>
      <Timeline clips={analysis.results} duration={duration} time={time} onSeek={seek} />
      <Segments analysis={analysis} segments={segments} vtt={vtt} onSeek={seek} download={download} />
      {analysis.compare && (
        <Compare analysis={analysis} time={time} onSeek={seek} onChooseClass={setMapClass}
          focus={focus ? { classIndex: chosen, media: analysis.source.kind === 'image' ? image : media, shown: [shownOf(0, chosen), shownOf(1, chosen)], status: mapStatus } : undefined} />
      )}
    </div>
  );
}

/** Picks a folder of videos for the queue: the browser's folder picker where it has one, else a folder input. */
function FolderButton() {
  const { addToQueue } = useStore.getState();
  const [error, setError] = useState<string>();
  const picker = 'showDirectoryPicker' in window;
  return (
    <>
      {picker ? (
        <button type="button" data-testid="folder-picker" onClick={() => {
          setError(undefined);
          pickFolder().then((videos) => videos && addToQueue(videos), (e: Error) => setError(`The folder could not be read: ${e.message}`));
        }}>
          choose a folder…
        </button>
      ) : (
        <FileButton label="choose a folder…" accept="" directory testId="folder-input" multiple onFiles={(files) => addToQueue(videosOfFolderInput(files))} />
      )}
      {error && <span className="error" role="alert">{error}</span>}
    </>
  );
}

/** Drop or pick a video; it plays with the labels of the clip at the playhead and a timeline of the whole file. */
export function VideoPanel({ queue = true }: { /** Several files and folders go into a queue (the widget takes one at a time). */ queue?: boolean }) {
  const analysis = useStore((s) => s.analysis);
  const pending = useStore((s) => s.pending);
  const videoError = useStore((s) => s.videoError);
  const weightsReady = useStore((s) => s.weights.status === 'ready');
  const onCpu = useStore(runsOnCpu);
  const settings = useStore((s) => s.settings);
  const { openVideo, setSettings, addToQueue } = useStore.getState();
  return (
    <section className="panel video-panel" aria-label="Classify a video file">
      <div className="drop-zone" data-testid="drop-zone">
        <p>
          <strong>Drop a video here</strong> (MP4, WebM, MOV, MKV or animated GIF), or{' '}
          {queue ? (
            <>
              <FileButton label="choose files…" accept={VIDEO_TYPES} testId="video-input" multiple
                onFiles={(files) => (files.length === 1 ? openVideo(files[0], files[0].name) : addToQueue(files.map((file) => ({ file, path: file.name }))))} />{' '}
              or <FolderButton />
            </>
          ) : (
            <FileButton label="choose a file…" accept={VIDEO_TYPES} testId="video-input" onFile={(f) => openVideo(f, f.name)} />
          )}
        </p>
        {queue && <p className="detail">Several files or a folder go into a queue, analysed one after another; a single file opens at once.</p>}
        <p className="detail">
          {weightsReady
            ? `Every clip of about 2 s is classified, one clip start per stride, ${onCpu ? 'on the CPU engine (WebAssembly)' : 'on your GPU'}; nothing is uploaded.`
            : 'Weights are needed first: see the model panel above (you can drop a .pyth or .safetensors checkpoint here too).'}
        </p>
        <div className="row">
          <label>
            Clip stride{' '}
            <select value={settings.stride} onChange={(e) => setSettings({ stride: Number(e.target.value) })} data-testid="stride" disabled={settings.protocol === 'paper'}>
              {[0.5, 1, 2, 4].map((s) => (
                <option key={s} value={s}>
                  {s} s
                </option>
              ))}
            </select>
          </label>
          <label>
            <input type="checkbox" checked={settings.views === 3 || settings.protocol === 'paper'} disabled={settings.protocol === 'paper'}
              onChange={(e) => setSettings({ views: e.target.checked ? 3 : 1 })} /> 3 crops per clip (the paper's testing; 3× slower)
          </label>
          <label>
            <input type="checkbox" checked={settings.protocol === 'paper'} data-testid="paper-protocol"
              onChange={(e) => setSettings({ protocol: e.target.checked ? 'paper' : 'stride' })} /> the paper's protocol for the whole
            video: 10 clips evenly spaced × 3 crops, averaged
          </label>
        </div>
      </div>
      {pending && <p className="detail" data-testid="opening">Opening {pending.source.name}…</p>}
      {videoError && (
        <p className="error" role="alert" data-testid="video-error">
          {videoError}
        </p>
      )}
      {queue && <QueuePanel />}
      {analysis && <Results key={analysis.id} analysis={analysis} />}
    </section>
  );
}

/** How the file turns its stored frames (a phone's portrait video): the model sees them turned so, as the player shows them. */
function turnNote(o: Orientation | undefined): string {
  if (!o || isUpright(o)) return '';
  const how = [o.rotation ? `turned ${o.rotation}°` : '', o.flip ? 'mirrored' : ''].filter(Boolean).join(' and ');
  return ` (frames ${how} as the file says)`;
}
