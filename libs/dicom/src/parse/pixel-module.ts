import { DicomError, DicomErrorCode } from '../errors/dicom-error';
import type { DicomDataset } from './dicom-dataset';

export type PhotometricInterpretation =
  | 'MONOCHROME1'
  | 'MONOCHROME2'
  | 'RGB'
  | 'YBR_FULL'
  | 'YBR_FULL_422'
  | 'YBR_PARTIAL_422'
  | 'YBR_PARTIAL_420'
  | 'YBR_ICT'
  | 'YBR_RCT'
  | 'PALETTE COLOR';

/** Image Pixel Module, DICOM PS3.3 §C.7.6.3. */
export interface PixelModule {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  photometricInterpretation: PhotometricInterpretation;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: 0 | 1;
  /** 0 colour-by-pixel (RGBRGB…), 1 colour-by-plane (RR…GG…BB…). */
  planarConfiguration: 0 | 1;
  numberOfFrames: number;
}

const PHOTOMETRICS: ReadonlySet<string> = new Set([
  'MONOCHROME1',
  'MONOCHROME2',
  'RGB',
  'YBR_FULL',
  'YBR_FULL_422',
  'YBR_PARTIAL_422',
  'YBR_PARTIAL_420',
  'YBR_ICT',
  'YBR_RCT',
  'PALETTE COLOR',
]);

/** Hard bounds so a crafted header cannot make the decoder allocate without limit. */
export const PIXEL_LIMITS = { maxDimension: 65535, maxFrames: 10000, maxFrameBytes: 512 * 1024 * 1024 };

/** Reads and checks the pixel module; undefined when the data set has no Rows/Columns. */
export function readPixelModule(ds: DicomDataset): PixelModule | undefined {
  const rows = ds.number(0x00280010);
  const columns = ds.number(0x00280011);
  if (rows === undefined || columns === undefined) return undefined;
  const fail = (message: string): never => {
    throw new DicomError(DicomErrorCode.InvalidPixelModule, message, ds.fileName);
  };
  const samplesPerPixel = ds.number(0x00280002) ?? 1;
  const photometric = (
    ds.string(0x00280004) ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2')
  ).toUpperCase();
  const bitsAllocated = ds.number(0x00280100) ?? 0;
  const bitsStored = ds.number(0x00280101) ?? bitsAllocated;
  const highBit = ds.number(0x00280102) ?? bitsStored - 1;
  const pixelRepresentation = ds.number(0x00280103) ?? 0;
  const planarConfiguration = ds.number(0x00280006) ?? 0;
  const frames = ds.number(0x00280008) ?? 1;
  if (rows < 1 || columns < 1 || rows > PIXEL_LIMITS.maxDimension || columns > PIXEL_LIMITS.maxDimension) {
    fail(`image is ${rows}×${columns}: rows and columns must be 1–65535`);
  }
  if (![1, 8, 16, 32].includes(bitsAllocated)) fail(`Bits Allocated ${bitsAllocated} is not 1, 8, 16 or 32`);
  if (bitsStored < 1 || bitsStored > bitsAllocated)
    fail(`Bits Stored ${bitsStored} is outside 1–${bitsAllocated}`);
  if (highBit < bitsStored - 1 || highBit >= bitsAllocated)
    fail(`High Bit ${highBit} is inconsistent with Bits Stored ${bitsStored}`);
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3)
    fail(`Samples per Pixel ${samplesPerPixel} is not 1 or 3`);
  if (!PHOTOMETRICS.has(photometric)) fail(`unsupported Photometric Interpretation "${photometric}"`);
  if (pixelRepresentation !== 0 && pixelRepresentation !== 1)
    fail(`Pixel Representation ${pixelRepresentation} is not 0 or 1`);
  if (!Number.isInteger(frames) || frames < 1 || frames > PIXEL_LIMITS.maxFrames)
    fail(`Number of Frames ${frames} is outside 1–${PIXEL_LIMITS.maxFrames}`);
  const module: PixelModule = {
    rows,
    columns,
    samplesPerPixel,
    photometricInterpretation: photometric as PhotometricInterpretation,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation: pixelRepresentation as 0 | 1,
    planarConfiguration: planarConfiguration === 1 ? 1 : 0,
    numberOfFrames: frames,
  };
  if (frameByteLength(module) > PIXEL_LIMITS.maxFrameBytes)
    fail(`one frame would need ${frameByteLength(module)} bytes`);
  return module;
}

/** Bytes of one native frame; 1-bit frames are bit-packed (PS3.5 §8.1.1). */
export function frameByteLength(
  m: Pick<PixelModule, 'rows' | 'columns' | 'samplesPerPixel' | 'bitsAllocated'>,
): number {
  const samples = m.rows * m.columns * m.samplesPerPixel;
  return m.bitsAllocated === 1 ? Math.ceil(samples / 8) : samples * (m.bitsAllocated / 8);
}

/**
 * Bytes of one frame as stored in a native (uncompressed) syntax. YBR_FULL_422 stores each pair of pixels
 * as Y1 Y2 Cb Cr, i.e. two samples per pixel rather than three (PS3.3 §C.7.6.3.1.2).
 */
export function nativeFrameByteLength(
  m: Pick<
    PixelModule,
    'rows' | 'columns' | 'samplesPerPixel' | 'bitsAllocated' | 'photometricInterpretation'
  >,
): number {
  if (m.photometricInterpretation === 'YBR_FULL_422' && m.samplesPerPixel === 3 && m.bitsAllocated >= 8)
    return m.rows * Math.ceil(m.columns / 2) * 4 * (m.bitsAllocated / 8);
  return frameByteLength(m);
}

/** Native pixel data must hold exactly the declared frames (plus one pad byte to even length). */
export function validatePixelDataLength(ds: DicomDataset): void {
  const el = ds.element(0x7fe00010);
  if (!el || ds.transferSyntax.encapsulated) return;
  const module = readPixelModule(ds);
  if (!module) return;
  if (module.bitsAllocated === 1) {
    // 1-bit frames are packed back to back across frame boundaries (PS3.5 §8.1.1).
    const expectedBits = module.rows * module.columns * module.samplesPerPixel * module.numberOfFrames;
    return checkLength(ds, el.length, Math.ceil(expectedBits / 8));
  }
  checkLength(ds, el.length, nativeFrameByteLength(module) * module.numberOfFrames);
}

function checkLength(ds: DicomDataset, actual: number, expected: number): void {
  const padded = expected + (expected % 2);
  if (actual !== expected && actual !== padded) {
    throw new DicomError(
      DicomErrorCode.PixelDataLengthMismatch,
      `pixel data holds ${actual} bytes but the pixel module declares ${expected} (${actual < expected ? 'short' : 'long'})`,
      ds.fileName,
    );
  }
}
