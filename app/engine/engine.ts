// The resident engine: one per GPU device, in the worker. It keeps the loaded model on the GPU — folded
// weights, pipelines, bind groups — across videos and camera sessions, and a pool of frame rings they
// borrow. A session leases the classifier and a ring; the classifier reads whichever ring a run names (only
// the gather's bind group changes). A new input size, tile table or profiling choice plans a new classifier
// on the weights already on the GPU (no folding, no upload); only new weights are read, folded and uploaded.
// A replaced classifier lives until its last lease ends. A comparison's second model has a slot of its own, so
// the two models stay resident together and neither evicts the other. A model run in f16 reads f16 frames: the
// precision is resolved on this device before the ring is taken, and an f16 ring is preprocessed in f16.
import type { TileTable } from '../../kernels/conv3d/autotune.ts';
import { clipDuration } from '../../model/clips.ts';
import { Classifier, DEFAULT_TOP_K } from '../../model/classifier.ts';
import { WeightStore } from '../../model/executor.ts';
import { resolvePrecision, type Precision } from '../../model/kernelChoice.ts';
import type { Dtype } from '../../kernels/kernel.ts';
import type { SlowFastConfig } from '../../model/slowfast.ts';
import { KernelCompileError } from '../../kernels/runKernel.ts';
import type { WeightSource } from '../../model/weights/weightSource.ts';
import { headFingerprint, type CustomHead } from '../../model/head/customHead.ts';
import { FrameRing } from '../video/frameRing.ts';

/**
 * The highest frame rate a live ring is sized for (frames beyond it are skipped). A file's ring is sized by
 * its analysis plan instead: the frames its overlapping clips hold at once.
 */
export const MAX_CAMERA_FPS = 60;

/** The ring slots (per view) a live stream needs: a clip's duration at MAX_CAMERA_FPS, and two in flight. */
export function liveRingSlots(config: SlowFastConfig): number {
  return Math.ceil(clipDuration(config) * MAX_CAMERA_FPS) + 2;
}

/** A model as the engine takes it: what identifies its weights, its config, and its weights when needed. */
export interface EngineModel {
  /** Changes whenever the weights do (the worker's load generation). */
  id: number;
  /** With the input size to run at. */
  config: SlowFastConfig;
  /** Read only when a classifier is built for this model. */
  weights: () => WeightSource;
  labels?: readonly string[];
  /** A taught head to label with (a new one plans a new classifier on the weights already on the GPU). */
  head?: CustomHead;
}

/** Which resident classifier a lease is of: the model in use, or the one compared with it. */
export type ResidentSlot = 'main' | 'partner';

export interface LeaseOptions {
  /** Default 'main'. */
  slot?: ResidentSlot;
  /** Spatial crops per frame the ring keeps (1 or 3). */
  views: number;
  /** Each crop mirrored too (twice the views). */
  mirrored?: boolean;
  /** Ring slots per view the session needs at once. */
  slots: number;
  profile?: boolean;
  tiles?: TileTable;
  /** Classes mapped (where the model looked) each run: the clip's top ones (default DEFAULT_TOP_K). */
  mapClasses?: number;
  /** f16 where asked, or 'auto' where the GPU has shader-f16 (default f32; see KernelOptions.precision). */
  precision?: Precision;
}

/** A session's hold on the engine: the resident classifier and a ring of its own. Release it when done. */
export interface Lease {
  classifier: Classifier;
  ring: FrameRing;
  /** Binds the lease's ring for a run: pass to classifier.classify. */
  bind: Record<string, { buffer: GPUBuffer; shape: readonly number[] }>;
  release(): void;
}

/**
 * What a resident classifier was built for: the weights (their load), the input size, profiling, the tiles and the
 * taught head. Any change plans a new classifier (on the weights already on the GPU when only the plan changed).
 */
export interface ResidentKey {
  modelId: number;
  inputSize: number;
  profile: boolean;
  /** The tile table's own text (tables are read afresh for each job). */
  tiles: string;
  /** The taught head's fingerprint, or '' for the checkpoint's. */
  head: string;
  /** Classes mapped each run. */
  maps: number;
  /** The precision it runs in on this device ('auto' resolved), its ring's too. */
  precision: Dtype;
}

