import { DicomError, DicomErrorCode } from '../errors/dicom-error';
import type { DicomDataset } from '../parse/dicom-dataset';
import { frameByteLength, nativeFrameByteLength, readPixelModule } from '../parse/pixel-module';
import type { PixelModule } from '../parse/pixel-module';
import { readImageMetadata } from '../parse/metadata';
import { applyPalette, planarToInterleaved, ybr422ToYbrFull, ybrFullToRgb } from './color';
import type { PaletteLut } from './color';
import { readCodestreamHeader } from './codestream-header';
import { storedFrameBytes } from './frame-source';
import { decodeCompressedFrame } from './native-codecs';
import type { CodecOutput, FrameGeometry } from './native-codecs';
import { extractStoredValues } from './stored-values';
import type { CodecFamily } from '../parse/transfer-syntax';
import type { SampleArray } from './stored-values';

/** One decoded frame. Greyscale: stored values (masked, sign-extended, before any LUT). Colour: RGB interleaved. */
export interface DecodedFrame {
  index: number;
  rows: number;
  columns: number;
  samplesPerPixel: 1 | 3;
  /** MONOCHROME1/2 for greyscale; RGB after YBR and palette conversion. */
  photometricInterpretation: 'MONOCHROME1' | 'MONOCHROME2' | 'RGB';
  /**
   * Significant bits of each value: Bits Stored, or the JPEG 2000 codestream precision when that is wider
   * (PS3.5 §8.2.4, see moduleForCodestream); 8 or 16 for palette output.
   */
  bitsStored: number;
  signed: boolean;
  /**
   * The values. For native little-endian data whose samples are already stored values (the usual case)
   * this is a view of the data set's bytes, not a copy: treat it as read-only, and copy it before
   * modifying or transferring it.
   */
  pixels: SampleArray;
}

/** Codec call: in-process, or via the terminable worker pool. */
export type CompressedFrameDecoder = (
  codec: Exclude<CodecFamily, 'native'>,
  encoded: Uint8Array,
  geometry: FrameGeometry,
) => CodecOutput | Promise<CodecOutput>;

export function pixelModuleOf(ds: DicomDataset): PixelModule {
  const module = readPixelModule(ds);
  if (!module || !ds.has(0x7fe00010))
    throw new DicomError(DicomErrorCode.NoPixelData, 'no image pixel module or Pixel Data', ds.fileName);
  return module;
}

export function geometryOf(module: PixelModule): FrameGeometry {
  return {
    rows: module.rows,
    columns: module.columns,
    bitsAllocated: module.bitsAllocated,
    bitsStored: module.bitsStored,
    samplesPerPixel: module.samplesPerPixel,
    pixelRepresentation: module.pixelRepresentation,
    planarConfiguration: module.planarConfiguration,
    photometricInterpretation: module.photometricInterpretation,
  };
}

/** Bounds applied before a frame is decoded. */
export interface FrameLimits {
  /**
   * Largest decoded frame accepted, in bytes (rows × columns × samples × bits allocated / 8). Default
   * `MOSAIC_DICOM_MAX_FRAME_BYTES`, else 256 MiB. Checked before any codec runs, so a declared size cannot
   * make the WebAssembly heap grow (it starts at 256 MiB and may grow to 2 GiB in the dcmjs-codecs build).
   */
  maxFrameBytes?: number;
}

export const DEFAULT_MAX_FRAME_BYTES = 256 * 1024 * 1024;

export function maxFrameBytesOf(limits: FrameLimits = {}): number {
  const fromEnv = Number(process.env.MOSAIC_DICOM_MAX_FRAME_BYTES);
  return limits.maxFrameBytes ?? (fromEnv > 0 ? fromEnv : DEFAULT_MAX_FRAME_BYTES);
}

/** Rejects a frame whose decoded size exceeds the bound (DICOM_ABSURD_LENGTH). */
export function checkFrameSize(ds: DicomDataset, module: PixelModule, limits: FrameLimits = {}): void {
  const max = maxFrameBytesOf(limits);
  // Palette and YBR conversion can widen greyscale or subsampled input to three samples per pixel.
  const samples = Math.max(
    module.samplesPerPixel,
    module.photometricInterpretation === 'PALETTE COLOR' ? 3 : 1,
  );
  const bytes = module.rows * module.columns * samples * Math.max(1, Math.ceil(module.bitsAllocated / 8));
  if (bytes > max) {
    throw new DicomError(
      DicomErrorCode.AbsurdLength,
      `one frame of ${module.rows} × ${module.columns} × ${samples} samples × ${module.bitsAllocated} bits would decode to ${bytes} bytes, over the limit of ${max}`,
      ds.fileName,
    );
  }
}

