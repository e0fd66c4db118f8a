// The CPU engine's frame ring: what FrameRing does on the GPU, in an array — each VideoFrame drawn to a canvas,
// its pixels resized, cropped and normalised by the CPU form of the `preprocess` kernel (the same
// pytorchvideo transform), into its slot of a (1, 3, V·R, S, S) array that the classifier reads in place.
// A frame is preprocessed as the user sees it, as on the GPU: the frame's own turn, then the container's.
import { preprocessRef } from '../../kernels/preprocess/preprocess.ref.ts';
import { composeOrientations, isUpright, UPRIGHT, type Orientation } from '../../kernels/preprocess/preprocess.ts';
import { frameOrientation, RingLayout, storedSize, type FrameRingOptions } from './frameRing.ts';

export class CpuFrameRing extends RingLayout {
  /** (1, 3, V·R, S, S): view v's slot s is frame slotOf(v, s). */
  readonly data: Float32Array<ArrayBuffer>;
  private canvas?: OffscreenCanvas;
  private context?: OffscreenCanvasRenderingContext2D;

  constructor(options: FrameRingOptions) {
    super(options);
    this.data = new Float32Array(3 * this.capacity * options.size * options.size);
  }

  /**
   * Preprocesses `frame` into slot `slot` of every view, shown as the frame says and then as `shown` says (the
   * container's orientation). The caller closes the frame.
   */
  async write(frame: VideoFrame, slot: number, shown: Orientation = UPRIGHT): Promise<void> {
    if (slot < 0 || slot >= this.options.slots) throw new RangeError(`frame slot ${slot} is outside 0..${this.options.slots - 1}`);
    const own = frameOrientation(frame);
    const { width, height } = storedSize(frame);
    const rgba = isUpright(own) ? this.drawn(frame, width, height) : new Uint8Array(width * height * 4);
    // drawImage may or may not apply a frame's own turn; copyTo never does, so a turned frame is read by copyTo.
    if (!isUpright(own)) await frame.copyTo(rgba, { format: 'RGBA', rect: frame.visibleRect! });
    const orientation = composeOrientations(own, shown);
    const { size } = this.options;
    const plane = size * size;
    for (let v = 0; v < this.views; v++) {
      const image = preprocessRef(rgba, width, height, size, this.crops[v % this.crops.length], v >= this.crops.length, orientation);
      const t = this.slotOf(v, slot);
      for (let c = 0; c < 3; c++) this.data.set(image.subarray(c * plane, (c + 1) * plane), (c * this.capacity + t) * plane);
    }
  }

  private drawn(frame: VideoFrame, width: number, height: number): Uint8Array {
    if (!this.canvas || this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas = new OffscreenCanvas(width, height);
      this.context = this.canvas.getContext('2d', { willReadFrequently: true })!;
    }
    this.context!.drawImage(frame, 0, 0, width, height);
    return new Uint8Array(this.context!.getImageData(0, 0, width, height).data.buffer);
  }

  /** The ring as the GPU ring reads back: for tests. */
  async read(): Promise<Float32Array> {
    return this.data.slice();
  }

  destroy(): void {}
}
