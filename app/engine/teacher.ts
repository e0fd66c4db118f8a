// The worker's side of teaching: features of a file's clips, training a head on examples, and the taught
// head the engine labels with. A head is kept only while the loaded weights are the ones it was taught on
// (checked by their fingerprint), and a head file that is damaged or for other weights is refused without
// touching the head in use.
import { backboneIdentity, checkBackbone, HeadFileError, readHeadFile, writeHeadFile, type BackboneIdentity, type CustomHead } from '../../model/head/customHead.ts';
import { cpuGradient, trainHead, TrainingError, type CurvePoint } from '../../model/head/train.ts';
import type { LoadedModel } from './models.ts';
import type { EngineEvent, HeadState, TeachExample } from './protocol.ts';

/** How often training reports its curve (epochs). */
const REPORT_EVERY = 5;

export class Teacher {
  private head?: { head: CustomHead; name: string; source: 'trained' | 'file' };
  private identities = new Map<number, Promise<BackboneIdentity>>();

  constructor(private readonly post: (e: EngineEvent) => void) {}

  /** The loaded weights' fingerprint (computed once per load). */
  identity(model: LoadedModel): Promise<BackboneIdentity> {
    let id = this.identities.get(model.loadId);
    if (!id) this.identities.set(model.loadId, (id = backboneIdentity(model.dict, model.config, model.name)));
    return id;
  }

  /** The head to label with on `model`, if it was taught on these weights; one for other weights is let go, saying so. */
  async headFor(model: LoadedModel): Promise<CustomHead | undefined> {
    if (!this.head) return undefined;
    const held = this.head;
    const identity = await this.identity(model);
    if (held.head.backbone.hash === identity.hash) return held.head;
    if (this.head === held) {
      this.head = undefined;
      this.postState();
      this.post({ type: 'error', scope: 'head', message: `The head "${held.name}" was taught on other weights than ${model.name}: labelling with the model's own classes again.` });
    }
    return undefined;
  }

  async train(id: number, model: LoadedModel | undefined, name: string, classNames: string[], examples: TeachExample[]): Promise<boolean> {
    try {
      if (!model) throw new TrainingError('load weights first: a head is taught on the features of a loaded model');
      const identity = await this.identity(model);
      const t0 = performance.now();
      const trained = await trainHead(classNames, examples, {
        gradient: cpuGradient,
        onEpoch: (point: CurvePoint) => {
          if (point.epoch % REPORT_EVERY === 0) this.post({ type: 'trainProgress', id, point });
        },
      });
      const ms = performance.now() - t0;
      const head: CustomHead = { ...trained, classNames, backbone: identity };
      this.head = { head, name, source: 'trained' };
      this.post({
        type: 'trained', id, evaluation: trained.evaluation, curve: trained.curve, ms, backend: cpuGradient.name, examples: trained.trainedOn, file: writeHeadFile(head),
      });
      this.postState();
      return true;
    } catch (e) {
      this.post({ type: 'error', scope: 'teach', id, message: e instanceof TrainingError ? `Cannot train yet: ${e.message}.` : `Training failed: ${(e as Error).message}` });
      return false;
    }
  }

  /** Labels with the head in `file` (or, null, with the checkpoint's own classes). False if it was refused. */
  async use(model: LoadedModel | undefined, file: Blob | null, name = 'the head file'): Promise<boolean> {
    if (!file) {
      this.head = undefined;
      this.postState();
      return true;
    }
    try {
      if (!model) throw new HeadFileError('Load the model it was taught on first.');
      const head = await readHeadFile(file);
      checkBackbone(head, await this.identity(model));
      this.head = { head, name: name.replace(/(\.head)?\.safetensors$/i, ''), source: 'file' };
      this.postState();
      return true;
    } catch (e) {
      const message = e instanceof HeadFileError ? e.message : (e as Error).message;
      this.post({ type: 'error', scope: 'head', message: `${name} was not loaded: ${message}` });
      return false;
    }
  }

  private postState(): void {
    const h = this.head;
    const state: HeadState = h
      ? { status: 'ready', name: h.name, classNames: h.head.classNames, source: h.source, ...(h.head.evaluation ? { evaluation: h.head.evaluation } : {}) }
      : { status: 'none' };
    this.post({ type: 'head', state });
  }
}