/**
 * Checks the compressed frame's own header against the pixel module before a codec sees it: a stream that
 * declares other dimensions would make the codec allocate for those (gdcm refuses such frames as well).
 * Returns the module to decode with: for JPEG 2000 the codestream precision wins over Bits Stored when it
 * is wider, because "the Pixel Data characteristics included in the JPEG 2000 bit stream shall be used to
 * decode the compressed data stream" (DICOM PS3.5 §8.2.4). gdcm, for example, encodes 12-bit data with a
 * 16-bit codestream precision; irreversible (lossy) decoding can then overshoot 2^12 − 1, and masking to
 * Bits Stored would wrap such a sample to 0 where gdcm's decoder keeps it.
 */
export function moduleForCodestream(
  ds: DicomDataset,
  module: PixelModule,
  index: number,
  codec: Exclude<CodecFamily, 'native'>,
  encoded: Uint8Array,
): PixelModule {
  const header = readCodestreamHeader(codec, encoded);
  if (!header) return module;
  if (header.rows !== module.rows || header.columns !== module.columns) {
    throw new DicomError(
      DicomErrorCode.CorruptCompressedData,
      `frame ${index}: the ${codec} stream declares ${header.columns} × ${header.rows} pixels, the pixel module ${module.columns} × ${module.rows}`,
      ds.fileName,
    );
  }
  if (header.components !== module.samplesPerPixel) {
    throw new DicomError(
      DicomErrorCode.CorruptCompressedData,
      `frame ${index}: the ${codec} stream has ${header.components} components, Samples per Pixel is ${module.samplesPerPixel}`,
      ds.fileName,
    );
  }
  if (
    codec === 'jpeg2000' &&
    header.precision > module.bitsStored &&
    header.precision <= module.bitsAllocated
  )
    return { ...module, bitsStored: header.precision, highBit: header.precision - 1 };
  return module;
}

/** A frame located and checked, ready for its codec (or already native). */
export interface PreparedFrame {
  index: number;
  module: PixelModule;
  /** The module to interpret the codec output with (see moduleForCodestream). */
  effective: PixelModule;
  stored: Uint8Array;
}

/** Locates frame `index` and applies every check that must come before a codec runs. */
export function prepareFrame(ds: DicomDataset, index: number, limits: FrameLimits = {}): PreparedFrame {
  const module = pixelModuleOf(ds);
  checkFrameSize(ds, module, limits);
  const stored = storedFrameBytes(ds, module, index);
  const codec = ds.transferSyntax.codec;
  const effective = codec === 'native' ? module : moduleForCodestream(ds, module, index, codec, stored);
  return { index, module, effective, stored };
}

/** Native frames: stored bytes → values; compressed frames: the codec's output → values. */
export function finishPrepared(ds: DicomDataset, frame: PreparedFrame, out?: CodecOutput): DecodedFrame {
  if (!out)
    return finishFrame(
      ds,
      frame.module,
      frame.index,
      frame.stored,
      ds.transferSyntax.littleEndian,
      frame.module.photometricInterpretation,
      frame.module.planarConfiguration,
    );
  return finishFrame(
    ds,
    frame.effective,
    frame.index,
    out.bytes,
    true,
    out.photometricInterpretation,
    out.planarConfiguration,
  );
}

/** Decodes frame `index` (0-based) with the given codec runner. */
export async function decodeFrameWith(
  ds: DicomDataset,
  index: number,
  decodeCompressed: CompressedFrameDecoder,
  limits: FrameLimits = {},
): Promise<DecodedFrame> {
  const frame = prepareFrame(ds, index, limits);
  const codec = ds.transferSyntax.codec;
  if (codec === 'native') return finishPrepared(ds, frame);
  return finishPrepared(ds, frame, await decodeCompressed(codec, frame.stored, geometryOf(frame.module)));
}

/** Same, in-process and synchronous (codecs must be initialised with initializeCodecs()). */
export function decodeFrameSync(ds: DicomDataset, index: number, limits: FrameLimits = {}): DecodedFrame {
  const frame = prepareFrame(ds, index, limits);
  const codec = ds.transferSyntax.codec;
  if (codec === 'native') return finishPrepared(ds, frame);
  return finishPrepared(ds, frame, decodeCompressedFrame(codec, frame.stored, geometryOf(frame.module)));
}

