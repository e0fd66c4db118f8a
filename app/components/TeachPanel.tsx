import { KEPT_BACKEND_NAMES } from '../storage/keptFolder.ts';
import { useEffect, useRef, useState } from 'react';
import type { CurvePoint } from '../../model/head/train.ts';
import { useStore } from '../store.ts';
import type { TeachClass, Take } from '../teach/project.ts';
import { download } from './download.ts';
import { FileButton, VIDEO_TYPES } from './FileButton.tsx';
import { TopLabels } from './TopLabels.tsx';

const TAKE_SECONDS = [2, 4, 6, 10];

/** Training loss over epochs (left scale), and held-out accuracy where there is a held-out set (0–100 %). */
function LossCurve({ curve }: { curve: readonly CurvePoint[] }) {
  const W = 320;
  const H = 120;
  if (curve.length < 2) return null;
  const last = curve.at(-1)!.epoch || 1;
  const top = Math.max(...curve.map((p) => p.loss)) || 1;
  const x = (e: number) => (e / last) * (W - 8) + 4;
  const loss = curve.map((p) => `${x(p.epoch).toFixed(1)},${(H - 4 - (p.loss / top) * (H - 8)).toFixed(1)}`).join(' ');
  const held = curve.filter((p) => p.heldOutAccuracy !== undefined);
  const accuracy = held.map((p) => `${x(p.epoch).toFixed(1)},${(H - 4 - p.heldOutAccuracy! * (H - 8)).toFixed(1)}`).join(' ');
  return (
    <figure className="loss-curve">
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={`Training loss from ${curve[0].loss.toFixed(3)} to ${curve.at(-1)!.loss.toFixed(3)} over ${last} epochs`} data-testid="loss-curve" data-points={curve.length}>
        <rect x="0" y="0" width={W} height={H} className="frame" />
        <polyline points={loss} className="loss" />
        {held.length > 1 && <polyline points={accuracy} className="accuracy" />}
      </svg>
      <figcaption>
        <span className="swatch loss" /> training loss (solid){held.length > 1 && <><span className="swatch accuracy" /> held-out accuracy (dashed, 0–100 %)</>}
      </figcaption>
    </figure>
  );
}

function TakeCard({ take, index, className }: { take: Take; index: number; className: string }) {
  return (
    <li className="take" data-testid="take" data-source={take.source} data-clips={take.features.length}>
      {take.thumbnail ? <img src={take.thumbnail} alt={`${take.name} (${className})`} /> : <span className="no-thumbnail">{take.source === 'camera' ? '🎥' : '🎞'}</span>}
      <span className="take-name">{take.name}</span>
      <span className="detail">
        {take.seconds.toFixed(1)} s · {take.features.length} example{take.features.length === 1 ? '' : 's'}
      </span>
      <button type="button" className="small" aria-label={`Delete ${take.name} (take ${index + 1} of ${className})`} onClick={() => useStore.getState().deleteTake(take.id)}>
        Delete
      </button>
    </li>
  );
}

function ClassRow({ c, takes, cameraOn }: { c: TeachClass; takes: Take[]; cameraOn: boolean }) {
  const recording = useStore((s) => s.teach.recording);
  const reading = useStore((s) => s.teach.reading).filter((r) => r.classId === c.id);
  const [confirming, setConfirming] = useState(false);
  const [name, setName] = useState(c.name);
  const { recordTake, cancelTake, addTakeFiles, removeClass, renameClass } = useStore.getState();
  const mine = recording?.classId === c.id;
  const examples = takes.reduce((n, t) => n + t.features.length, 0);
  return (
    <li className="teach-class" data-testid="teach-class" data-name={c.name} data-takes={takes.length} data-examples={examples}>
      <div className="row">
        <input aria-label="Class name" value={name} onChange={(e) => setName(e.target.value)} onBlur={() => renameClass(c.id, name)} />
        <span className="detail">
          {takes.length} take{takes.length === 1 ? '' : 's'} · {examples} example{examples === 1 ? '' : 's'}
        </span>
        {mine ? (
          <button type="button" onClick={cancelTake}>
            Cancel take
          </button>
        ) : (
          <button type="button" onClick={() => recordTake(c.id)} disabled={!cameraOn || !!recording}>
            Record a take
          </button>
        )}
        <FileButton label="Add video files…" accept={VIDEO_TYPES} testId={`teach-files-${c.name}`} multiple onFiles={(files) => addTakeFiles(c.id, files)} />
        {confirming ? (
          <>
            <button type="button" className="danger" onClick={() => removeClass(c.id)}>
              Remove "{c.name}" and its {takes.length} take{takes.length === 1 ? '' : 's'}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </>
        ) : (
          <button type="button" onClick={() => (takes.length ? setConfirming(true) : removeClass(c.id))}>
            Remove class
          </button>
        )}
      </div>
      {mine && <Countdown />}
      {reading.map((r) => (
        <p key={r.id} className="detail" data-testid="teach-reading">
          Reading the clips of {r.name}…
        </p>
      ))}
      <ul className="takes">
        {takes.map((t, i) => (
          <TakeCard key={t.id} take={t} index={i} className={c.name} />
        ))}
      </ul>
    </li>
  );
}

