// The embeddable widget (/embed.html): a compact player or webcam view with live labels, driven by a host
// page through the postMessage API of embed/api.ts. It talks only to the origins listed in `origins`.
import { StrictMode, useState, type DragEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { GpuStatus } from './components/GpuStatus.tsx';
import { StatusAnnouncer } from './components/StatusAnnouncer.tsx';
import { VideoPanel } from './components/VideoPanel.tsx';
import { WebcamPanel } from './components/WebcamPanel.tsx';
import { fetchHostUrl, parseCommand, parseOrigins, sourceName, type EmbedCommand, type EmbedEventBody } from './embed/api.ts';
import type { ModelKey } from './engine/library.ts';
import { isLabelFile, isWeightFile, useStore, type StoreState } from './store.ts';
import { analysisComparison, verdictOf } from './results.ts';
import { DEFAULT_TOP_K, type ClassMaps } from '../model/classifier.ts';
import { cpuEngineName } from '../model/onnx/wasmThreads.ts';
import { segmentsOf } from '../model/segments.ts';

const query = new URLSearchParams(location.search);
const view = query.get('view') === 'camera' ? 'camera' : 'video';
const { origins, rejected } = parseOrigins(query.get('origins'));
const embedded = window.parent !== window;
/** Opt-in: class activation maps after each clip's labels. */
const camEvents = ['1', 'true'].includes(query.get('cam') ?? '');

function post(event: EmbedEventBody) {
  if (!embedded) return;
  // One postMessage per listed origin: the browser delivers it only if the parent is at that origin.
  for (const origin of origins) window.parent.postMessage({ source: 'slowfast-web', ...event }, origin);
}

/**
 * What the widget makes of files dropped on it: weights and label files load; the first video opens (a widget
 * shows one video: the rest are left out, and it says so). Returns what to tell the user, if anything.
 */
function dropOnWidget(files: readonly File[]): string | undefined {
  const { dropFiles, openVideo } = useStore.getState();
  const videos = files.filter((f) => !isWeightFile(f.name) && !isLabelFile(f.name));
  dropFiles(files.filter((f) => !videos.includes(f)));
  if (!videos.length) return undefined;
  if (view === 'camera') return `This widget shows the camera: ${videos.length === 1 ? videos[0].name : `${videos.length} videos`} not classified here.`;
  openVideo(videos[0], videos[0].name);
  const rest = videos.length - 1;
  return rest ? `The widget classifies one video at a time: ${videos[0].name} opened, ${rest} other ${rest === 1 ? 'video' : 'videos'} left out.` : undefined;
}

function Widget() {
  // While a lost device is being replaced, what is on screen stays.
  const gpuReady = useStore((s) => s.gpu.status === 'ready' || s.gpu.status === 'lost' || s.gpu.status === 'cpu');
  const weights = useStore((s) => s.weights);
  const [dragging, setDragging] = useState(false);
  const [dropNote, setDropNote] = useState<string>();
  // Without these the browser would open a dropped file in place of the widget.
  const onDragOver = (e: DragEvent) => {
    e.preventDefault();
    setDragging(true);
  };
  const onDragLeave = (e: DragEvent) => {
    if (e.currentTarget === e.target) setDragging(false);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    setDropNote(dropOnWidget([...e.dataTransfer.files]));
  };
  return (
    <main className={dragging ? 'widget dragging' : 'widget'} onDragOver={onDragOver} onDragLeave={onDragLeave} onDrop={onDrop}>
      <GpuStatus />
      <StatusAnnouncer />
      {embedded && origins.length === 0 && (
        <p className="notice" role="status" data-testid="no-origins">
          No host origin is listed in this widget's <code>origins</code> parameter, so it accepts no commands and posts no events.
        </p>
      )}
      {rejected.length > 0 && (
        <p className="error" role="alert">
          Ignored origins (only exact http(s) origins are allowed): {rejected.join(', ')}
        </p>
      )}
      {gpuReady && weights.status !== 'ready' && (
        <p className="notice" data-testid="weights-state">
          {weights.status === 'loading' ? `Loading ${weights.name}…` : weights.status === 'missing' || weights.status === 'error' ? weights.message : 'Looking for weights…'}
        </p>
      )}
      {dropNote && (
        <p className="notice" role="status" data-testid="drop-note">
          {dropNote}
        </p>
      )}
      {gpuReady && (view === 'camera' ? <WebcamPanel /> : <VideoPanel queue={false} />)}
    </main>
  );
}

async function run(command: EmbedCommand) {
  const store = useStore.getState();
  switch (command.type) {
    case 'classify': {
      const name = sourceName(command.video, command.name, 'video');
      const file = typeof command.video === 'string' ? await fetchHostUrl(command.video) : command.video;
      return store.openVideo(file, name);
    }
    case 'loadWeights': {
      const name = sourceName(command.weights, command.name, 'weights');
      const file = typeof command.weights === 'string' ? await fetchHostUrl(command.weights) : command.weights;
      return store.loadWeightsFile(file, name);
    }
    case 'loadLabels': {
      const name = Array.isArray(command.labels) ? command.name ?? 'labels' : sourceName(command.labels, command.name, 'labels');
      const file = Array.isArray(command.labels)
        ? new Blob([JSON.stringify(command.labels)], { type: 'application/json' })
        : typeof command.labels === 'string' ? await fetchHostUrl(command.labels) : command.labels;
      return store.loadLabels(file, name);
    }
    case 'loadHead': {
      if (command.head === null) return store.useModelClasses();
      const name = sourceName(command.head, command.name, 'head');
      const file = typeof command.head === 'string' ? await fetchHostUrl(command.head) : command.head;
      return store.loadHead(file, name);
    }
    case 'compare': {
      if ('model' in command) return store.loadPartnerModel(command.model);
      if (command.weights === null) return store.dropPartner();
      const name = sourceName(command.weights, command.name, 'weights');
      const file = typeof command.weights === 'string' ? await fetchHostUrl(command.weights) : command.weights;
      return store.loadPartner(file, name);
    }
    case 'cancel':
      return store.cancelAnalysis();
    case 'startCamera':
      return store.startWebcam();
    case 'stopCamera':
      return store.stopWebcam();
  }
}

window.addEventListener('message', (e: MessageEvent) => {
  // Only the embedding page, and only from an origin the embedder listed.
  if (e.source !== window.parent || !origins.includes(e.origin)) return;
  const command = parseCommand(e.data);
  if ('error' in command) return post({ type: 'error', scope: 'command', message: command.error });
  const scope = command.type === 'loadWeights' ? 'weights' : command.type === 'loadLabels' ? 'labels' : command.type === 'loadHead' ? 'head' : command.type === 'compare' ? 'compare' : 'video';
  run(command).catch((err: Error) => post({ type: 'error', scope, message: err.message }));
});

let readySent = false;
/** The loadId of the model the host last heard of. */
let announced: number | undefined;

/** A clip's maps as the API carries them: each pathway's (classes, T, H, W) block, and the classes named. */
function camOf(maps: ClassMaps, names: readonly string[]) {
  const block = (data: Float32Array, shape: readonly number[]) => ({ shape: [maps.classes.length, ...shape], data });
  return {
    classes: maps.classes.map((index) => ({ index, label: names[index] ?? `class ${index}` })),
    slow: block(maps.slow, maps.slowShape),
    ...(maps.fast && maps.fastShape ? { fast: block(maps.fast, maps.fastShape) } : {}),
  };
}

/** Turns store changes into the API's events. */
function forward(s: StoreState, prev: StoreState) {
  if (s.gpu !== prev.gpu && (s.gpu.status === 'unavailable' || s.gpu.status === 'lost')) post({ type: 'error', scope: 'gpu', message: s.gpu.message });
  // 'ready' once, when an engine is up (WebGPU, or the CPU one) and the first look for weights has ended; later
  // loads are 'weights'.
  if (!readySent) {
    if ((s.gpu.status === 'ready' || s.gpu.status === 'cpu') && s.weights.status !== 'none' && s.weights.status !== 'loading') {
      readySent = true;
      if (s.weights.status === 'ready') announced = s.weights.model.loadId;
      post({
        type: 'ready', version: 1, engine: s.gpu.status === 'cpu' ? 'wasm' : 'webgpu', adapter: s.gpu.status === 'cpu' ? cpuEngineName() : s.gpu.adapter.description,
        // What the widget's videos run in: f16 where the GPU has shader-f16 (its precision setting is auto), else f32.
        precision: s.gpu.status === 'ready' && s.settings.precision !== 'f32' && s.gpu.features.includes('shader-f16') ? 'f16' : 'f32',
        weights: s.weights.status === 'ready' ? s.weights.model.name : null,
      });
    }
  } else if (s.weights !== prev.weights && s.weights.status === 'ready' && s.weights.model.loadId !== announced) {
    announced = s.weights.model.loadId;
    post({ type: 'weights', name: s.weights.model.name });
  }
  if (s.weights !== prev.weights && s.weights.status === 'ready' && s.weights.model.labelsName &&
    (prev.weights.status !== 'ready' || prev.weights.model.labelsName !== s.weights.model.labelsName || prev.weights.model.loadId !== s.weights.model.loadId)) {
    post({ type: 'labelsLoaded', name: s.weights.model.labelsName, classes: s.weights.model.config.numClasses });
  }
  if (s.head !== prev.head) {
    const own = s.weights.status === 'ready' ? s.weights.model.classNames : [];
    post(s.head.status === 'ready' ? { type: 'head', name: s.head.name, classes: s.head.classNames } : { type: 'head', name: null, classes: own });
  }
  if (s.headError && s.headError !== prev.headError) post({ type: 'error', scope: 'head', message: s.headError });
  if (s.partner !== prev.partner && (s.partner.status === 'ready' || (s.partner.status === 'none' && prev.partner.status === 'ready'))) {
    post({ type: 'compare', name: s.partner.status === 'ready' ? s.partner.model.name : null });
  }
  if (s.partnerError && s.partnerError !== prev.partnerError) post({ type: 'error', scope: 'compare', message: s.partnerError });
  if (s.weightsError && s.weightsError !== prev.weightsError) post({ type: 'error', scope: 'weights', message: s.weightsError });
  if (s.labelsError && s.labelsError !== prev.labelsError) post({ type: 'error', scope: 'labels', message: s.labelsError });
  if (s.videoError && s.videoError !== prev.videoError) post({ type: 'error', scope: 'video', message: s.videoError });
  if (s.webcam.error && s.webcam.error !== prev.webcam.error) post({ type: 'error', scope: 'camera', message: s.webcam.error });
  const a = s.analysis;
  const p = prev.analysis?.id === a?.id ? prev.analysis : undefined;
  if (a) {
    if (a.clipsDone !== p?.clipsDone && a.clips) post({ type: 'progress', clipsDone: a.clipsDone, clips: a.clips });
    for (const c of a.results.slice(p?.results.length ?? 0)) {
      post({ type: 'labels', mode: 'video', start: c.start, end: c.end, top: c.top });
      if (camEvents && c.maps) post({ type: 'cam', mode: 'video', start: c.start, end: c.end, ...camOf(c.maps, a.classNames) });
    }
    if (a.compare) for (const c of a.compare.results.slice(p?.compare?.results.length ?? 0)) post({ type: 'compareLabels', start: c.start, end: c.end, top: c.top });
    for (const message of a.notices.slice(p?.notices.length ?? 0)) post({ type: 'notice', message });
    if (a.status === 'done' && p?.status !== 'done') {
      post({ type: 'done', clips: a.results.length });
      const thresholds = s.settings.segments;
      const segments = segmentsOf(a.results, a.classNames, thresholds).map(({ index, label, start, end, peak, mean }) => ({ index, label, start, end, peak, mean }));
      post({ type: 'segments', verdict: verdictOf(a.results, a.classNames, a.multiLabel, DEFAULT_TOP_K), segments, thresholds });
      if (a.compare) {
        const record = analysisComparison({ ...a, compare: a.compare });
        post({ type: 'comparison', models: record.models.map((m) => ({ name: m.model, verdict: m.verdict })), gainsOf: record.gainsOf, gains: record.gains.slice(0, DEFAULT_TOP_K) });
      }
    }
  }
  if (s.webcam.updates > prev.webcam.updates && s.webcam.labels) {
    const time = performance.now() / 1000;
    post({ type: 'labels', mode: 'camera', time, top: s.webcam.labels });
    const names = s.head.status === 'ready' ? s.head.classNames : s.weights.status === 'ready' ? s.weights.model.classNames : undefined;
    if (camEvents && s.webcam.maps && names) post({ type: 'cam', mode: 'camera', time, ...camOf(s.webcam.maps, names) });
  }
}

const model = query.get('model');
const size = Number(query.get('size'));
useStore.getState().setSettings({ ...(model ? { model: model as ModelKey } : {}), ...(size ? { inputSize: size } : {}) });
useStore.subscribe(forward);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Widget />
  </StrictMode>,
);
useStore.getState().start();
