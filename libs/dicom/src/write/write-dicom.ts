import { deflateRawSync } from 'node:zlib';
import { DicomError, DicomErrorCode } from '../errors/dicom-error';
import { TransferSyntax, transferSyntaxInfo } from '../parse/transfer-syntax';
import { encodeFrame, initializeCodecs } from '../pixels/native-codecs';
import type { EncodeParameters, FrameGeometry } from '../pixels/native-codecs';
import { ByteSink, writeElements } from './element-encoder';
import type { DicomElementInput, ElementEncoding } from './element-encoder';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './uid';

/** Pixel frames to store; each frame holds rows × columns × samples values, colour-by-pixel unless planar. */
export interface DicomImageInput {
  rows: number;
  columns: number;
  bitsAllocated: 8 | 16;
  bitsStored: number;
  /** Defaults to bitsStored − 1. */
  highBit?: number;
  pixelRepresentation?: 0 | 1;
  samplesPerPixel?: 1 | 3;
  photometricInterpretation?: 'MONOCHROME1' | 'MONOCHROME2' | 'RGB' | 'YBR_FULL';
  planarConfiguration?: 0 | 1;
  frames: ReadonlyArray<Uint8Array | Uint16Array | Int16Array | Uint8ClampedArray | Int8Array>;
}

export interface WriteDicomOptions {
  /** Output transfer syntax: any of TransferSyntax except JPEG Extended (no 12-bit lossy encoder on npm). */
  transferSyntaxUid: string;
  /** Header elements (groups 0008–7FDF); must include SOP Class UID (0008,0016) and SOP Instance UID (0008,0018). */
  elements: readonly DicomElementInput[];
  image?: DicomImageInput;
  encoder?: EncodeParameters;
}

/** Syntaxes writeDicom can produce. JPEG Extended (…4.51) has no 12-bit lossy encoder available. */
export const WRITABLE_TRANSFER_SYNTAXES: readonly string[] = [
  TransferSyntax.ImplicitVRLittleEndian,
  TransferSyntax.ExplicitVRLittleEndian,
  TransferSyntax.DeflatedExplicitVRLittleEndian,
  TransferSyntax.ExplicitVRBigEndian,
  TransferSyntax.RleLossless,
  TransferSyntax.JpegBaseline,
  TransferSyntax.JpegLossless,
  TransferSyntax.JpegLosslessSV1,
  TransferSyntax.JpegLsLossless,
  TransferSyntax.JpegLsNearLossless,
  TransferSyntax.Jpeg2000Lossless,
  TransferSyntax.Jpeg2000,
];

function fail(message: string): never {
  throw new DicomError(DicomErrorCode.EncodeFailed, message);
}

/**
 * Builds a DICOM Part 10 file (PS3.10 §7.1): 128-byte preamble, "DICM", the File Meta Information
 * (group 0002, Explicit VR Little Endian, with its group length), then the data set in the requested
 * transfer syntax. Values are padded to even length (PS3.5 §7.1.1). Compressed syntaxes store one
 * fragment per frame with a Basic Offset Table (PS3.5 §A.4).
 */
export async function writeDicom(opts: WriteDicomOptions): Promise<Uint8Array> {
  const syntax = transferSyntaxInfo(opts.transferSyntaxUid);
  if (!syntax || !WRITABLE_TRANSFER_SYNTAXES.includes(syntax.uid))
    fail(`cannot write transfer syntax ${opts.transferSyntaxUid}`);
  const elements = opts.elements.filter((e) => e.tag >>> 16 !== 0x0002);
  const sopClass = textOf(elements, 0x00080016);
  const sopInstance = textOf(elements, 0x00080018);
  if (!sopClass || !sopInstance)
    fail('SOP Class UID (0008,0016) and SOP Instance UID (0008,0018) are required');

  const dataElements = [...elements];
  if (opts.image) {
    if (syntax.encapsulated) await initializeCodecs();
    dataElements.push(...imageElements(opts.image, syntax.uid, opts.encoder ?? {}));
  }
  const charset = textOf(elements, 0x00080005) ?? '';
  const enc: ElementEncoding = {
    explicitVr: syntax.explicitVr,
    littleEndian: syntax.littleEndian,
    utf8: charset.includes('ISO_IR 192'),
  };
  const body = new ByteSink();
  writeElements(body, dataElements, enc);
  let dataSet = body.concat();
  if (syntax.deflated) dataSet = deflateRawSync(dataSet);

  return concat(part10Preamble(sopClass, sopInstance, syntax.uid), dataSet);
}

