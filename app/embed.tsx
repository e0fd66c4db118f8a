import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { GpuStatus } from './GpuStatus.tsx';
import { useStore } from './store.ts';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <GpuStatus />
  </StrictMode>,
);
void useStore.getState().detectGpu();
