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
  const src = sampleView(raw, count, bitsAllocated, opts.littleEndian);
  if (shift === 0 && bitsStored === bitsAllocated && (bitsAllocated !== 32 || !signed)) {
    // Nothing to mask: reinterpret (the typed-array copy converts unsigned to two's complement).
    out.set(
      signed && bitsAllocated === 16
        ? new Int16Array(src.buffer, src.byteOffset, count)
        : signed
          ? new Int8Array(src.buffer, src.byteOffset, count)
          : src,
    );
    return out;
  }
  if (!signed && shift === 0 && bitsAllocated === 16 && out instanceof Uint16Array) {
    // The common case (e.g. 12 of 16 bits, high bit 11): copy, then clear the bits above the high bit two
    // samples at a time through a 32-bit view of the (fresh, aligned) output.
    out.set(src);
    const mask = 2 ** bitsStored - 1;
    const pairs = new Uint32Array(out.buffer, out.byteOffset, count >> 1);
    const pairMask = (mask | (mask << 16)) >>> 0;
    for (let i = 0; i < pairs.length; i++) pairs[i] &= pairMask;
    if (count & 1) out[count - 1] &= mask;
    return out;
  }
  if (signed) {
    // Shift left then arithmetic right: masks to bitsStored bits and sign-extends in one step.
    for (let i = 0; i < count; i++) out[i] = ((src[i] >>> shift) << unused) >> unused;
  } else {
    for (let i = 0; i < count; i++) out[i] = ((src[i] >>> shift) << unused) >>> unused;
  }
  return out;
}

/**
 * The samples as an unsigned typed array in host order: a view when the bytes are aligned and little
 * endian (the common case, no copy), else a swapped or aligned copy. Typed-array loops are several times
 * faster than DataView reads through a closure on large frames.
 */
function sampleView(
  raw: Uint8Array,
  count: number,
  bitsAllocated: number,
  littleEndian: boolean,
): Uint8Array | Uint16Array | Uint32Array {
  if (bitsAllocated === 8) return raw.subarray(0, count);
  const size = bitsAllocated / 8;
  if (littleEndian) {
    const aligned = raw.byteOffset % size === 0 ? raw : raw.slice(0, count * size);
    return size === 2
      ? new Uint16Array(aligned.buffer, aligned.byteOffset, count)
      : new Uint32Array(aligned.buffer, aligned.byteOffset, count);
  }
  if (size === 2) {
    // Copy into an aligned array, then swap the bytes of two samples per 32-bit operation.
    const out = new Uint16Array(count);
    new Uint8Array(out.buffer).set(raw.subarray(0, count * 2));
    const pairs = new Uint32Array(out.buffer, 0, count >> 1);
    for (let i = 0; i < pairs.length; i++) {
      const w = pairs[i];
      pairs[i] = ((w & 0x00ff00ff) << 8) | ((w >>> 8) & 0x00ff00ff);
    }
    if (count & 1) out[count - 1] = (raw[2 * count - 2] << 8) | raw[2 * count - 1];
    return out;
  }
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++)
    out[i] = ((raw[4 * i] << 24) | (raw[4 * i + 1] << 16) | (raw[4 * i + 2] << 8) | raw[4 * i + 3]) >>> 0;
  return out;
}
