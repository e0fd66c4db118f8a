import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { useStore } from './store.ts';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
useStore.getState().start();
// The queue of the last visit (its finished files' results are kept; the rest wait to be chosen again).
void useStore.getState().startQueue();
