import { DicomError, DicomErrorCode } from '../errors/dicom-error';
import { toDisplay } from '../lut/display-pipeline';
import { readImageMetadata } from '../parse/metadata';
import { parseDicom } from '../parse/parse-dicom';
import { TransferSyntax } from '../parse/transfer-syntax';
import { baseElements, gradientFrame, pixelModule, us } from '../testing/synthetic';
import type { DicomElementInput } from '../write/element-encoder';
import { writeDicom } from '../write/write-dicom';
import { closeCodecWorker } from './codec-pool';
import { decodeAllFrames, decodeFrame } from './decode-pixels';
import { extractStoredValues } from './stored-values';

// Pixel modules the writer's `image` option does not produce (palette, YBR_FULL_422, 1 and 32 bits
// allocated, explicit LUT sequences) are written element by element, with expected values worked out by
// hand from PS3.3 §C.7.6.3 and §C.11.

afterAll(() => closeCodecWorker());

const le16 = (values: number[]): Uint8Array => new Uint8Array(Uint16Array.from(values).buffer);
const le32 = (values: number[]): Uint8Array => new Uint8Array(Uint32Array.from(values).buffer);

async function file(
  elements: DicomElementInput[],
  pixelData: DicomElementInput['value'],
  syntax: string = TransferSyntax.ExplicitVRLittleEndian,
  vr: DicomElementInput['vr'] = 'OB',
  withoutWindow = false,
) {
  const base = baseElements().filter((e) => !withoutWindow || (e.tag !== 0x00281050 && e.tag !== 0x00281051));
  const bytes = await writeDicom({
    transferSyntaxUid: syntax,
    elements: [...base, ...elements, { tag: 0x7fe00010, vr, value: pixelData }],
  });
  return parseDicom(bytes, { fileName: 'hand.dcm' });
}

describe('PALETTE COLOR (PS3.3 §C.7.6.3.1.5–6)', () => {
  it('maps indices through the red/green/blue LUTs, clamping below the first mapped value and past the last entry', async () => {
    // 4 entries, first mapped index 10, 16-bit entries.
    const descriptor = [4, 10, 16];
    const red = [0, 1000, 40000, 65535];
    const green = [65535, 30000, 2000, 0];
    const blue = [7, 7, 9, 9];
    const indices = [10, 11, 12, 13, 3, 200];
    const ds = await file(
      [
        ...pixelModule({
          rows: 2,
          columns: 3,
          photometric: 'PALETTE COLOR',
          bitsAllocated: 8,
          bitsStored: 8,
        }),
        us(0x00281101, descriptor),
        us(0x00281102, descriptor),
        us(0x00281103, descriptor),
        { tag: 0x00281201, vr: 'OW', value: le16(red) },
        { tag: 0x00281202, vr: 'OW', value: le16(green) },
        { tag: 0x00281203, vr: 'OW', value: le16(blue) },
      ],
      Uint8Array.from(indices),
    );
    const frame = await decodeFrame(ds, 0);
    expect(frame.photometricInterpretation).toBe('RGB');
    expect(frame.samplesPerPixel).toBe(3);
    expect(frame.pixels).toBeInstanceOf(Uint16Array);
    expect(Array.from(frame.pixels)).toEqual([
      ...[0, 65535, 7], // index 10 → entry 0
      ...[1000, 30000, 7],
      ...[40000, 2000, 9],
      ...[65535, 0, 9],
      ...[0, 65535, 7], // index 3 < first mapped → entry 0
      ...[65535, 0, 9], // index 200 past the table → last entry
    ]);
  });

  it('reads 8-bit entries stored in 16-bit words and 16-bit indices', async () => {
    // 256 entries (descriptor 0 would mean 65536), first mapped 0, 8 bits per entry; data in the low byte.
    const descriptor = [256, 0, 8];
    const ramp = Array.from({ length: 256 }, (_, i) => i);
    const ds = await file(
      [
        ...pixelModule({
          rows: 1,
          columns: 4,
          photometric: 'PALETTE COLOR',
          bitsAllocated: 16,
          bitsStored: 16,
        }),
        us(0x00281101, descriptor),
        us(0x00281102, descriptor),
        us(0x00281103, descriptor),
        { tag: 0x00281201, vr: 'OW', value: le16(ramp) },
        { tag: 0x00281202, vr: 'OW', value: le16(ramp.map((v) => 255 - v)) },
        { tag: 0x00281203, vr: 'OW', value: le16(ramp.map((v) => (v * 2) % 256)) },
      ],
      le16([0, 1, 128, 255]),
      TransferSyntax.ExplicitVRLittleEndian,
      'OW',
    );
    const frame = await decodeFrame(ds, 0);
    expect(frame.pixels).toBeInstanceOf(Uint8Array);
    expect(Array.from(frame.pixels)).toEqual([0, 255, 0, 1, 254, 2, 128, 127, 0, 255, 0, 254]);
  });
});

