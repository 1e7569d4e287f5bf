/** Typed arrays that hold stored sample values. */
export type SampleArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

type UnsignedSamples = Uint8Array | Uint16Array | Uint32Array;

/** The narrowest array type holding `bitsStored`-bit values of the given sign. */
export function narrowestArray(bitsStored: number, signed: boolean, length: number): SampleArray {
  if (bitsStored <= 8) return signed ? new Int8Array(length) : new Uint8Array(length);
  if (bitsStored <= 16) return signed ? new Int16Array(length) : new Uint16Array(length);
  return signed ? new Int32Array(length) : new Uint32Array(length);
}

export interface StoredValueLayout {
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  signed: boolean;
  littleEndian: boolean;
  /** Bits allocated 1: bit position of the first sample in `raw` (frames are packed across bytes). */
  bitOffset?: number;
  /**
   * The result may be a view of `raw`'s memory (no copy) when the samples are already stored values:
   * little endian, aligned, and nothing above the high bit (or already sign-extended). The caller then
   * must not modify the result, or must own `raw`.
   */
  view?: boolean;
}

/**
 * Raw samples (bitsAllocated wide, in the given byte order) → stored values: shift right so the high
 * bit lands at bitsStored − 1, keep bitsStored bits, and sign-extend when Pixel Representation is 1
 * (DICOM PS3.5 §8.1.1, PS3.3 §C.7.6.3.1). Bits above the high bit (e.g. overlay bits) are discarded.
 */
export function extractStoredValues(raw: Uint8Array, count: number, opts: StoredValueLayout): SampleArray {
  const { bitsAllocated, bitsStored, highBit, signed } = opts;
  if (bitsAllocated === 1) {
    // PS3.5 §8.1.1: the first pixel is in the least significant bit of the first byte.
    const out = narrowestArray(bitsStored, signed, count);
    const offset = opts.bitOffset ?? 0;
    for (let i = 0; i < count; i++) {
      const bit = offset + i;
      out[i] = (raw[bit >> 3] >> (bit & 7)) & 1;
    }
    return out;
  }
  const shift = highBit + 1 - bitsStored;
  const host = hostSamples(raw, count, bitsAllocated, opts.littleEndian);
  const width = bitsStored <= 8 ? 8 : bitsStored <= 16 ? 16 : 32;
  if (shift === 0 && width === bitsAllocated) {
    // The common case (e.g. 12 of 16 bits, high bit 11): the values already sit in the low bits, so the
    // samples are the output once the bits above the high bit are clear (unsigned) or copies of the
    // sign bit (signed). Almost every file keeps them so: a read-only check then saves the copy.
    // A copy is made only when the values must change and the samples are not already a fresh copy,
    // or when the caller does not accept a view: the input (usually the file's bytes) is never modified.
    const returnable = host.fresh || opts.view === true;
    const samples = host.samples;
    if (signed) {
      const values = asSigned(samples);
      if (bitsStored === bitsAllocated || isSignExtended(values, bitsStored))
        return returnable ? values : copyOf(values);
      const out = host.fresh ? values : copyOf(values);
      signExtendInPlace(out, bitsStored);
      return out;
    }
    if (bitsStored === bitsAllocated || !hasBitsAbove(samples, bitsStored))
      return returnable ? samples : copyOf(samples);
    const out = host.fresh ? samples : copyOf(samples);
    maskInPlace(out, bitsStored);
    return out;
  }
  const src = host.samples;
  const out = narrowestArray(bitsStored, signed, count);
  const unused = 32 - bitsStored;
  if (signed) {
    // Shift left then arithmetic right: masks to bitsStored bits and sign-extends in one step.
    for (let i = 0; i < count; i++) out[i] = ((src[i] >>> shift) << unused) >> unused;
  } else {
    for (let i = 0; i < count; i++) out[i] = ((src[i] >>> shift) << unused) >>> unused;
  }
  return out;
}

/**
 * The samples as an unsigned typed array in host (little-endian) order: a view when the bytes are
 * aligned and little endian, else an aligned copy, byte-swapped natively (Buffer#swap16/swap32) for big
 * endian. `fresh` says the array is a new allocation the caller may modify.
 */
function hostSamples(
  raw: Uint8Array,
  count: number,
  bitsAllocated: number,
  littleEndian: boolean,
): { samples: UnsignedSamples; fresh: boolean } {
  // A plain Uint8Array view: `raw` may be a Node Buffer, whose slice() does not copy.
  if (bitsAllocated === 8)
    return { samples: new Uint8Array(raw.buffer, raw.byteOffset, count), fresh: false };
  const size = bitsAllocated / 8;
  if (littleEndian && raw.byteOffset % size === 0) {
    const samples =
      size === 2
        ? new Uint16Array(raw.buffer, raw.byteOffset, count)
        : new Uint32Array(raw.buffer, raw.byteOffset, count);
    return { samples, fresh: false };
  }
  const samples = size === 2 ? new Uint16Array(count) : new Uint32Array(count);
  const bytes = Buffer.from(samples.buffer, samples.byteOffset, count * size);
  bytes.set(raw.subarray(0, count * size));
  if (!littleEndian) {
    if (size === 2) bytes.swap16();
    else bytes.swap32();
  }
  return { samples, fresh: true };
}

function copyOf<T extends SampleArray>(values: T): T {
  return new (values.constructor as new (source: T) => T)(values);
}

function asSigned(samples: UnsignedSamples): Int8Array | Int16Array | Int32Array {
  const { buffer, byteOffset, length } = samples;
  if (samples instanceof Uint8Array) return new Int8Array(buffer, byteOffset, length);
  if (samples instanceof Uint16Array) return new Int16Array(buffer, byteOffset, length);
  return new Int32Array(buffer, byteOffset, length);
}

/** True when some sample has a bit set at or above `bits`. */
function hasBitsAbove(samples: UnsignedSamples, bits: number): boolean {
  const high = ~(2 ** bits - 1);
  let acc = 0;
  if (samples instanceof Uint16Array && samples.length > 1) {
    // Two samples per 32-bit read over the 4-byte-aligned middle of the array.
    const head = (samples.byteOffset & 3) === 0 ? 0 : 1;
    const pairs = (samples.length - head) >> 1;
    const words = new Uint32Array(samples.buffer, samples.byteOffset + head * 2, pairs);
    for (let i = 0; i < pairs; i++) acc |= words[i];
    acc |= acc >>> 16;
    if (head) acc |= samples[0];
    if (head + pairs * 2 < samples.length) acc |= samples[samples.length - 1];
    return (acc & high & 0xffff) !== 0;
  }
  for (let i = 0; i < samples.length; i++) acc |= samples[i];
  return (acc & high) !== 0;
}

/** True when every value lies in the signed range of `bits` bits (bits above are copies of the sign bit). */
function isSignExtended(values: Int8Array | Int16Array | Int32Array, bits: number): boolean {
  const bias = 2 ** (bits - 1);
  const high = ~(2 ** bits - 1);
  let acc = 0;
  // v + bias is in [0, 2^bits) exactly for in-range values; anything else sets a bit at or above `bits`.
  for (let i = 0; i < values.length; i++) acc |= values[i] + bias;
  return (acc & high) === 0;
}

function maskInPlace(samples: UnsignedSamples, bits: number): void {
  const mask = 2 ** bits - 1;
  for (let i = 0; i < samples.length; i++) samples[i] &= mask;
}

function signExtendInPlace(values: Int8Array | Int16Array | Int32Array, bits: number): void {
  const unused = 32 - bits;
  for (let i = 0; i < values.length; i++) values[i] = (values[i] << unused) >> unused;
}
