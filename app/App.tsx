import { useState } from 'react';
import { GpuStatus } from './components/GpuStatus.tsx';
import { ModelPanel } from './components/ModelPanel.tsx';
import { PerfPanel } from './components/PerfPanel.tsx';
import { StatusAnnouncer } from './components/StatusAnnouncer.tsx';
import { TeachPanel } from './components/TeachPanel.tsx';
import { VideoPanel } from './components/VideoPanel.tsx';
import { WebcamPanel } from './components/WebcamPanel.tsx';
import { videosOfDrop } from './queue/folder.ts';
import { isLabelFile, isWeightFile, useStore } from './store.ts';

type View = 'video' | 'webcam' | 'teach';
const VIEWS: [View, string][] = [['video', 'Video file'], ['webcam', 'Webcam'], ['teach', 'Teach']];

export function App() {
  // While a lost device is being replaced, what is on screen stays.
  const gpuReady = useStore((s) => s.gpu.status === 'ready' || s.gpu.status === 'lost' || s.gpu.status === 'cpu');
  const engineError = useStore((s) => s.engineError);
  const [view, setView] = useState<View>('video');
  const [dragging, setDragging] = useState(false);
  return (
    <main
      className={dragging ? 'dragging' : undefined}
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        // Folders, or several videos, go into the queue; weights, labels and a single video as before.
        void videosOfDrop(e.dataTransfer.items).then(({ folderVideos, files, folders }) => {
          const { dropFiles, addToQueue } = useStore.getState();
          const videos = files.filter((f) => !isWeightFile(f.name) && !isLabelFile(f.name));
          if (folders || videos.length) setView('video');
          // Only folders, none with a video in it: the queue says so.
          if (folders && !folderVideos.length && !files.length) return addToQueue([]);
          if (!folderVideos.length && videos.length <= 1) return dropFiles(files);
          dropFiles(files.filter((f) => !videos.includes(f)));
          addToQueue([...folderVideos, ...videos.map((file) => ({ file, path: file.name }))]);
        });
      }}
    >
      <header>
        <h1>slowfast-web</h1>
        <p className="tagline">
          Recognise actions in video with SlowFast (Kinetics-400, 400 everyday actions), running on your own GPU through WebGPU, or on the CPU
          where WebGPU is missing. Nothing leaves your machine.
        </p>
        <GpuStatus />
        <StatusAnnouncer />
        {engineError && (
          <p className="error" role="alert">
            {engineError}
          </p>
        )}
      </header>
      {gpuReady && (
        <>
          <ModelPanel />
          <nav className="tabs" role="tablist" aria-label="What to classify">
            {VIEWS.map(([key, title], i) => (
              <button
                key={key}
                type="button"
                role="tab"
                id={`tab-${key}`}
                aria-controls="view-panel"
                aria-selected={view === key}
                tabIndex={view === key ? 0 : -1}
                onClick={() => setView(key)}
                onKeyDown={(e) => {
                  // Arrow keys move between the tabs (and select them), as the ARIA tabs pattern has it.
                  const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
                  const to = e.key === 'Home' ? 0 : e.key === 'End' ? VIEWS.length - 1 : step ? (i + step + VIEWS.length) % VIEWS.length : -1;
                  if (to < 0) return;
                  e.preventDefault();
                  setView(VIEWS[to][0]);
                  document.getElementById(`tab-${VIEWS[to][0]}`)?.focus();
                }}
              >
                {title}
              </button>
            ))}
          </nav>
          <div role="tabpanel" id="view-panel" aria-labelledby={`tab-${view}`}>
            {view === 'video' ? <VideoPanel /> : view === 'webcam' ? <WebcamPanel /> : <TeachPanel />}
          </div>
          <PerfPanel />
        </>
      )}
    </main>
  );
}