function Countdown() {
  const recording = useStore((s) => s.teach.recording);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 200);
    return () => clearInterval(t);
  }, []);
  if (!recording) return null;
  const left = Math.max(0, Math.ceil((recording.endsAt - now) / 1000));
  const text = recording.phase === 'countdown' ? `Get ready… ${left}` : recording.phase === 'recording' ? `Recording: ${left} s left` : 'Collecting the last clips…';
  return (
    <p className="countdown" data-testid="take-countdown" data-phase={recording.phase} aria-live="assertive">
      {text}
    </p>
  );
}

/** Teach your own actions: classes, takes from the camera or from files, training, and the head in use. */
export function TeachPanel() {
  const teach = useStore((s) => s.teach);
  const head = useStore((s) => s.head);
  const webcam = useStore((s) => s.webcam);
  const weightsReady = useStore((s) => s.weights.status === 'ready');
  const showModelLabels = useStore((s) => s.settings.showModelLabels);
  const analysis = useStore((s) => s.analysis);
  const store = useStore.getState();
  const preview = useRef<HTMLVideoElement>(null);
  const [newClass, setNewClass] = useState('');
  const [newProject, setNewProject] = useState('');
  /** The open project's name being edited, or undefined; and whether its deletion waits for a second click. */
  const [renaming, setRenaming] = useState<string>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [segment, setSegment] = useState({ start: 0, end: 2, classId: '' });
  useEffect(() => {
    void useStore.getState().startTeaching();
  }, []);
  useEffect(() => {
    if (preview.current) preview.current.srcObject = webcam.stream ?? null;
  }, [webcam.stream]);
  useEffect(() => () => useStore.getState().stopWebcam(), []);
  const { project } = teach;
  const curve = teach.training?.curve ?? teach.trained?.curve ?? [];
  const evaluation = teach.trained?.evaluation;
  const segmentClass = project.classes.find((c) => c.id === segment.classId) ?? project.classes[0];
  return (
    <section className="panel teach-panel" aria-label="Teach your own actions" data-testid="teach" data-storage={teach.storage}>
      <p className="detail">
        Name the actions you want, show each a few times to the camera (or give video files), and train: the network's features are kept, never your
        frames, and the new classes replace the model's own until you switch back.
      </p>
      {teach.storageNotice && (
        <p className="notice" data-testid="teach-storage">
          {teach.storageNotice}
        </p>
      )}
      {teach.storage === 'kept' && teach.keptIn && (
        <p className="detail" data-testid="teach-kept-in" data-storage={teach.keptIn}>
          Projects are kept in {KEPT_BACKEND_NAMES[teach.keptIn]}.
        </p>
      )}
      <div className="row">
        <label>
          Project{' '}
          <select value={project.name} onChange={(e) => void store.openProject(e.target.value)} data-testid="teach-project">
            {[...new Set([project.name, ...teach.projects])].map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void store.newProject(newProject).then(() => setNewProject(''));
          }}
        >
          <input aria-label="New project name" placeholder="New project" value={newProject} onChange={(e) => setNewProject(e.target.value)} />
          <button type="submit">New project</button>
        </form>
      </div>
      <div className="row" data-testid="teach-project-actions">
        {renaming === undefined ? (
          <button type="button" onClick={() => setRenaming(project.name)}>
            Rename project
          </button>
        ) : (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              // A refused name keeps the form open (the reason shows with the other teaching errors).
              void store.renameProject(renaming).then((renamed) => renamed && setRenaming(undefined));
            }}
          >
            <input aria-label="Project name" value={renaming} onChange={(e) => setRenaming(e.target.value)} autoFocus />
            <button type="submit">Save name</button>
            <button type="button" onClick={() => setRenaming(undefined)}>
              Cancel
            </button>
          </form>
        )}
        {confirmDelete ? (
          <span role="group" aria-label="Confirm deletion">
            Delete “{project.name}” and its {project.takes.length} {project.takes.length === 1 ? 'take' : 'takes'}?{' '}
            <button type="button" className="danger" onClick={() => void store.deleteProject().then(() => setConfirmDelete(false))}>
              Delete
            </button>{' '}
            <button type="button" onClick={() => setConfirmDelete(false)} autoFocus>
              Keep it
            </button>
          </span>
        ) : (
          <button type="button" onClick={() => setConfirmDelete(true)}>
            Delete project
          </button>
        )}
      </div>

      <div className="results">
        <div className="player">
          <div className="row">
            {webcam.status === 'off' ? (
              <button type="button" onClick={() => void store.startWebcam()} disabled={!weightsReady}>
                Start camera
              </button>
            ) : (
              <button type="button" onClick={store.stopWebcam}>
                Stop camera
              </button>
            )}
            <label>
              Take length{' '}
              <select value={teach.takeSeconds} onChange={(e) => store.setTakeSeconds(Number(e.target.value))} data-testid="take-seconds">
                {TAKE_SECONDS.map((s) => (
                  <option key={s} value={s}>
                    {s} s
                  </option>
                ))}
              </select>
            </label>
          </div>
          {webcam.error && (
            <p className="error" role="alert">
              {webcam.error}
            </p>
          )}
          <div className="media" hidden={!webcam.stream}>
            <video ref={preview} autoPlay muted playsInline />
          </div>
          {webcam.status === 'starting' && <p className="detail">Starting the camera: building the model and filling the first clip…</p>}
        </div>
        <div className="labels" data-testid="teach-live" data-head={head.status === 'ready' ? head.name : ''} data-updates={webcam.updates}>
          <TopLabels labels={webcam.labels} caption={head.status === 'ready' ? `Live, with "${head.name}"` : "Live, with the model's own classes"} />
          {showModelLabels && head.status === 'ready' && webcam.baseTop && <TopLabels labels={webcam.baseTop} caption="The model's own labels" />}
        </div>
      </div>

      <h2>Classes</h2>
      <ol className="teach-classes">
        {project.classes.map((c) => (
          <ClassRow key={c.id} c={c} takes={project.takes.filter((t) => t.classId === c.id)} cameraOn={webcam.status === 'on'} />
        ))}
      </ol>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          store.addClass(newClass);
          setNewClass('');
        }}
      >
        <input aria-label="New class name" placeholder={project.classes.length ? 'Another action' : 'An action, e.g. "squat"'} value={newClass} onChange={(e) => setNewClass(e.target.value)} />
        <button type="submit">Add class</button>
      </form>
      <label className="detail">
        <input type="checkbox" checked={teach.mirrorFiles} onChange={(e) => store.setMirrorFiles(e.target.checked)} data-testid="mirror-files" /> Video files and
        segments also give each clip mirrored left to right (more examples, for actions that mean the same mirrored; not for "swipe left" against "swipe right")
      </label>
      {analysis && project.classes.length > 0 && (
        <form
          className="row"
          data-testid="teach-segment"
          onSubmit={(e) => {
            e.preventDefault();
            if (segmentClass) void store.addSegment(segmentClass.id, segment.start, segment.end);
          }}
        >
          <span>From {analysis.source.name}:</span>
          <label>
            from <input type="number" min={0} step={0.1} value={segment.start} onChange={(e) => setSegment({ ...segment, start: Number(e.target.value) })} aria-label="Segment start (s)" /> s
          </label>
          <label>
            to <input type="number" min={0} step={0.1} value={segment.end} onChange={(e) => setSegment({ ...segment, end: Number(e.target.value) })} aria-label="Segment end (s)" /> s
          </label>
          <label>
            as{' '}
            <select value={segmentClass?.id} onChange={(e) => setSegment({ ...segment, classId: e.target.value })} aria-label="Segment class">
              {project.classes.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Add segment</button>
        </form>
      )}
      {teach.notice && (
        <p className="notice" role="status" data-testid="teach-notice">
          {teach.notice}
        </p>
      )}
      {teach.error && (
        <p className="error" role="alert" data-testid="teach-error">
          {teach.error}
        </p>
      )}

      <h2>Train</h2>
      <div className="row">
        <button type="button" onClick={store.train} disabled={!weightsReady || !!teach.training || teach.reading.length > 0}>
          {teach.training ? 'Training…' : 'Train'}
        </button>
        {teach.trained && (
          <span className="detail" data-testid="teach-trained" data-accuracy={evaluation?.accuracy ?? ''} data-method={evaluation?.method}>
            {evaluation?.accuracy !== undefined
              ? `${evaluation.method === 'k-fold' ? `${evaluation.folds}-fold` : 'Held-out'} accuracy ${(evaluation.accuracy * 100).toFixed(0)}% on ${evaluation.graded} unseen examples`
              : 'Too few takes to grade on unseen ones (two per class are needed)'}
            {` · ${teach.trained.examples} examples in ${(teach.trained.ms / 1000).toFixed(2)} s (${teach.trained.backend})`}
          </span>
        )}
      </div>
      <LossCurve curve={curve} />

      <h2>Head in use</h2>
      <p data-testid="head-state" data-status={head.status}>
        {head.status === 'ready' ? (
          <>
            Labelling with <strong>{head.name}</strong>: {head.classNames.join(', ')}
          </>
        ) : (
          "Labelling with the model's own classes."
        )}
      </p>
      <div className="row">
        <button
          type="button"
          disabled={head.status !== 'ready'}
          onClick={() => {
            const file = store.headFile();
            if (file) download(`${project.name.replace(/[^\w.-]+/g, '-')}.head.safetensors`, file);
          }}
        >
          Save head
        </button>
        <FileButton label="Load head file…" accept=".safetensors" testId="head-input" onFile={(f) => store.loadHead(f, f.name)} />
        <button type="button" disabled={head.status !== 'ready'} onClick={store.useModelClasses}>
          Use the model's own classes
        </button>
      </div>
    </section>
  );
}
