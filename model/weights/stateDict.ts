import type { DType } from './pickle.ts';

/** One named tensor of a checkpoint, converted to f32. */
export interface WeightTensor {
  shape: number[];
  /** The dtype in the file. */
  dtype: DType;
  data: Float32Array<ArrayBuffer>;
}

/** Parameter and buffer names (as in the file) to tensors, in file order. */
export type StateDict = Map<string, WeightTensor>;
