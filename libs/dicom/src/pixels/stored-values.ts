/** Typed arrays that hold stored sample values. */
export type SampleArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** The narrowest array type holding `bitsStored`-bit values of the given sign. */
export function narrowestArray(bitsStored: number, signed: boolean, length: number): SampleArray {
  if (bitsStored <= 8) return signed ? new Int8Array(length) : new Uint8Array(length);
  if (bitsStored <= 16) return signed ? new Int16Array(length) : new Uint16Array(length);
  return signed ? new Int32Array(length) : new Uint32Array(length);
}

/**
 * Raw samples (bitsAllocated wide, in the given byte order) → stored values: shift right so the high
 * bit lands at bitsStored − 1, keep bitsStored bits, and sign-extend when Pixel Representation is 1
 * (DICOM PS3.5 §8.1.1, PS3.3 §C.7.6.3.1). Bits above the high bit (e.g. overlay bits) are discarded.
 */
export function extractStoredValues(
  raw: Uint8Array,
  count: number,
  opts: {
    bitsAllocated: number;
    bitsStored: number;
    highBit: number;
    signed: boolean;
    littleEndian: boolean;
    bitOffset?: number;
  },
): SampleArray {
  const { bitsAllocated, bitsStored, highBit, signed } = opts;
  const out = narrowestArray(bitsStored, signed, count);
  if (bitsAllocated === 1) {
    // PS3.5 §8.1.1: the first pixel is in the least significant bit of the first byte.
    const offset = opts.bitOffset ?? 0;
    for (let i = 0; i < count; i++) {
      const bit = offset + i;
      out[i] = (raw[bit >> 3] >> (bit & 7)) & 1;
    }
    return out;
  }
  const shift = highBit + 1 - bitsStored;
  const unused = 32 - bitsStored;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const le = opts.littleEndian;
  const read =
    bitsAllocated === 8
      ? (i: number): number => raw[i]
      : bitsAllocated === 16
        ? (i: number): number => view.getUint16(i * 2, le)
        : (i: number): number => view.getUint32(i * 4, le);
  if (bitsAllocated === 16 && le && shift === 0 && bitsStored === 16) {
    // Fast path: nothing to mask; reinterpret the bytes.
    const src =
      raw.byteOffset % 2 === 0
        ? new Uint16Array(raw.buffer, raw.byteOffset, count)
        : new Uint16Array(raw.slice(0, count * 2).buffer);
    out.set(signed ? new Int16Array(src.buffer, src.byteOffset, count) : src);
    return out;
  }
  for (let i = 0; i < count; i++) {
    const v = read(i) >>> shift;
    // Shift left then arithmetic/logical right: masks to bitsStored bits and sign-extends in one step.
    out[i] = signed ? (v << unused) >> unused : (v << unused) >>> unused;
  }
  return out;
}
