import { parseDicom } from '../parse/parse-dicom';
import { TransferSyntax } from '../parse/transfer-syntax';
import { baseElements } from '../testing/synthetic';
import { writeDicom } from '../write/write-dicom';
import { decodeFrameSync } from './decode-frame';
import { extractStoredValues } from './stored-values';

// The fast paths return a view of the input when its samples are already stored values, and must never
// write to the input (usually the file's bytes): these tests pin both.

const le16 = (values: number[]): Uint8Array => new Uint8Array(Uint16Array.from(values).buffer);
const be16 = (values: number[]): Uint8Array => {
  const out = new Uint8Array(values.length * 2);
  values.forEach((v, i) => {
    out[2 * i] = (v >> 8) & 0xff;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
};
const twelveBits = { bitsAllocated: 16, bitsStored: 12, highBit: 11, littleEndian: true };
const sharesMemory = (a: ArrayBufferView, b: ArrayBufferView): boolean =>
  a.buffer === b.buffer && a.byteOffset === b.byteOffset;

describe('extractStoredValues: views and copies', () => {
  it('returns clean little-endian 12-bit samples as a view when allowed, else as a copy', () => {
    const input = le16([0, 1, 0x0fff, 0x0800, 0x0123]);
    const view = extractStoredValues(input, 5, { ...twelveBits, signed: false, view: true });
    expect(view).toBeInstanceOf(Uint16Array);
    expect(Array.from(view)).toEqual([0, 1, 0x0fff, 0x0800, 0x0123]);
    expect(sharesMemory(view, input)).toBe(true);
    const copy = extractStoredValues(input, 5, { ...twelveBits, signed: false });
    expect(Array.from(copy)).toEqual(Array.from(view));
    expect(copy.buffer).not.toBe(input.buffer);
  });

  it('masks bits above the high bit in a copy, leaving the input as it was, even when a view is allowed', () => {
    // An odd count and a 2-but-not-4-byte-aligned start exercise the paired check's head and tail.
    const backing = new Uint8Array(2 + 7 * 2);
    backing.set(le16([0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0xf007]), 2);
    const input = backing.subarray(2);
    const before = Array.from(input);
    const out = extractStoredValues(input, 7, { ...twelveBits, signed: false, view: true });
    expect(Array.from(out)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(input)).toEqual(before);
    // A stray bit in the first (unpaired) sample is found too.
    backing.set(le16([0x1001]), 2);
    expect(extractStoredValues(input, 7, { ...twelveBits, signed: false, view: true })[0]).toBe(1);
  });

  it('returns sign-extended 12-bit samples as a view, and sign-extends others in a copy', () => {
    const clean = le16([-2048, 2047, -1, 0, 5]);
    const view = extractStoredValues(clean, 5, { ...twelveBits, signed: true, view: true });
    expect(view).toBeInstanceOf(Int16Array);
    expect(Array.from(view)).toEqual([-2048, 2047, -1, 0, 5]);
    expect(sharesMemory(view, clean)).toBe(true);
    // 0x0800 is −2048 in 12 bits; 0x0fff is −1; 0x7001 has stray bits above the high bit.
    const raw = le16([0x0800, 0x0fff, 0x7001, 0x07ff]);
    const before = Array.from(raw);
    const out = extractStoredValues(raw, 4, { ...twelveBits, signed: true, view: true });
    expect(Array.from(out)).toEqual([-2048, -1, 1, 2047]);
    expect(Array.from(raw)).toEqual(before);
  });

  it('swaps big-endian samples into a fresh array', () => {
    const input = be16([0x0123, 0x0fff, 0xf001]);
    const out = extractStoredValues(input, 3, {
      ...twelveBits,
      littleEndian: false,
      signed: false,
      view: true,
    });
    expect(Array.from(out)).toEqual([0x0123, 0x0fff, 0x0001]);
    expect(out.buffer).not.toBe(input.buffer);
    const full = extractStoredValues(input, 3, {
      bitsAllocated: 16,
      bitsStored: 16,
      highBit: 15,
      littleEndian: false,
      signed: false,
    });
    expect(Array.from(full)).toEqual([0x0123, 0x0fff, 0xf001]);
  });

  it('reads 32-bit samples, views and swaps alike', () => {
    const values = [0, 1, 0xffffffff, 0x80000000];
    const le = new Uint8Array(Uint32Array.from(values).buffer);
    const layout = { bitsAllocated: 32, bitsStored: 32, highBit: 31, signed: false };
    const view = extractStoredValues(le, 4, { ...layout, littleEndian: true, view: true });
    expect(Array.from(view)).toEqual(values);
    expect(sharesMemory(view, le)).toBe(true);
    const be = new Uint8Array(16);
    new DataView(be.buffer).setUint32(8, 0xffffffff);
    new DataView(be.buffer).setUint32(4, 1);
    expect(Array.from(extractStoredValues(be, 4, { ...layout, littleEndian: false }))).toEqual([
      0, 1, 0xffffffff, 0,
    ]);
    expect(Array.from(extractStoredValues(le, 4, { ...layout, littleEndian: true, signed: true }))).toEqual([
      0, 1, -1, -2147483648,
    ]);
  });

  it('gives a plain Uint8Array for 8-bit samples held in a Node Buffer', () => {
    const input = Buffer.from([1, 2, 3, 250]);
    const out = extractStoredValues(input, 4, {
      bitsAllocated: 8,
      bitsStored: 8,
      highBit: 7,
      littleEndian: true,
      signed: false,
      view: true,
    });
    expect(out.constructor).toBe(Uint8Array);
    expect(Array.from(out)).toEqual([1, 2, 3, 250]);
  });
});

describe('native frames as views of the file', () => {
  it('decodes a little-endian frame without copying it, and YBR_FULL without changing the file', async () => {
    const rows = 4;
    const columns = 6;
    const grey = Uint16Array.from({ length: rows * columns }, (_, i) => i * 100);
    const ds = parseDicom(
      await writeDicom({
        transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
        elements: baseElements(),
        image: { rows, columns, bitsAllocated: 16, bitsStored: 12, frames: [grey] },
      }),
    );
    const frame = decodeFrameSync(ds, 0);
    expect(Array.from(frame.pixels)).toEqual(Array.from(grey));
    expect(frame.pixels.buffer).toBe(ds.bytes.buffer);

    const ybr = new Uint8Array(rows * columns * 3).map((_, i) => [128, 128, 255][i % 3]);
    const colour = parseDicom(
      await writeDicom({
        transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
        elements: baseElements(),
        image: {
          rows,
          columns,
          bitsAllocated: 8,
          bitsStored: 8,
          samplesPerPixel: 3,
          photometricInterpretation: 'YBR_FULL',
          frames: [ybr],
        },
      }),
    );
    const first = Array.from(decodeFrameSync(colour, 0).pixels);
    expect(first.slice(0, 3)).toEqual([255, 37, 128]);
    // Converting in place would have rewritten the file's bytes and changed a second decode.
    expect(Array.from(decodeFrameSync(colour, 0).pixels)).toEqual(first);
  });
});
