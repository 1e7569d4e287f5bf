import { DicomError, DicomErrorCode } from '../errors/dicom-error';
import type { DicomDataset } from '../parse/dicom-dataset';
import { frameByteLength, readPixelModule } from '../parse/pixel-module';
import type { PixelModule } from '../parse/pixel-module';
import { readImageMetadata } from '../parse/metadata';
import { applyPalette, planarToInterleaved, ybr422ToYbrFull, ybrFullToRgb } from './color';
import type { PaletteLut } from './color';
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
  bitsStored: number;
  signed: boolean;
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

/** Decodes frame `index` (0-based) with the given codec runner. */
export async function decodeFrameWith(
  ds: DicomDataset,
  index: number,
  decodeCompressed: CompressedFrameDecoder,
): Promise<DecodedFrame> {
  const module = pixelModuleOf(ds);
  const stored = storedFrameBytes(ds, module, index);
  if (ds.transferSyntax.codec === 'native')
    return finishFrame(
      ds,
      module,
      index,
      stored,
      ds.transferSyntax.littleEndian,
      module.photometricInterpretation,
      module.planarConfiguration,
    );
  const out = await decodeCompressed(ds.transferSyntax.codec, stored, geometryOf(module));
  return finishFrame(
    ds,
    module,
    index,
    out.bytes,
    true,
    out.photometricInterpretation,
    out.planarConfiguration,
  );
}

/** Same, in-process and synchronous (codecs must be initialised with initializeCodecs()). */
export function decodeFrameSync(ds: DicomDataset, index: number): DecodedFrame {
  const module = pixelModuleOf(ds);
  const stored = storedFrameBytes(ds, module, index);
  if (ds.transferSyntax.codec === 'native')
    return finishFrame(
      ds,
      module,
      index,
      stored,
      ds.transferSyntax.littleEndian,
      module.photometricInterpretation,
      module.planarConfiguration,
    );
  const out = decodeCompressedFrame(ds.transferSyntax.codec, stored, geometryOf(module));
  return finishFrame(
    ds,
    module,
    index,
    out.bytes,
    true,
    out.photometricInterpretation,
    out.planarConfiguration,
  );
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
  const samples = isYbr422Native ? pixels * 2 : pixels * module.samplesPerPixel;
  const expected = isYbr422Native
    ? samples * (module.bitsAllocated / 8)
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
  let values = extractStoredValues(bytes, samples, { ...module, signed, littleEndian, bitOffset });

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
