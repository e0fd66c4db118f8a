import { GpuStatus } from './GpuStatus.tsx';

export function App() {
  return (
    <main>
      <header>
        <h1>slowfast-web</h1>
        <p className="tagline">
          Recognise actions in video with SlowFast (Kinetics-400), running on your own GPU through WebGPU. Nothing
          leaves your machine.
        </p>
        <GpuStatus />
      </header>
    </main>
  );
}
