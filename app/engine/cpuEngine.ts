// The resident engine on the CPU, for machines without a WebGPU adapter (or with a software one): the model as
// onnxruntime-web's wasm runs it (Classifier.createOnCpu, from our own ONNX export of the same graph), kept
// across videos, and a frame ring in memory per session. Leases as Engine's do (a slot each for the model in use
// and the one compared with it), so analyzeVideo runs on either.
import { Classifier } from '../../model/classifier.ts';
import { headFingerprint } from '../../model/head/customHead.ts';
import { CpuFrameRing } from '../video/cpuFrameRing.ts';
import { sameResident, type EngineModel, type LeaseOptions, type ResidentKey, type ResidentSlot } from './engine.ts';

interface CpuResident {
  key: ResidentKey;
  classifier: Promise<Classifier>;
  leases: number;
}

export interface CpuLease {
  classifier: Classifier;
  ring: CpuFrameRing;
  bind: Record<string, { array: Float32Array }>;
  release(): void;
}

export class CpuEngine {
  private readonly residents = new Map<ResidentSlot, CpuResident>();
  /** Classifiers built (one per model, input size and head): the benchmark and tests read it. */
  builds = 0;

  async lease(model: EngineModel, o: LeaseOptions): Promise<CpuLease> {
    const { config } = model;
    const crops = o.views === 3 ? [0, 1, 2] as const : [1] as const;
    const ring = new CpuFrameRing({ size: config.inputSize, slots: o.slots, crops: [...crops], mirrored: o.mirrored ?? false });
    // Labels are not in the key: new names for the same head rename the resident classifier (as Engine does).
    // Profiling and tiles are the GPU's: the CPU engine has neither.
    const key: ResidentKey = { modelId: model.id, inputSize: config.inputSize, profile: false, tiles: '', head: model.head ? headFingerprint(model.head) : '', maps: 0, precision: 'f32' };
    const slot = o.slot ?? 'main';
    const old = this.residents.get(slot);
    if (!old || !sameResident(old.key, key)) {
      if (old && old.leases === 0) void old.classifier.then((c) => c.destroy(), () => {});
      // The ring's length is free in the exported model: later sessions bind rings of any size.
      const classifier = Classifier.createOnCpu(config, model.weights(), {
        input: 'ring', ringCapacity: ring.capacity, inputArrays: { ring: ring.data }, labels: model.labels, head: model.head,
      });
      const made: CpuResident = { key, classifier, leases: 0 };
      this.residents.set(slot, made);
      this.builds++;
      classifier.catch(() => {
        if (this.residents.get(slot) === made) this.residents.delete(slot);
      });
    }
    const resident = this.residents.get(slot)!;
    const classifier = await resident.classifier;
    classifier.labels = model.labels;
    resident.leases++;
    let released = false;
    return {
      classifier, ring,
      bind: { ring: { array: ring.data } },
      release: () => {
        if (released) return;
        released = true;
        resident.leases--;
        if (resident !== this.residents.get(slot) && resident.leases === 0) classifier.destroy();
      },
    };
  }

  /** Frees a slot's classifier once its leases end. */
  free(slot: ResidentSlot): void {
    const resident = this.residents.get(slot);
    if (!resident) return;
    this.residents.delete(slot);
    if (resident.leases === 0) void resident.classifier.then((c) => c.destroy(), () => {});
  }
}
