import type { SampleArray } from '../pixels/stored-values';

const DESCR: Record<string, string> = {
  Int8Array: '|i1',
  Uint8Array: '|u1',
  Int16Array: '<i2',
  Uint16Array: '<u2',
  Int32Array: '<i4',
  Uint32Array: '<u4',
  Float32Array: '<f4',
};

/**
 * NumPy .npy format version 1.0: magic, header length, a Python-dict header padded with spaces to a
 * multiple of 64 bytes and ending in "\n", then the raw C-order little-endian data.
 */
export function writeNpy(data: SampleArray | Float32Array, shape: readonly number[]): Uint8Array {
  const descr = DESCR[data.constructor.name];
  if (!descr) throw new Error(`no .npy dtype for ${data.constructor.name}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