describe('YBR_FULL_422 native (PS3.3 §C.7.6.3.1.2)', () => {
  it('expands Y1 Y2 Cb Cr pairs and converts to RGB with the full-range BT.601 matrix', async () => {
    // Two rows of four pixels = four pairs. Neutral chroma (128) gives grey; Cr 228 (Cr − 128 = 100) adds
    // R = Y + 1.402·100 and G = Y − 0.714136·100; Cb 28 (Cb − 128 = −100) gives B = Y − 177.2, G = Y + 34.4136.
    const data = [
      ...[50, 60, 128, 128],
      ...[70, 80, 128, 228],
      ...[200, 210, 28, 128],
      ...[0, 255, 128, 128],
    ];
    const ds = await file(
      pixelModule({
        rows: 2,
        columns: 4,
        samples: 3,
        photometric: 'YBR_FULL_422',
        bitsAllocated: 8,
        bitsStored: 8,
      }),
      Uint8Array.from(data),
    );
    const frame = await decodeFrame(ds, 0);
    expect(frame.photometricInterpretation).toBe('RGB');
    expect(Array.from(frame.pixels)).toEqual([
      ...[50, 50, 50, 60, 60, 60],
      ...[210, 0, 70, 220, 9, 80], // 70+140.2=210, 70−71.4136→0 (clamped), 80−71.4136=8.59→9
      ...[200, 234, 23, 210, 244, 33], // 200+34.4136=234, 200−177.2=22.8→23
      ...[0, 0, 0, 255, 255, 255],
    ]);
  });
});

describe('bits allocated 1 and 32 (PS3.5 §8.1.1, PS3.3 §C.7.6.3.1)', () => {
  it('unpacks 1-bit frames that are not byte aligned, least significant bit first', async () => {
    // 3 frames of 5×3 = 15 bits: frame 1 starts at bit 15, frame 2 at bit 30.
    const frames = [
      [1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0],
      [0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 0, 0, 1],
      [1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1],
    ];
    const bits = frames.flat();
    const packed = new Uint8Array(Math.ceil(bits.length / 8) + (Math.ceil(bits.length / 8) % 2));
    bits.forEach((b, i) => {
      packed[i >> 3] |= b << (i & 7);
    });
    const ds = await file(
      pixelModule({
        rows: 3,
        columns: 5,
        photometric: 'MONOCHROME2',
        bitsAllocated: 1,
        bitsStored: 1,
        frames: 3,
      }),
      packed,
    );
    const out = await decodeAllFrames(ds);
    expect(out.map((f) => Array.from(f.pixels))).toEqual(frames);
    expect(out[0].pixels).toBeInstanceOf(Uint8Array);
  });

  it('reads 32-bit unsigned values above 2^31 and 32-bit signed negatives', async () => {
    const unsigned = [0, 1, 2 ** 31, 2 ** 32 - 1];
    const u = await file(
      pixelModule({ rows: 2, columns: 2, photometric: 'MONOCHROME2', bitsAllocated: 32, bitsStored: 32 }),
      le32(unsigned),
    );
    const uf = await decodeFrame(u, 0);
    expect(uf.pixels).toBeInstanceOf(Uint32Array);
    expect(Array.from(uf.pixels)).toEqual(unsigned);

    const signed = [-(2 ** 31), -1, 0, 2 ** 31 - 1];
    const s = await file(
      pixelModule({
        rows: 2,
        columns: 2,
        photometric: 'MONOCHROME2',
        bitsAllocated: 32,
        bitsStored: 32,
        signed: true,
      }),
      new Uint8Array(Int32Array.from(signed).buffer),
    );
    const sf = await decodeFrame(s, 0);
    expect(sf.pixels).toBeInstanceOf(Int32Array);
    expect(Array.from(sf.pixels)).toEqual(signed);
  });

  it('masks 32-bit samples to Bits Stored 24 and sign-extends from bit 23', async () => {
    // Bits above the high bit carry garbage (0xAB), which must be discarded.
    const raw = [0xab000001, 0xab7fffff, 0xab800000, 0xabffffff];
    const ds = await file(
      pixelModule({
        rows: 1,
        columns: 4,
        photometric: 'MONOCHROME2',
        bitsAllocated: 32,
        bitsStored: 24,
        signed: true,
      }),
      le32(raw),
    );
    const frame = await decodeFrame(ds, 0);
    expect(Array.from(frame.pixels)).toEqual([1, 2 ** 23 - 1, -(2 ** 23), -1]);
  });
});

