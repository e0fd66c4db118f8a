// The page's one store, in zustand slices: the engine (GPU, cache, tiles, performance, settings), the model, the
// video on screen, the webcam, teaching and the queue. Components read slices; only the slices' actions talk to
// the engine, through the package's client (store/connection.ts), and its events reach them through one table
// (store/events.ts).
import { create } from 'zustand';
import { EventRouter } from './store/events.ts';
import { engineSlice, type EngineSlice } from './store/engineSlice.ts';
import { modelSlice, type ModelSlice } from './store/modelSlice.ts';
import { videoSlice, type VideoSlice } from './store/videoSlice.ts';
import { webcamSlice, type WebcamSlice } from './store/webcamSlice.ts';
import { teachSlice, type TeachSlice } from './teach/slice.ts';
import { queueSlice, type QueueSlice } from './queue/slice.ts';

export type { GpuState } from './engine/library.ts';
export type { Settings } from './store/settings.ts';
export type { Analysis, Pending, VideoSource } from './store/videoSlice.ts';
export type { WebcamState } from './store/webcamSlice.ts';
export { isLabelFile, isWeightFile } from './store/modelSlice.ts';

export type StoreState = EngineSlice & ModelSlice & VideoSlice & WebcamSlice & TeachSlice & QueueSlice;

/** Whether video files (and the webcam, and teaching) run on the CPU engine: no adapter, or that engine chosen. */
export const runsOnCpu = (s: Pick<StoreState, 'gpu' | 'settings'>) => s.gpu.status === 'cpu' || (s.gpu.status === 'ready' && s.settings.engine === 'wasm');

// The slices register their event handlers in this order: the engine's and the model's first, so teaching and
// the queue act on state that already reflects the event.
const router = new EventRouter();

export const useStore = create<StoreState>()((...a) => ({
  ...engineSlice(router)(...a),
  ...modelSlice(router)(...a),
  ...videoSlice(router)(...a),
  ...webcamSlice(router)(...a),
  ...teachSlice(router)(...a),
  ...queueSlice(router)(...a),
}));
