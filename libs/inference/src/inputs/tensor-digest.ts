import { createHash } from 'node:crypto';
import type { Modality } from '../manifest/model-manifest';
import type { ModelInputs } from './model-inputs';

/**
 * sha256 of the exact tensors a run fed to each encoder (ARCHITECTURE.md §Replay): the bytes of the
 * typed arrays as prepared by libs/preprocess, in memory order (little-endian on every platform
 * onnxruntime-node ships for). Text: the int32 token ids then the uint8 attention mask; image: the
 * float32 [1, size, size] plane; vitals: the float32 [hours, 12] grid. A replay that re-derives
 * the tensors from the stored raw inputs must reproduce these digests exactly.
 */
export type TensorDigests = Record<Modality, string | null>;

function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

export function tensorDigests(inputs: ModelInputs): TensorDigests {
  const digest = (...arrays: ArrayBufferView[]): string => {
    const hash = createHash('sha256');
    for (const array of arrays) hash.update(bytesOf(array));
    return hash.digest('hex');
  };
  return {
    text: inputs.text ? digest(inputs.text.ids, inputs.text.mask) : null,
    image: inputs.image ? digest(inputs.image.tensor) : null,
    vitals: inputs.vitals ? digest(inputs.vitals.values) : null,
  };
}

/** A float32 array as base64 of its bytes: the bit-exact form outputs are recorded and compared in. */
export function float32ToBase64(values: Float32Array): string {
  return Buffer.from(bytesOf(values)).toString('base64');
}

export function base64ToFloat32(encoded: string): Float32Array {
  const bytes = Buffer.from(encoded, 'base64');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
