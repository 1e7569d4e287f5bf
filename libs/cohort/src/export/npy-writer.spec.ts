import { encodeNpy } from './npy-writer';

describe('encodeNpy', () => {
  it('writes a version 1.0 header aligned to 64 bytes with the shape and dtype', () => {
    const bytes = encodeNpy('<f4', [2, 3], new Float32Array([1, 2, 3, 4, 5, 6]));
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
    const headerLength = bytes.readUInt16LE(8);
    expect((10 + headerLength) % 64).toBe(0);
    const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
    expect(header).toContain("'descr': '<f4'");
    expect(header).toContain("'shape': (2, 3)");
    expect(header.endsWith('\n')).toBe(true);
    expect(
      new Float32Array(
        bytes.buffer.slice(bytes.byteOffset + 10 + headerLength, bytes.byteOffset + bytes.length),
      )[5],
    ).toBe(6);
  });

  it('writes one-dimensional shapes as Python 1-tuples', () => {
    const bytes = encodeNpy('|u1', [3], new Uint8Array([1, 0, 1]));
    expect(bytes.toString('latin1')).toContain("'shape': (3,)");
  });
});
