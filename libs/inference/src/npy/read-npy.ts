import { InferenceError, InferenceErrorCode } from '../inference.errors';

/**
 * Minimal NumPy .npy v1/v2 reader (little-endian, C order) for the tensor export
 * (docs/model/tensor-contract.md): evaluation and tests compare serving inputs with it.
 */

export type NpyArray =
  | { dtype: '<i8'; shape: number[]; data: BigInt64Array }
  | { dtype: '<f4'; shape: number[]; data: Float32Array }
  | { dtype: '|u1'; shape: number[]; data: Uint8Array };

const MAGIC = '\x93NUMPY';

export function readNpy(bytes: Uint8Array): NpyArray {
  const fail = (why: string): never => {
    throw new InferenceError(InferenceErrorCode.InvalidInput, `not a supported .npy file: ${why}`);
  };
  if (String.fromCharCode(...bytes.subarray(0, 6)) !== MAGIC) fail('bad magic');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = Buffer.from(bytes.subarray(headerStart, headerStart + headerLength)).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran !== 'False' || shapeText === undefined) return fail('header');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const start = headerStart + headerLength;
  // A copy, aligned at offset 0 (Buffer.slice would be a view into a pooled buffer).
  const copy = new Uint8Array(
    bytes.subarray(start, start + count * (descr === '|u1' ? 1 : descr === '<f4' ? 4 : 8)),
  );
  switch (descr) {
    case '<i8':
      return { dtype: '<i8', shape, data: new BigInt64Array(copy.buffer, 0, count) };
    case '<f4':
      return { dtype: '<f4', shape, data: new Float32Array(copy.buffer, 0, count) };
    case '|u1':
      return { dtype: '|u1', shape, data: new Uint8Array(copy.buffer, 0, count) };
    default:
      return fail(`dtype ${String(descr)}`);
  }
}