/** Stored bytes → stored values → RGB for colour. */
export function finishFrame(
  ds: DicomDataset,
  module: PixelModule,
  index: number,
  bytes: Uint8Array,
  littleEndian: boolean,
  photometric: string,
  planar: number,
): DecodedFrame {
  const pixels = module.rows * module.columns;
  const base = { index, rows: module.rows, columns: module.columns, bitsStored: module.bitsStored };
  const isYbr422Native = photometric === 'YBR_FULL_422' && ds.transferSyntax.codec === 'native';
  const samples = isYbr422Native
    ? module.rows * Math.ceil(module.columns / 2) * 4
    : pixels * module.samplesPerPixel;
  const expected = isYbr422Native
    ? nativeFrameByteLength(module)
    : module.bitsAllocated === 1
      ? Math.ceil(samples / 8)
      : frameByteLength(module);
  if (bytes.length < expected) {
    throw new DicomError(
      ds.transferSyntax.encapsulated
        ? DicomErrorCode.CorruptCompressedData
        : DicomErrorCode.PixelDataLengthMismatch,
      `frame ${index} decoded to ${bytes.length} bytes, expected ${expected}`,
      ds.fileName,
    );
  }
  const bitOffset = module.bitsAllocated === 1 ? (index * samples) % 8 : 0;
  const signed = module.pixelRepresentation === 1;
  // Stored values may be a view of `bytes` (the file's pixel data, or the codec's fresh output) instead of
  // a copy; only the in-place YBR → RGB conversion below writes to them, and it then gets its own copy.
  const convertsInPlace =
    module.samplesPerPixel === 3 &&
    planar !== 1 &&
    !isYbr422Native &&
    (photometric === 'YBR_FULL' || photometric === 'YBR_FULL_422');
  let values = extractStoredValues(bytes, samples, {
    ...module,
    signed,
    littleEndian,
    bitOffset,
    view: !convertsInPlace,
  });

  if (module.samplesPerPixel === 1 && photometric === 'PALETTE COLOR') {
    const rgb = applyPalette(values, readPalette(ds));
    return {
      ...base,
      samplesPerPixel: 3,
      photometricInterpretation: 'RGB',
      signed: false,
      bitsStored: rgb instanceof Uint8Array ? 8 : 16,
      pixels: rgb,
    };
  }
  if (module.samplesPerPixel === 1) {
    return {
      ...base,
      samplesPerPixel: 1,
      photometricInterpretation: photometric === 'MONOCHROME1' ? 'MONOCHROME1' : 'MONOCHROME2',
      signed,
      pixels: values,
    };
  }
  if (isYbr422Native) values = ybr422ToYbrFull(values, module.rows, module.columns);
  else if (planar === 1) values = planarToInterleaved(values, pixels);
  // Codecs that apply their own colour transform report RGB; YBR left in the data is converted here.
  if (photometric === 'YBR_FULL' || photometric === 'YBR_FULL_422')
    ybrFullToRgb(values, pixels, 2 ** module.bitsStored - 1);
  return { ...base, samplesPerPixel: 3, photometricInterpretation: 'RGB', signed: false, pixels: values };
}

function readPalette(ds: DicomDataset): [PaletteLut, PaletteLut, PaletteLut] {
  const image = readImageMetadata(ds);
  const d = image?.paletteDescriptors;
  if (!d)
    throw new DicomError(
      DicomErrorCode.InvalidPixelModule,
      'PALETTE COLOR image without palette LUT descriptors',
      ds.fileName,
    );
  const lut = (descriptor: typeof d.red, dataTag: number): PaletteLut => {
    const bytes = ds.valueBytes(dataTag);
    if (!bytes)
      throw new DicomError(
        DicomErrorCode.InvalidPixelModule,
        'PALETTE COLOR image without palette LUT data',
        ds.fileName,
      );
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const words = Math.floor(bytes.length / 2);
    let data: Uint16Array;
    if (descriptor.bitsPerEntry <= 8 && bytes.length === descriptor.entries) {
      data = Uint16Array.from(bytes); // 8-bit entries packed one per byte
    } else {
      data = new Uint16Array(words);
      for (let i = 0; i < words; i++) data[i] = view.getUint16(i * 2, ds.transferSyntax.littleEndian);
      // 8-bit entries stored in 16-bit words keep the value in the low byte, but some writers use the high byte.
      if (descriptor.bitsPerEntry <= 8 && data.some((v) => v > 0xff)) data = data.map((v) => v >> 8);
    }
    return { ...descriptor, data };
  };
  return [lut(d.red, 0x00281201), lut(d.green, 0x00281202), lut(d.blue, 0x00281203)];
}
