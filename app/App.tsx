import { useState } from 'react';
import { GpuStatus } from './components/GpuStatus.tsx';
import { ModelPanel } from './components/ModelPanel.tsx';
import { PerfPanel } from './components/PerfPanel.tsx';
import { TeachPanel } from './components/TeachPanel.tsx';
import { VideoPanel } from './components/VideoPanel.tsx';
import { WebcamPanel } from './components/WebcamPanel.tsx';
import { useStore } from './store.ts';

type View = 'video' | 'webcam' | 'teach';

export function App() {
  // While a lost device is being replaced, what is on screen stays.
  const gpuReady = useStore((s) => s.gpu.status === 'ready' || s.gpu.status === 'lost');
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
        const files = [...e.dataTransfer.files];
        if (files.length) {
          if (files.some((f) => !/\.(pyth|pth|pt|ckpt|safetensors)$/i.test(f.name))) setView('video');
          useStore.getState().dropFiles(files);
        }
      }}
    >
      <header>
        <h1>slowfast-web</h1>
        <p className="tagline">
          Recognise actions in video with SlowFast (Kinetics-400, 400 everyday actions), running on your own GPU through WebGPU. Nothing leaves your
          machine.
        </p>
        <GpuStatus />
        {engineError && (
          <p className="error" role="alert">
            {engineError}
          </p>
        )}
      </header>
      {gpuReady && (
        <>
          <ModelPanel />
          <nav className="tabs" role="tablist">
            <button type="button" role="tab" aria-selected={view === 'video'} onClick={() => setView('video')}>
              Video file
            </button>
            <button type="button" role="tab" aria-selected={view === 'webcam'} onClick={() => setView('webcam')}>
              Webcam
            </button>
            <button type="button" role="tab" aria-selected={view === 'teach'} onClick={() => setView('teach')}>
              Teach
            </button>
          </nav>
          {view === 'video' ? <VideoPanel /> : view === 'webcam' ? <WebcamPanel /> : <TeachPanel />}
          <PerfPanel />
        </>
      )}
    </main>
  );
}
