// Raw little-endian tensor bytes of any dtype a checkpoint holds, converted to the f32 the engine computes in.
import { f16BitsToNumber } from '../../kernels/f16.ts';
import type { DType } from './pickle.ts';

export const ELEMENT_BYTES: Record<DType, number> = {
  float32: 4, float16: 2, bfloat16: 2, float64: 8, int64: 8, int32: 4, int16: 2, int8: 1, uint8: 1, bool: 1,
};

const scratch = new DataView(new ArrayBuffer(4));
function bf16(bits: number): number {
  scratch.setUint32(0, bits << 16);
  return scratch.getFloat32(0);
}

/** Typed arrays use the platform's byte order; files are little-endian, as is every platform browsers run on. */
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

export function toFloat32(bytes: Uint8Array, dtype: DType, count: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(count);
  if (dtype === 'float32' && littleEndian) {
    new Uint8Array(out.buffer).set(bytes.subarray(0, count * 4));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case 'float32': out[i] = view.getFloat32(4 * i, true); break;
      case 'float64': out[i] = view.getFloat64(8 * i, true); break;
      case 'float16': out[i] = f16BitsToNumber(view.getUint16(2 * i, true)); break;
      case 'bfloat16': out[i] = bf16(view.getUint16(2 * i, true)); break;
      case 'int64': out[i] = Number(view.getBigInt64(8 * i, true)); break;
      case 'int32': out[i] = view.getInt32(4 * i, true); break;
      case 'int16': out[i] = view.getInt16(2 * i, true); break;
      case 'int8': out[i] = view.getInt8(i); break;
      case 'uint8': case 'bool': out[i] = view.getUint8(i); break;
    }
  }
  return out;
}
