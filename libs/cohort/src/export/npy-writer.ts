/**
 * NumPy .npy format version 1.0 (numpy.lib.format): magic "\x93NUMPY", version 1.0, a little-endian
 * uint16 header length, a Python-literal header dict padded with spaces and a newline so the data
 * starts on a 64-byte boundary, then the raw little-endian C-order data.
 */
export type NpyDtype = '<i8' | '<f4' | '|u1';

export function encodeNpy(
  dtype: NpyDtype,
  shape: readonly number[],
  data: BigInt64Array | Float32Array | Uint8Array,
): Buffer {
  const count = shape.reduce((product, dim) => product * dim, 1);
  if (data.length !== count)
    throw new Error(`npy data has ${data.length} values, shape ${shape.join('×')} needs ${count}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  // Typed arrays are little endian on every platform Node supports for this project (x64, arm64).
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), body]);
}
