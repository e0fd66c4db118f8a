// The camera on the page: starting it (the browser asks for permission), its live labels and maps, the rate they
// come at, and why it stopped when it did.
import type { StateCreator } from 'zustand';
import type { Label } from '../engine/library.ts';
import type { ClassMaps } from '../../model/classifier.ts';
import { cameraEnded, openCamera, WebcamError, type Camera } from '../video/webcam.ts';
import type { StoreState } from '../store.ts';
import { engine } from './connection.ts';
import type { EventRouter } from './events.ts';
import { runSettings } from './settings.ts';

export interface WebcamState {
  status: 'off' | 'starting' | 'on';
  id?: number;
  stream?: MediaStream;
  /** Where the camera's frames come from (a <video> element where MediaStreamTrackProcessor is missing). */
  frameSource?: Camera['source'];
  labels?: Label[];
  /** Where the model looked in the latest clip. */
  maps?: ClassMaps;
  /** With a taught head: the checkpoint's own labels for the latest clip. */
  baseTop?: Label[];
  updates: number;
  /** Label updates per second over the last few updates. */
  rateHz?: number;
  latencyMs?: number;
  /** The input size the latest clip ran at (the maps' crop), as the engine said. */
  inputSize?: number;
  error?: string;
}

export interface WebcamSlice {
  webcam: WebcamState;
  startWebcam(): Promise<void>;
  stopWebcam(): void;
}

export const webcamSlice = (router: EventRouter): StateCreator<StoreState, [], [], WebcamSlice> => (set, get) => {
  let camera: Camera | undefined;
  /** When the last few labels came (for the rate). */
  const labelTimes: number[] = [];

  router.on('webcamLabels', (e) => {
    if (get().webcam.id !== e.id) return;
    labelTimes.push(performance.now());
    if (labelTimes.length > 6) labelTimes.shift();
    const rateHz = labelTimes.length > 1 ? ((labelTimes.length - 1) * 1000) / (labelTimes.at(-1)! - labelTimes[0]) : undefined;
    set((s) => ({ webcam: { ...s.webcam, status: 'on', labels: e.top, maps: e.maps, baseTop: e.baseTop, latencyMs: e.latencyMs, inputSize: e.inputSize, updates: s.webcam.updates + 1, rateHz } }));
  });
  router.on('webcamEnd', (e) => {
    if (get().webcam.id !== e.id) return;
    camera?.stop();
    camera = undefined;
    set((s) => ({ webcam: { ...s.webcam, status: 'off', stream: undefined } }));
  });
  router.onError(['webcam'], (e) => set((s) => ({ webcam: { ...s.webcam, error: e.message } })));

  return {
    webcam: { status: 'off', updates: 0 },

    async startWebcam() {
      const client = engine();
      if (!client || get().webcam.status !== 'off') return;
      const id = client.id();
      labelTimes.length = 0;
      set({ webcam: { status: 'starting', id, updates: 0 } });
      try {
        camera = await openCamera();
      } catch (e) {
        set({ webcam: { status: 'off', updates: 0, error: e instanceof WebcamError ? e.message : `The camera could not be started: ${e instanceof Error ? e.message : String(e)}` } });
        return;
      }
      const started = camera;
      started.track.addEventListener('ended', async () => {
        const e = await cameraEnded();
        engine()?.send({ type: 'webcamStop', id, error: { kind: e.kind, message: e.message } });
      });
      set((s) => ({ webcam: { ...s.webcam, stream: started.stream, frameSource: started.source } }));
      client.send({ type: 'webcamStart', id, frames: started.frames, settings: runSettings(get().settings), intervalMs: get().settings.intervalMs });
    },

    stopWebcam() {
      const { id, status } = get().webcam;
      if (status === 'off' || id === undefined) return;
      engine()?.send({ type: 'webcamStop', id });
      camera?.stop();
      camera = undefined;
      set((s) => ({ webcam: { ...s.webcam, status: 'off', stream: undefined } }));
    },
  };
};