/** Preamble, "DICM" and the meta header; shared with de-identification. */
export function part10Preamble(
  sopClassUid: string,
  sopInstanceUid: string,
  transferSyntaxUid: string,
): Uint8Array {
  const le: ElementEncoding = { explicitVr: true, littleEndian: true, utf8: false };
  const meta = new ByteSink();
  writeElements(
    meta,
    [
      { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0x00, 0x01]) },
      { tag: 0x00020002, vr: 'UI', value: sopClassUid },
      { tag: 0x00020003, vr: 'UI', value: sopInstanceUid },
      { tag: 0x00020010, vr: 'UI', value: transferSyntaxUid },
      { tag: 0x00020012, vr: 'UI', value: IMPLEMENTATION_CLASS_UID },
      { tag: 0x00020013, vr: 'SH', value: IMPLEMENTATION_VERSION_NAME },
    ],
    le,
  );
  const metaBytes = meta.concat();
  const head = new ByteSink();
  head.push(new Uint8Array(128));
  head.push(new Uint8Array([0x44, 0x49, 0x43, 0x4d]));
  // (0002,0000) File Meta Information Group Length: bytes after this element up to the end of group 0002.
  writeElements(head, [{ tag: 0x00020000, vr: 'UL', value: metaBytes.length }], le);
  head.push(metaBytes);
  return head.concat();
}

function textOf(elements: readonly DicomElementInput[], tag: number): string | undefined {
  const el = elements.find((e) => e.tag === tag);
  if (!el || el.value === undefined) return undefined;
  if (el.value instanceof Uint8Array) return String.fromCharCode(...el.value).replace(/[\0 ]+$/u, '');
  if (typeof el.value === 'string') return el.value;
  if (Array.isArray(el.value)) return el.value.map(String).join('\\');
  return undefined;
}

function frameBytes(frame: DicomImageInput['frames'][number]): Uint8Array {
  return new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength);
}

function imageElements(
  image: DicomImageInput,
  syntaxUid: string,
  params: EncodeParameters,
): DicomElementInput[] {
  const samples = image.samplesPerPixel ?? 1;
  const photometric = image.photometricInterpretation ?? (samples === 3 ? 'RGB' : 'MONOCHROME2');
  const geometry: FrameGeometry = {
    rows: image.rows,
    columns: image.columns,
    bitsAllocated: image.bitsAllocated,
    bitsStored: image.bitsStored,
    samplesPerPixel: samples,
    pixelRepresentation: image.pixelRepresentation ?? 0,
    planarConfiguration: image.planarConfiguration ?? 0,
    photometricInterpretation: photometric,
  };
  const frameLength = image.rows * image.columns * samples * (image.bitsAllocated / 8);
  if (image.frames.length === 0) fail('image has no frames');
  const frames = image.frames.map((f, i) => {
    const bytes = frameBytes(f);
    if (bytes.length !== frameLength) fail(`frame ${i} has ${bytes.length} bytes, expected ${frameLength}`);
    return bytes;
  });
  const syntax = transferSyntaxInfo(syntaxUid);
  let pixelElement: DicomElementInput;
  let outPhotometric = photometric;
  let outPlanar = geometry.planarConfiguration;
  const extra: DicomElementInput[] = [];
  if (!syntax || syntax.codec === 'native') {
    const all = concat(...frames);
    const vr = image.bitsAllocated > 8 ? 'OW' : 'OB';
    // Raw bytes are little endian; the element encoder swaps OW words for Explicit VR Big Endian.
    pixelElement = { tag: 0x7fe00010, vr, value: all };
  } else {
    const lossy = syntax.lossy;
    const fragments = frames.map((f) => {
      const out = encodeFrame(syntax.codec as Exclude<typeof syntax.codec, 'native'>, f, geometry, {
        ...params,
        lossy: params.lossy ?? lossy,
        allowedLossyError:
          syntax.uid === TransferSyntax.JpegLsNearLossless ? (params.allowedLossyError ?? 2) : 0,
      });
      outPhotometric = out.photometricInterpretation as typeof outPhotometric;
      outPlanar = out.planarConfiguration as 0 | 1;
      return out.bytes;
    });
    const offsets: number[] = [];
    let at = 0;
    for (const f of fragments) {
      offsets.push(at);
      at += 8 + f.length + (f.length % 2);
    }
    pixelElement = { tag: 0x7fe00010, vr: 'OB', value: { fragments, offsetTable: offsets } };
    if (lossy) {
      extra.push({ tag: 0x00282110, vr: 'CS', value: '01' });
      const method =
        syntax.codec === 'jpeg' ? 'ISO_10918_1' : syntax.codec === 'jpegls' ? 'ISO_14495_1' : 'ISO_15444_1';
      extra.push({ tag: 0x00282114, vr: 'CS', value: method });
    }
  }
  const module: DicomElementInput[] = [
    { tag: 0x00280002, vr: 'US', value: samples },
    { tag: 0x00280004, vr: 'CS', value: outPhotometric },
    { tag: 0x00280010, vr: 'US', value: image.rows },
    { tag: 0x00280011, vr: 'US', value: image.columns },
    { tag: 0x00280100, vr: 'US', value: image.bitsAllocated },
    { tag: 0x00280101, vr: 'US', value: image.bitsStored },
    { tag: 0x00280102, vr: 'US', value: image.highBit ?? image.bitsStored - 1 },
    { tag: 0x00280103, vr: 'US', value: image.pixelRepresentation ?? 0 },
    pixelElement,
    ...extra,
  ];
  if (samples === 3) module.push({ tag: 0x00280006, vr: 'US', value: outPlanar });
  if (frames.length > 1) {
    module.push({ tag: 0x00280008, vr: 'IS', value: String(frames.length) });
  }
  return module;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
