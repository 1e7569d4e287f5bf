import { Context, NativeCodecs } from 'dcmjs-codecs';
import { DicomError, DicomErrorCode } from '../errors/dicom-error';
import type { CodecFamily } from '../parse/transfer-syntax';

/**
 * The one place that calls the WebAssembly codecs. dcmjs-codecs bundles dcmtk's IJG JPEG (8/12/16-bit,
 * baseline, extended and lossless), dcmtk's RLE, CharLS (JPEG-LS) and OpenJPEG (JPEG 2000).
 */
let ready: Promise<void> | undefined;

export function initializeCodecs(): Promise<void> {
  ready ??= NativeCodecs.initializeAsync({ logCodecsInfo: false, logCodecsTrace: false });
  return ready;
}

export interface FrameGeometry {
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  samplesPerPixel: number;
  pixelRepresentation: number;
  planarConfiguration: number;
  photometricInterpretation: string;
}

export interface CodecOutput {
  bytes: Uint8Array;
  /** What the codec reports after its work (it may convert colour space or planar layout). */
  photometricInterpretation: string;
  planarConfiguration: number;
}

function context(
  geometry: FrameGeometry,
  buffers: { encodedBuffer?: Uint8Array; decodedBuffer?: Uint8Array },
): Context {
  return new Context({
    width: geometry.columns,
    height: geometry.rows,
    bitsAllocated: geometry.bitsAllocated,
    bitsStored: geometry.bitsStored,
    samplesPerPixel: geometry.samplesPerPixel,
    pixelRepresentation: geometry.pixelRepresentation,
    planarConfiguration: geometry.planarConfiguration,
    photometricInterpretation: geometry.photometricInterpretation,
    ...buffers,
  });
}

function output(ctx: Context, fallback: FrameGeometry, which: 'encoded' | 'decoded'): CodecOutput {
  const buffer = which === 'encoded' ? ctx.getEncodedBuffer() : ctx.getDecodedBuffer();
  if (!buffer) throw new Error(`codec returned no ${which} data`);
  return {
    // Copy out of the WebAssembly heap view before the next call reuses it.
    bytes: new Uint8Array(buffer),
    photometricInterpretation: ctx.getPhotometricInterpretation() ?? fallback.photometricInterpretation,
    planarConfiguration: ctx.getPlanarConfiguration() ?? fallback.planarConfiguration,
  };
}

/** Decodes one compressed frame (codecs must be initialised). Errors become CorruptCompressedData. */
export function decodeCompressedFrame(
  codec: Exclude<CodecFamily, 'native'>,
  encoded: Uint8Array,
  geometry: FrameGeometry,
): CodecOutput {
  const ctx = context(geometry, { encodedBuffer: encoded });
  try {
    switch (codec) {
      case 'rle':
        return output(NativeCodecs.decodeRle(ctx, {}), geometry, 'decoded');
      case 'jpeg':
        // DICOM PS3.5 §8.2.1: YBR_FULL_422 JPEG data is delivered as RGB after decoding, as dcmdjpeg does.
        return output(NativeCodecs.decodeJpeg(ctx, { convertColorspaceToRgb: true }), geometry, 'decoded');
      case 'jpegls':
        return output(NativeCodecs.decodeJpegLs(ctx, {}), geometry, 'decoded');
      case 'jpeg2000':
        return output(NativeCodecs.decodeJpeg2000(ctx, {}), geometry, 'decoded');
    }
  } catch (error) {
    throw new DicomError(
      DicomErrorCode.CorruptCompressedData,
      `${codec} decoder rejected the frame: ${String((error as Error)?.message ?? error)}`,
    );
  }
}

export interface EncodeParameters {
  lossy?: boolean;
  /** JPEG-LS NEAR (allowed absolute error), PS3.5 §8.2.3. */
  allowedLossyError?: number;
  /** JPEG 2000 compression rate for the lossy syntax. */
  rate?: number;
  /** JPEG baseline quality 1–100. */
  quality?: number;
}

export function encodeFrame(
  codec: Exclude<CodecFamily, 'native'>,
  decoded: Uint8Array,
  geometry: FrameGeometry,
  params: EncodeParameters = {},
): CodecOutput {
  const ctx = context(geometry, { decodedBuffer: decoded });
  try {
    switch (codec) {
      case 'rle':
        return output(NativeCodecs.encodeRle(ctx, {}), geometry, 'encoded');
      case 'jpeg':
        return output(
          NativeCodecs.encodeJpeg(ctx, {
            lossy: params.lossy ?? false,
            quality: params.quality ?? 90,
            predictor: 1,
            pointTransform: 0,
          }),
          geometry,
          'encoded',
        );
      case 'jpegls':
        return output(
          NativeCodecs.encodeJpegLs(ctx, {
            lossy: params.lossy ?? false,
            allowedLossyError: params.allowedLossyError ?? 0,
          }),
          geometry,
          'encoded',
        );
      case 'jpeg2000':
        return output(
          NativeCodecs.encodeJpeg2000(ctx, { lossy: params.lossy ?? false, rate: params.rate ?? 20 }),
          geometry,
          'encoded',
        );
    }
  } catch (error) {
    throw new DicomError(
      DicomErrorCode.EncodeFailed,
      `${codec} encoder failed: ${String((error as Error)?.message ?? error)}`,
    );
  }
}
