import { DicomError, DicomErrorCode } from '../errors/dicom-error';
import { parseDicom } from '../parse/parse-dicom';
import { TransferSyntax } from '../parse/transfer-syntax';
import { baseElements, gradientFrame } from '../testing/synthetic';
import { writeDicom } from '../write/write-dicom';
import type { DicomImageInput } from '../write/write-dicom';
import { closeCodecWorker } from './codec-pool';
import { decodeAllFrames, decodeFrame } from './decode-pixels';

afterAll(() => closeCodecWorker());

const rows = 20;
const columns = 30;
const lossless = [
  'ImplicitVRLittleEndian',
  'ExplicitVRLittleEndian',
  'DeflatedExplicitVRLittleEndian',
  'ExplicitVRBigEndian',
  'RleLossless',
  'JpegLossless',
  'JpegLosslessSV1',
  'JpegLsLossless',
  'Jpeg2000Lossless',
] as const;

async function roundTrip(
  syntax: string,
  image: Partial<DicomImageInput> & Pick<DicomImageInput, 'frames' | 'bitsAllocated' | 'bitsStored'>,
) {
  const bytes = await writeDicom({
    transferSyntaxUid: syntax,
    elements: baseElements(),
    image: { rows, columns, ...image },
  });
  return decodeAllFrames(parseDicom(bytes, { fileName: 'rt.dcm' }));
}

describe('decodeFrame / decodeAllFrames', () => {
  it.each(lossless)('%s: 12-bit unsigned multi-frame decodes bit-exact', async (name) => {
    const frames = [gradientFrame(rows, columns, 12, false, 0), gradientFrame(rows, columns, 12, false, 5)];
    const out = await roundTrip(TransferSyntax[name], { bitsAllocated: 16, bitsStored: 12, frames });
    expect(out).toHaveLength(2);
    expect(Array.from(out[1].pixels)).toEqual(Array.from(frames[1]));
    expect(out[0].pixels).toBeInstanceOf(Uint16Array);
  });

  it.each(lossless)('%s: 16-bit signed decodes bit-exact with sign', async (name) => {
    const frame = gradientFrame(rows, columns, 16, true);
    const [out] = await roundTrip(TransferSyntax[name], {
      bitsAllocated: 16,
      bitsStored: 16,
      pixelRepresentation: 1,
      frames: [frame],
    });
    expect(out.signed).toBe(true);
    expect(Array.from(out.pixels)).toEqual(Array.from(frame));
  });

  it.each([
    'ExplicitVRLittleEndian',
    'RleLossless',
    'JpegLsLossless',
    'Jpeg2000Lossless',
    'JpegLosslessSV1',
  ] as const)('%s: 8-bit RGB decodes bit-exact', async (name) => {
    const frame = new Uint8Array(rows * columns * 3).map((_, i) => (i * 11) % 256);
    const [out] = await roundTrip(TransferSyntax[name], {
      bitsAllocated: 8,
      bitsStored: 8,
      samplesPerPixel: 3,
      photometricInterpretation: 'RGB',
      frames: [frame],
    });
    expect(out.photometricInterpretation).toBe('RGB');
    expect(Array.from(out.pixels)).toEqual(Array.from(frame));
  });

  it('masks bits above the high bit and sign-extends 12-bit signed values', async () => {
    const raw = Uint16Array.from([0xf800, 0x07ff, 0x0fff, 0xa001, ...new Array(rows * columns - 4).fill(0)]);
    const [out] = await roundTrip(TransferSyntax.ExplicitVRLittleEndian, {
      bitsAllocated: 16,
      bitsStored: 12,
      pixelRepresentation: 1,
      frames: [raw],
    });
    expect(Array.from(out.pixels.slice(0, 4))).toEqual([-2048, 2047, -1, 1]);
  });

  it('converts planar configuration 1 and YBR_FULL to RGB', async () => {
    const planar = new Uint8Array(rows * columns * 3);
    planar.fill(10, 0, rows * columns);
    planar.fill(20, rows * columns, 2 * rows * columns);
    planar.fill(30, 2 * rows * columns);
    const [rgb] = await roundTrip(TransferSyntax.ExplicitVRLittleEndian, {
      bitsAllocated: 8,
      bitsStored: 8,
      samplesPerPixel: 3,
      planarConfiguration: 1,
      frames: [planar],
    });
    expect(Array.from(rgb.pixels.slice(0, 6))).toEqual([10, 20, 30, 10, 20, 30]);
    const ybr = new Uint8Array(rows * columns * 3).map((_, i) => [128, 128, 255][i % 3]);
    const [red] = await roundTrip(TransferSyntax.ExplicitVRLittleEndian, {
      bitsAllocated: 8,
      bitsStored: 8,
      samplesPerPixel: 3,
      photometricInterpretation: 'YBR_FULL',
      frames: [ybr],
    });
    expect(Array.from(red.pixels.slice(0, 3))).toEqual([255, 37, 128]);
  });

  it('gives a DicomError for a corrupt compressed stream', async () => {
    const bytes = await writeDicom({
      transferSyntaxUid: TransferSyntax.JpegLsLossless,
      elements: baseElements(),
      image: { rows, columns, bitsAllocated: 16, bitsStored: 12, frames: [gradientFrame(rows, columns, 12)] },
    });
    const at = Buffer.from(bytes).indexOf(Buffer.from([0xff, 0xd8]));
    const corrupt = bytes.slice();
    corrupt.fill(0x55, at + 2, at + 40);
    await expect(decodeFrame(parseDicom(corrupt, { fileName: 'bad.dcm' }))).rejects.toMatchObject({
      code: DicomErrorCode.CorruptCompressedData,
    });
  });

  it('stops a codec that exceeds the time bound', async () => {
    const bytes = await writeDicom({
      transferSyntaxUid: TransferSyntax.Jpeg2000Lossless,
      elements: baseElements(),
      image: { rows, columns, bitsAllocated: 16, bitsStored: 12, frames: [gradientFrame(rows, columns, 12)] },
    });
    const error = await decodeFrame(parseDicom(bytes, { fileName: 'slow.dcm' }), 0, { timeoutMs: 1 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DicomError);
    expect((error as DicomError).code).toBe(DicomErrorCode.DecodeTimeout);
    expect((error as DicomError).message).toContain('slow.dcm');
  });

  it('rejects a frame index out of range', async () => {
    const bytes = await writeDicom({
      transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
      elements: baseElements(),
      image: { rows, columns, bitsAllocated: 16, bitsStored: 12, frames: [gradientFrame(rows, columns, 12)] },
    });
    await expect(decodeFrame(parseDicom(bytes), 1)).rejects.toMatchObject({
      code: DicomErrorCode.FrameOutOfRange,
    });
  });
});