describe('explicit Modality and VOI LUT sequences (PS3.3 §C.11.1, §C.11.2)', () => {
  it('maps stored values through the Modality LUT, then the VOI LUT, when the file has no window', async () => {
    // Modality LUT: 4 entries from stored value 100, 12-bit output. VOI LUT: 4096 entries from 0, 8 bits.
    const modality = [0, 1000, 2000, 4095];
    const voi = Array.from({ length: 4096 }, (_, i) => Math.floor(i / 16));
    const ds = await file(
      [
        ...pixelModule({
          rows: 1,
          columns: 6,
          photometric: 'MONOCHROME2',
          bitsAllocated: 16,
          bitsStored: 12,
        }),
        {
          tag: 0x00283000,
          vr: 'SQ',
          value: [[us(0x00283002, [4, 100, 12]), { tag: 0x00283006, vr: 'OW', value: le16(modality) }]],
        },
        {
          tag: 0x00283010,
          vr: 'SQ',
          value: [[us(0x00283002, [0, 0, 8]), { tag: 0x00283006, vr: 'OW', value: le16(voi) }]],
        },
      ],
      le16([100, 101, 102, 103, 50, 4000]),
      TransferSyntax.ExplicitVRLittleEndian,
      'OW',
      true,
    );
    const frame = await decodeFrame(ds, 0);
    const image = readImageMetadata(ds);
    if (!image) throw new Error('no image metadata');
    expect(image.windows).toEqual([]);
    const display = toDisplay(frame, image, { ds });
    expect(display.voi?.kind).toBe('lut');
    // stored → modality: 100→0, 101→1000, 102→2000, 103→4095, 50→0 (clamped), 4000→4095 (clamped);
    // modality → VOI: floor(v/16) / 255.
    const expected = [0, 1000, 2000, 4095, 0, 4095].map((v) => Math.floor(v / 16) / 255);
    Array.from(display.grey).forEach((g, i) => expect(g).toBeCloseTo(expected[i], 6));
  });
});

/** Rewrites an encapsulated file's Pixel Data: no Basic Offset Table and every frame split in two fragments. */
async function withoutOffsetTable(syntax: string, frames: Array<Uint16Array | Int16Array>) {
  const rows = 16;
  const columns = 24;
  const original = parseDicom(
    await writeDicom({
      transferSyntaxUid: syntax,
      elements: baseElements(),
      image: { rows, columns, bitsAllocated: 16, bitsStored: 12, frames },
    }),
  );
  const el = original.element(0x7fe00010);
  const fragments = (el?.fragments ?? []).flatMap((f) => {
    const bytes = original.bytes.slice(f.position, f.position + f.length);
    const cut = (bytes.length >> 2) * 2; // even split point, so both halves stay even length
    return [bytes.slice(0, cut), bytes.slice(cut)];
  });
  return file(
    pixelModule({
      rows,
      columns,
      photometric: 'MONOCHROME2',
      bitsAllocated: 16,
      bitsStored: 12,
      frames: frames.length,
    }),
    { fragments, offsetTable: [] },
    syntax,
  );
}

describe('encapsulated frames without a Basic Offset Table (PS3.5 §A.4)', () => {
  const frames = [0, 1, 2].map((seed) => gradientFrame(16, 24, 12, false, seed));

  it.each([
    ['JPEG lossless (SOI FFD8)', TransferSyntax.JpegLosslessSV1],
    ['JPEG-LS (SOI FFD8)', TransferSyntax.JpegLsLossless],
    ['JPEG 2000 (SOC FF4F)', TransferSyntax.Jpeg2000Lossless],
  ])('%s: splits fragments into frames at each start marker', async (_label, syntax) => {
    const ds = await withoutOffsetTable(syntax, frames);
    expect(ds.element(0x7fe00010)?.fragments).toHaveLength(6);
    const out = await decodeAllFrames(ds);
    expect(out.map((f) => Array.from(f.pixels))).toEqual(frames.map((f) => Array.from(f)));
  });

  it('refuses when the start markers do not give the declared number of frames', async () => {
    const ds = await withoutOffsetTable(TransferSyntax.JpegLsLossless, frames);
    // Drop the last frame's fragments: 3 frames declared, 2 start markers.
    const el = ds.element(0x7fe00010);
    if (!el?.fragments) throw new Error('no fragments');
    el.fragments.splice(4, 2);
    await expect(decodeFrame(ds, 1)).rejects.toMatchObject({ code: DicomErrorCode.Malformed });
  });
});

