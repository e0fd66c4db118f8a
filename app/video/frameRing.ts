// A ring of preprocessed video frames on the GPU, which the network gathers its clips from: each decoded
// VideoFrame is copied into a texture and the `preprocess` kernel resizes, crops and normalises it into its
// slot of a (1, 3, V·R, S, S) buffer — one run of R slots per spatial crop (view) asked for. The ring owns
// where view v's slot s lies; callers name slots, not offsets. Textures, uniforms and bind groups are made
// once per frame size and orientation, never per frame. A frame is preprocessed as the user sees it: turned and
// flipped as the frame itself says (a phone camera's VideoFrame.rotation and flip) and then as its container
// says (a phone video's display matrix), by the preprocess's index remap, with no rotated copy.
import { composeOrientations, isUpright, preprocess, UPRIGHT, type CropPosition, type Orientation } from '../../kernels/preprocess/preprocess.ts';
import { isSoftwareAdapter } from '../../kernels/device.ts';
import { bindGroupFor, pipelineFor, readBuffer } from '../../kernels/runKernel.ts';
import { storedBytes, type Dtype, type KernelDescriptor } from '../../kernels/kernel.ts';
import { widenF16 } from '../../kernels/f16.ts';

/**
 * How a VideoFrame reaches the preprocess kernel: `copyExternalImageToTexture` (the GPU converts YUV → RGBA
 * into our texture), `VideoFrame.copyTo` RGBA on the CPU + `writeTexture`, or `importExternalTexture` (the
 * kernel reads the frame in place; its bind group must be made per frame, as external textures expire).
 * Which is fastest depends on the adapter (npm run bench:video measures all three).
 */
export type FrameUpload = 'copyExternalImage' | 'copyTo' | 'importExternal';

/**
 * The faster upload for this device, from measurements (npm run bench:video, decode + preprocess to 224²): on
 * SwiftShader, a CPU adapter, copyTo + writeTexture ran ≈ 4× faster (225–284 frames/s) than
 * copyExternalImageToTexture (62–64) or importExternalTexture (55–59). No hardware GPU has been measured yet;
 * there the YUV → RGB conversion stays on the GPU.
 */
export function preferredUpload(device: GPUDevice): FrameUpload {
  return isSoftwareAdapter(device.adapterInfo) ? 'copyTo' : 'copyExternalImage';
}

/**
 * The turn and flip a VideoFrame carries (WebCodecs' rotation and flip; lib.dom does not type them yet, and a
 * browser without them has upright frames only).
 */
export function frameOrientation(frame: VideoFrame): Orientation {
  const { rotation, flip } = frame as VideoFrame & { rotation?: number; flip?: boolean };
  return { rotation: ((((rotation ?? 0) % 360) + 360) % 360) as Orientation['rotation'], flip: !!flip };
}

/**
 * The size of the pixels a frame stores: its display size when it carries no turn (as every import reads
 * it), else its visible rectangle, before the turn (copyTo's pixels).
 */
export function storedSize(frame: VideoFrame): { width: number; height: number } {
  if (isUpright(frameOrientation(frame)) || !frame.visibleRect) return { width: frame.displayWidth, height: frame.displayHeight };
  return { width: frame.visibleRect.width, height: frame.visibleRect.height };
}

export interface FrameRingOptions {
  /** Default: preferredUpload(device). */
  upload?: FrameUpload;
  size: number;
  /** Frame slots per view. */
  slots: number;
  /** Spatial crops along the long side, each written to its own run of slots (default: the centre). */
  crops?: readonly CropPosition[];
  /** Each crop also mirrored left to right, as further views after the plain ones (examples for teaching). */
  mirrored?: boolean;
  /** How the frames are stored (default f32): f16 for a network run in f16, where the GPU has `shader-f16`. */
  dtype?: Dtype;
}

/** Where each view's slots lie in a (1, 3, V·R, S, S) ring of frames: the GPU ring's layout and the CPU one's. */
export class RingLayout {
  readonly crops: readonly CropPosition[];

  constructor(readonly options: FrameRingOptions) {
    this.crops = options.crops ?? [1];
  }

  /** The crops, then (if mirrored) the crops mirrored. */
  get views(): number {
    return this.crops.length * (this.options.mirrored ? 2 : 1);
  }

  /** Frames the ring holds: every view's slots. */
  get capacity(): number {
    return this.views * this.options.slots;
  }

  /** How the ring stores its frames. */
  get dtype(): Dtype {
    return this.options.dtype ?? 'f32';
  }

  /** Bytes the ring's frames take (three channels, in whole words). */
  get bytes(): number {
    return storedBytes([1, 3, this.capacity, this.options.size, this.options.size], this.dtype);
  }

  /** Where view v's slot s lies among the ring's frames. */
  slotOf(view: number, slot: number): number {
    return view * this.options.slots + slot;
  }
}

