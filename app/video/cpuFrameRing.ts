// The CPU engine's frame ring: what FrameRing does on the GPU, in an array — each VideoFrame drawn to a canvas,
// its pixels resized, cropped and normalised by the CPU form of the `preprocess` kernel (the same
// pytorchvideo transform), into its slot of a (1, 3, V·R, S, S) array that the classifier reads in place.
import { preprocessRef } from '../../kernels/preprocess/preprocess.ref.ts';
import { RingLayout, type FrameRingOptions } from './frameRing.ts';

export class CpuFrameRing extends RingLayout {
  /** (1, 3, V·R, S, S): view v's slot s is frame slotOf(v, s). */
  readonly data: Float32Array<ArrayBuffer>;
  private canvas?: OffscreenCanvas;
  private context?: OffscreenCanvasRenderingContext2D;

  constructor(options: FrameRingOptions) {
    super(options);
    this.data = new Float32Array(3 * this.capacity * options.size * options.size);
  }

  /** Preprocesses `frame` into slot `slot` of every view (the caller closes the frame). */
  async write(frame: VideoFrame, slot: number): Promise<void> {
    if (slot < 0 || slot >= this.options.slots) throw new RangeError(`frame slot ${slot} is outside 0..${this.options.slots - 1}`);
    const width = frame.displayWidth;
    const height = frame.displayHeight;
    if (!this.canvas || this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas = new OffscreenCanvas(width, height);
      this.context = this.canvas.getContext('2d', { willReadFrequently: true })!;
    }
    this.context!.drawImage(frame, 0, 0, width, height);
    const rgba = new Uint8Array(this.context!.getImageData(0, 0, width, height).data.buffer);
    const { size } = this.options;
    const plane = size * size;
    for (let v = 0; v < this.views; v++) {
      const image = preprocessRef(rgba, width, height, size, this.crops[v % this.crops.length], v >= this.crops.length);
      const t = this.slotOf(v, slot);
      for (let c = 0; c < 3; c++) this.data.set(image.subarray(c * plane, (c + 1) * plane), (c * this.capacity + t) * plane);
    }
  }

  /** The ring as the GPU ring reads back: for tests. */
  async read(): Promise<Float32Array> {
    return this.data.slice();
  }

  destroy(): void {}
}