export const sameResident = (a: ResidentKey, b: ResidentKey): boolean =>
  a.modelId === b.modelId && a.inputSize === b.inputSize && a.profile === b.profile && a.tiles === b.tiles && a.head === b.head && a.maps === b.maps && a.precision === b.precision;

interface Resident {
  key: ResidentKey;
  classifier: Promise<Classifier>;
  leases: number;
  retired: boolean;
  modelId: number;
}

export class Engine {
  /** The classifier each slot holds now. */
  private readonly residents = new Map<ResidentSlot, Resident>();
  private readonly retired = new Set<Resident>();
  /** Rings no session holds now, kept for the next (they are the largest allocation after the weights). */
  private readonly idleRings: FrameRing[] = [];
  /** The weights on the GPU, per model, while a classifier of that model lives. */
  private readonly stores = new Map<number, WeightStore>();
  /** The precisions each model's weights are in its store for. */
  private readonly precisionsOnGpu = new Map<number, Set<Dtype>>();
  /** This device's compiler refused an f16 kernel once: 'auto' means f32 here from then on. */
  private f16Refused = false;
  /** How many classifiers this engine has built (a second video must not add one). */
  builds = 0;

  constructor(readonly device: GPUDevice) {}

  /**
   * The resident classifier for `model` and a ring of at least `o.slots` slots per view, for one session. 'auto'
   * never fails for want of f16: where the compiler refuses an f16 kernel, the lease is made again in f32, ring and
   * all, and 'auto' is f32 on this device from then on.
   */
  async lease(model: EngineModel, o: LeaseOptions): Promise<Lease> {
    const precision = this.precisionOf(o.precision);
    try {
      return await this.leaseIn(model, o, precision);
    } catch (e) {
      if (o.precision !== 'auto' || precision !== 'f16' || !(e instanceof KernelCompileError)) throw e;
      this.f16Refused = true;
      return this.leaseIn(model, o, 'f32');
    }
  }

  /** The precision a lease runs in here: as asked, 'auto' resolved (an f16 this GPU lacks is a PrecisionError). */
  precisionOf(asked: Precision = 'f32'): Dtype {
    return asked === 'auto' && this.f16Refused ? 'f32' : resolvePrecision(this.device, asked);
  }

  private async leaseIn(model: EngineModel, o: LeaseOptions, precision: Dtype): Promise<Lease> {
    const { config } = model;
    const ring = this.takeRing(config.inputSize, o.views, o.slots, o.mirrored ?? false, precision);
    let resident: Resident;
    let classifier: Classifier;
    try {
      resident = this.residentFor(model, o, ring, o.slot ?? 'main');
      resident.leases++;
      try {
        classifier = await resident.classifier;
      } catch (e) {
        resident.leases--;
        throw e;
      }
      classifier.labels = model.labels;
    } catch (e) {
      this.returnRing(ring);
      throw e;
    }
    let released = false;
    return {
      classifier, ring,
      bind: { ring: { buffer: ring.buffer, shape: [1, 3, ring.capacity, config.inputSize, config.inputSize] } },
      release: () => {
        if (released) return;
        released = true;
        this.returnRing(ring);
        resident.leases--;
        if (resident.retired && resident.leases === 0) this.destroyResident(resident);
      },
    };
  }