describe('bounded decoding', () => {
  it('rejects a declared frame size over the configured limit before decoding', async () => {
    const bytes = await writeDicom({
      transferSyntaxUid: TransferSyntax.JpegLsLossless,
      elements: baseElements(),
      image: {
        rows: 64,
        columns: 64,
        bitsAllocated: 16,
        bitsStored: 12,
        frames: [gradientFrame(64, 64, 12)],
      },
    });
    const ds = parseDicom(bytes, { fileName: 'big.dcm' });
    const error = await decodeFrame(ds, 0, { maxFrameBytes: 64 * 64 * 2 - 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DicomError);
    expect(error).toMatchObject({ code: DicomErrorCode.AbsurdLength });
    expect((error as DicomError).message).toMatch(/^big\.dcm: .*8192 bytes, over the limit of 8191/u);
    // Exactly at the limit it decodes.
    await expect(decodeFrame(ds, 0, { maxFrameBytes: 64 * 64 * 2 })).resolves.toMatchObject({ rows: 64 });
  });

  it('refuses a compressed frame whose own header declares a larger image than the pixel module', async () => {
    const bytes = await writeDicom({
      transferSyntaxUid: TransferSyntax.Jpeg2000Lossless,
      elements: baseElements(),
      image: {
        rows: 16,
        columns: 16,
        bitsAllocated: 16,
        bitsStored: 12,
        frames: [gradientFrame(16, 16, 12)],
      },
    });
    const ds = parseDicom(bytes, { fileName: 'lying.dcm' });
    const fragment = ds.element(0x7fe00010)?.fragments?.[0];
    if (!fragment) throw new Error('no fragment');
    // Patch the SIZ marker (ISO/IEC 15444-1 §A.5.1) to claim 60000 × 60000 pixels.
    const b = ds.bytes;
    let siz = fragment.position;
    while (!(b[siz] === 0xff && b[siz + 1] === 0x51)) siz++;
    const view = new DataView(b.buffer, b.byteOffset);
    view.setUint32(siz + 6, 60000);
    view.setUint32(siz + 10, 60000);
    await expect(decodeFrame(ds, 0)).rejects.toMatchObject({
      code: DicomErrorCode.CorruptCompressedData,
      message: expect.stringMatching(/declares 60000 × 60000 pixels, the pixel module 16 × 16/u),
    });
  });
});

describe('extractStoredValues fast paths', () => {
  // Odd sample counts and odd byte offsets exercise the paired 32-bit loops' tails and the aligned copies.
  const bytes = (values: number[], littleEndian: boolean, offset: number): Uint8Array => {
    const out = new Uint8Array(offset + values.length * 2);
    values.forEach((v, i) => {
      const hi = (v >> 8) & 0xff;
      const lo = v & 0xff;
      out[offset + 2 * i] = littleEndian ? lo : hi;
      out[offset + 2 * i + 1] = littleEndian ? hi : lo;
    });
    return out.subarray(offset);
  };
  const raw = [0xf001, 0x0fff, 0xa800, 0x1234, 0xffff];

  it.each([
    [true, 0],
    [true, 1],
    [false, 0],
    [false, 1],
  ])('little endian %s, byte offset %d: masks and sign-extends 12 of 16 bits', (littleEndian, offset) => {
    const input = bytes(raw, littleEndian, offset);
    const common = { bitsAllocated: 16, bitsStored: 12, highBit: 11, littleEndian };
    expect(Array.from(extractStoredValues(input, 5, { ...common, signed: false }))).toEqual([
      0x001, 0xfff, 0x800, 0x234, 0xfff,
    ]);
    expect(Array.from(extractStoredValues(input, 5, { ...common, signed: true }))).toEqual([
      1, -1, -2048, 0x234, -1,
    ]);
    // High bit 15 with 12 bits stored: the value is in bits 4–15.
    expect(Array.from(extractStoredValues(input, 5, { ...common, highBit: 15, signed: false }))).toEqual([
      0xf00, 0x0ff, 0xa80, 0x123, 0xfff,
    ]);
  });
});