export class FrameRing extends RingLayout {
  /** (1, 3, V·R, S, S): view v's slot s is frame slotOf(v, s). */
  readonly buffer: GPUBuffer;
  readonly upload: FrameUpload;
  private texture?: GPUTexture;
  private writers: { desc: KernelDescriptor; uniforms: GPUBuffer; bindGroup?: GPUBindGroup; dispatch: [number, number, number] }[] = [];
  private frameSize = '';
  private pipeline?: GPUComputePipeline;
  private staging?: Uint8Array<ArrayBuffer>;

  constructor(
    readonly device: GPUDevice,
    options: FrameRingOptions,
  ) {
    super(options);
    this.upload = options.upload ?? preferredUpload(device);
    this.buffer = device.createBuffer({
      label: 'frame ring (1, 3, V·R, S, S)',
      size: this.bytes,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
  }

  private async prepare(width: number, height: number, orientation: Orientation, external: boolean): Promise<void> {
    const key = `${width}x${height} ${orientation.rotation}${orientation.flip ? 'f' : ''}${external ? ' external' : ''}`;
    if (this.frameSize === key) return;
    this.frameSize = key;
    this.texture?.destroy();
    this.texture = undefined;
    for (const w of this.writers) w.uniforms.destroy();
    const { device, options } = this;
    if (!external) {
      this.texture = device.createTexture({
        label: 'video frame',
        size: [width, height],
        format: 'rgba8unorm',
        usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST | GPUTextureUsage.RENDER_ATTACHMENT,
      });
    }
    const view = this.texture?.createView();
    const descs = Array.from({ length: this.views }, (_, v) => Array.from({ length: options.slots }, (_, s) => preprocess({
      width, height, size: options.size, crop: this.crops[v % this.crops.length], mirror: v >= this.crops.length,
      clip: 0, frames: this.capacity, t: this.slotOf(v, s), external, orientation, dtype: this.dtype,
    }))).flat();
    this.pipeline = await pipelineFor(device, descs[0]);
    this.writers = descs.map((d) => {
      const uniforms = device.createBuffer({ size: d.uniforms.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(uniforms, 0, d.uniforms);
      const bindGroup = view && this.bindGroup(d, uniforms, view);
      return { desc: d, uniforms, bindGroup, dispatch: d.dispatch };
    });
  }

  /** A writer's bind group: the frame (a texture's view, or the frame imported) in, the ring out. */
  private bindGroup(desc: KernelDescriptor, uniforms: GPUBuffer, frame: GPUTextureView | GPUExternalTexture): GPUBindGroup {
    return bindGroupFor(this.device, this.pipeline!, desc, { buffer: uniforms }, [frame], [this.buffer], 'frame ring writer');
  }

  /**
   * Writes `frame` into slot `slot` of every view, shown as the frame says and then as `shown` says (the
   * container's orientation of a decoded file's frames). The caller closes the frame.
   */
  async write(frame: VideoFrame, slot: number, shown: Orientation = UPRIGHT): Promise<void> {
    if (slot < 0 || slot >= this.options.slots) throw new RangeError(`frame slot ${slot} is outside 0..${this.options.slots - 1}`);
    const own = frameOrientation(frame);
    // copyTo gives the stored pixels in every browser, whatever the frame's own turn; the other two imports
    // may or may not apply it, so a turned frame goes by copyTo and the turn is applied here, once.
    const upload = isUpright(own) ? this.upload : 'copyTo';
    const { width, height } = storedSize(frame);
    await this.prepare(width, height, composeOrientations(own, shown), upload === 'importExternal');
    if (upload === 'copyTo') {
      if (this.staging?.length !== width * height * 4) this.staging = new Uint8Array(width * height * 4);
      await frame.copyTo(this.staging, { format: 'RGBA', rect: isUpright(own) ? { x: 0, y: 0, width, height } : frame.visibleRect! });
      this.device.queue.writeTexture({ texture: this.texture! }, this.staging, { bytesPerRow: width * 4 }, [width, height]);
    } else if (upload === 'copyExternalImage') {
      this.device.queue.copyExternalImageToTexture({ source: frame }, { texture: this.texture! }, [width, height]);
    }
    const imported = upload === 'importExternal' ? this.device.importExternalTexture({ source: frame }) : undefined;
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(this.pipeline!);
    for (let v = 0; v < this.views; v++) {
      const writer = this.writers[this.slotOf(v, slot)];
      pass.setBindGroup(0, imported ? this.bindGroup(writer.desc, writer.uniforms, imported) : writer.bindGroup!);
      pass.dispatchWorkgroups(...writer.dispatch);
    }
    pass.end();
    this.device.queue.submit([encoder.finish()]);
  }

  /** The ring's frames as f32 values (an f16 ring's widened). */
  async read(): Promise<Float32Array<ArrayBuffer>> {
    const bytes = await readBuffer(this.device, this.buffer);
    const values = 3 * this.capacity * this.options.size * this.options.size;
    return this.dtype === 'f16' ? widenF16(new Uint16Array(bytes, 0, values)) : new Float32Array(bytes, 0, values);
  }

  destroy(): void {
    this.texture?.destroy();
    for (const w of this.writers) w.uniforms.destroy();
    this.buffer.destroy();
  }
}