  private residentFor(model: EngineModel, o: LeaseOptions, ring: FrameRing, slot: ResidentSlot): Resident {
    const { config } = model;
    const key: ResidentKey = {
      modelId: model.id, inputSize: config.inputSize, profile: !!o.profile, tiles: o.tiles ? JSON.stringify(o.tiles) : '', head: model.head ? headFingerprint(model.head) : '',
      maps: o.mapClasses ?? DEFAULT_TOP_K, precision: ring.dtype,
    };
    const current = this.residents.get(slot);
    if (current && sameResident(current.key, key)) return current;
    if (current) this.retire(current);
    // Idle rings for an input size no resident classifier runs at would wait for a classifier that no longer exists.
    const sizes = new Set([config.inputSize, ...[...this.residents.values()].filter((r) => r !== current).map((r) => r.key.inputSize)]);
    for (const r of this.idleRings.filter((r) => !sizes.has(r.options.size))) {
      this.idleRings.splice(this.idleRings.indexOf(r), 1);
      r.destroy();
    }
    this.builds++;
    let store = this.stores.get(model.id);
    // Weights already on the GPU in this precision need no reading or folding: the graph is built from shapes alone.
    const onGpu = !!store && store.size > 0 && !!this.precisionsOnGpu.get(model.id)?.has(key.precision);
    if (!store) this.stores.set(model.id, (store = new WeightStore()));
    const classifier = Classifier.create(this.device, config, onGpu ? undefined : model.weights(), {
      input: 'ring', ringCapacity: ring.capacity, inputBuffers: { ring: ring.buffer }, inputDtypes: { ring: ring.dtype }, profile: o.profile, tiles: o.tiles,
      labels: model.labels, weightStore: store, head: model.head,
      // Where it looks, for the labels shown: a few dot products per position of res5, read back with the logits.
      classMaps: key.maps, precision: key.precision,
    });
    void classifier.then(() => {
      const precisions = this.precisionsOnGpu.get(model.id) ?? new Set();
      this.precisionsOnGpu.set(model.id, precisions.add(key.precision));
    }, () => undefined);
    const resident: Resident = { key, classifier, leases: 0, retired: false, modelId: model.id };
    // A failed build is not kept: the next lease tries again (from the weights, if none reached the GPU).
    classifier.catch(() => {
      if (this.residents.get(slot) === resident) this.residents.delete(slot);
      this.dropStoreUnlessUsed(model.id);
    });
    this.residents.set(slot, resident);
    return resident;
  }

  /** Frees a slot's classifier (and its weights, where no other reads them) once its leases end. */
  free(slot: ResidentSlot): void {
    const resident = this.residents.get(slot);
    if (!resident) return;
    this.residents.delete(slot);
    this.retire(resident);
  }

  private retire(resident: Resident): void {
    resident.retired = true;
    if (resident.leases === 0) this.destroyResident(resident);
    else this.retired.add(resident);
  }

  private destroyResident(resident: Resident): void {
    this.retired.delete(resident);
    void resident.classifier.then((c) => c.destroy(), () => undefined).then(() => this.dropStoreUnlessUsed(resident.modelId));
  }

  /** Frees a model's weights once no classifier (current or still leased) reads them. */
  private dropStoreUnlessUsed(modelId: number): void {
    const used = [...this.residents.values(), ...this.retired].some((r) => r.modelId === modelId);
    if (used) return;
    this.stores.get(modelId)?.destroy();
    this.stores.delete(modelId);
    this.precisionsOnGpu.delete(modelId);
  }

  /** An idle ring that fits (same size, views and precision, enough slots), else a new one. */
  private takeRing(size: number, views: number, slots: number, mirrored: boolean, dtype: Dtype): FrameRing {
    const crops = views === 3 ? ([0, 1, 2] as const) : ([1] as const);
    const fits = this.idleRings.findIndex((r) => r.options.size === size && r.crops.length === crops.length && !!r.options.mirrored === mirrored && r.dtype === dtype && r.options.slots >= slots);
    if (fits >= 0) return this.idleRings.splice(fits, 1)[0];
    return new FrameRing(this.device, { size, slots, crops: [...crops], mirrored, dtype });
  }

  /** Keeps a ring for the next session; of two idle rings for the same frames, only the larger. */
  private returnRing(ring: FrameRing): void {
    const same = this.idleRings.findIndex((r) => r.options.size === ring.options.size && r.views === ring.views && !!r.options.mirrored === !!ring.options.mirrored && r.dtype === ring.dtype);
    if (same >= 0) {
      const [smaller] = this.idleRings[same].options.slots >= ring.options.slots ? [ring] : this.idleRings.splice(same, 1);
      smaller.destroy();
      if (smaller !== ring) this.idleRings.push(ring);
      return;
    }
    this.idleRings.push(ring);
  }

  /** Frees the model and the idle rings (a lost device's engine, or the worker's end). */
  destroy(): void {
    for (const slot of [...this.residents.keys()]) this.free(slot);
    for (const r of this.idleRings.splice(0)) r.destroy();
  }
}
