import { create } from 'zustand';
import { acquireGpu, GpuUnavailableError, type Gpu, type AdapterDescription } from '../kernels/device.ts';

/** What the page knows about WebGPU on this machine. */
export type GpuState =
  | { status: 'checking' }
  | { status: 'ready'; adapter: AdapterDescription; features: string[] }
  | { status: 'unavailable'; message: string }
  | { status: 'lost'; message: string };

export interface GpuSlice {
  gpu: GpuState;
  detectGpu: () => Promise<Gpu | undefined>;
}

export const useStore = create<GpuSlice>()((set) => ({
  gpu: { status: 'checking' },
  detectGpu: async () => {
    set({ gpu: { status: 'checking' } });
    try {
      const gpu = await acquireGpu();
      set({ gpu: { status: 'ready', adapter: gpu.adapter, features: [...gpu.features] } });
      void gpu.lost.then((info) => {
        if (info.reason !== 'destroyed') set({ gpu: { status: 'lost', message: info.message || 'GPU device lost' } });
      });
      return gpu;
    } catch (e) {
      const message = e instanceof GpuUnavailableError ? e.message : `WebGPU failed to start: ${String(e)}`;
      set({ gpu: { status: 'unavailable', message } });
      return undefined;
    }
  },
}));
