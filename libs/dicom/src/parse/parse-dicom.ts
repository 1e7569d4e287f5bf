import { inflateRawSync } from 'node:zlib';
import * as dicomParser from 'dicom-parser';
import type { DataSet } from 'dicom-parser';
import { DicomError, DicomErrorCode } from '../errors/dicom-error';
import { CharacterSet } from './character-set';
import { DicomDataset, parserKey, tagFromParserKey } from './dicom-dataset';
import { dictionaryVr, tagLabel } from './dictionary';
import { TransferSyntax, transferSyntaxInfo } from './transfer-syntax';
import type { TransferSyntaxInfo } from './transfer-syntax';
import { validatePixelDataLength } from './pixel-module';

export interface ParseDicomOptions {
  /** Names the file in error messages. */
  fileName?: string;
  /** Syntax to assume for a bare data set (no preamble and no meta header); sniffed when omitted. */
  defaultTransferSyntax?: string;
  /** Upper bound for an inflated Deflated Explicit VR Little Endian data set (bytes). Default 1 GiB. */
  maxInflatedBytes?: number;
  /** Stop before (7FE0,0010) Pixel Data: a cheap header read (no pixel length validation). */
  headerOnly?: boolean;
}

const PREAMBLE_LENGTH = 128;
const DEFAULT_MAX_INFLATED = 1024 * 1024 * 1024;

/**
 * Parses a DICOM Part 10 file (PS3.10 §7.1), or a bare data set without preamble and meta header,
 * into a DicomDataset. Every failure is a DicomError naming the file and the problem.
 */
export function parseDicom(bytes: Uint8Array, opts: ParseDicomOptions = {}): DicomDataset {
  const fileName = opts.fileName;
  const fail = (code: DicomErrorCode, message: string): never => {
    throw new DicomError(code, message, fileName);
  };
  if (!(bytes instanceof Uint8Array)) fail(DicomErrorCode.InvalidArgument, 'input is not a byte array');
  if (bytes.length < 8) fail(DicomErrorCode.Truncated, `only ${bytes.length} bytes: too short to be DICOM`);

  const hasDicmPrefix =
    bytes.length >= PREAMBLE_LENGTH + 4 &&
    bytes[128] === 0x44 &&
    bytes[129] === 0x49 &&
    bytes[130] === 0x43 &&
    bytes[131] === 0x4d;

  let input = bytes;
  let hasPart10Header = hasDicmPrefix;
  let assumedSyntax: string | undefined;
  if (!hasDicmPrefix) {
    const sniffed = sniffBareDataSet(bytes);
    if (sniffed === 'meta') {
      // A meta header without the preamble: give dicom-parser the preamble it expects.
      input = new Uint8Array(bytes.length + PREAMBLE_LENGTH + 4);
      input.set([0x44, 0x49, 0x43, 0x4d], PREAMBLE_LENGTH);
      input.set(bytes, PREAMBLE_LENGTH + 4);
      hasPart10Header = true;
    } else if (sniffed) {
      assumedSyntax = opts.defaultTransferSyntax ?? sniffed;
    } else if (bytes.length >= PREAMBLE_LENGTH + 4) {
      fail(
        DicomErrorCode.BadPreamble,
        'no "DICM" prefix after the 128-byte preamble (PS3.10 §7.1) and no data set at offset 0',
      );
    } else {
      fail(DicomErrorCode.Truncated, `only ${bytes.length} bytes and no recognisable data set`);
    }
  }

  let transferSyntaxUid = assumedSyntax;
  if (hasPart10Header) {
    transferSyntaxUid = readMetaTransferSyntax(input, fail);
  }
  const syntax = transferSyntaxInfo(transferSyntaxUid ?? '');
  if (!syntax) {
    return fail(DicomErrorCode.UnsupportedTransferSyntax, `unsupported transfer syntax ${transferSyntaxUid}`);
  }

  const maxInflated = opts.maxInflatedBytes ?? DEFAULT_MAX_INFLATED;
  let raw: DataSet;
  try {
    raw = dicomParser.parseDicom(
      input as Uint8Array & Buffer,
      {
        TransferSyntaxUID: hasPart10Header ? undefined : syntax.uid,
        untilTag: opts.headerOnly ? 'x7fe00010' : undefined,
        vrCallback: (tag: string) => dictionaryVr(tagFromParserKey(tag)),
        inflater: (array: Uint8Array, position: number) => inflate(array, position, maxInflated, fail),
      } as dicomParser.ParseDicomOptions,
    );
  } catch (error) {
    if (error instanceof DicomError) throw error;
    const absurd = findAbsurdElement(error, input.length);
    if (absurd) return fail(DicomErrorCode.AbsurdLength, absurd);
    return fail(classifyParserError(error), `cannot parse data set: ${parserMessage(error)}`);
  }

  checkElementBounds(raw, fail);
  const charset = new CharacterSet(readCharacterSet(raw));
  const dataset = new DicomDataset(raw, syntax, charset, fileName, hasPart10Header);
  if (!opts.headerOnly) validatePixelDataLength(dataset);
  return dataset;
}

/** Sniffs a data set that starts at offset 0: 'meta' (group 0002 explicit), a syntax UID, or undefined. */
function sniffBareDataSet(bytes: Uint8Array): 'meta' | string | undefined {
  const group = bytes[0] | (bytes[1] << 8);
  const element = bytes[2] | (bytes[3] << 8);
  const isUpper = (b: number): boolean => b >= 0x41 && b <= 0x5a;
  const explicit = isUpper(bytes[4]) && isUpper(bytes[5]);
  if (group === 0x0002 && explicit) return 'meta';
  // A data set's first element is normally in group 0008 (or a group-length element); anything odd or
  // beyond the pixel data group is not a data set start.
  if (group === 0x0008 || (group > 0x0002 && group < 0x7fe0 && group % 2 === 0 && element === 0)) {
    return explicit ? TransferSyntax.ExplicitVRLittleEndian : TransferSyntax.ImplicitVRLittleEndian;
  }
  const beGroup = (bytes[0] << 8) | bytes[1];
  if (beGroup === 0x0008 && explicit) return TransferSyntax.ExplicitVRBigEndian;
  return undefined;
}

/** Walks the meta header (always Explicit VR Little Endian, PS3.10 §7.1) for (0002,0010). */
function readMetaTransferSyntax(
  bytes: Uint8Array,
  fail: (code: DicomErrorCode, message: string) => never,
): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = PREAMBLE_LENGTH + 4;
  while (pos + 8 <= bytes.length) {
    const group = view.getUint16(pos, true);
    if (group !== 0x0002) break;
    const element = view.getUint16(pos + 2, true);
    const vr = String.fromCharCode(bytes[pos + 4], bytes[pos + 5]);
    let length: number;
    let valueAt: number;
    if (/^(OB|OD|OF|OL|OW|SQ|UC|UN|UR|UT|OV|SV|UV)$/u.test(vr)) {
      if (pos + 12 > bytes.length) break;
      length = view.getUint32(pos + 8, true);
      valueAt = pos + 12;
    } else {
      length = view.getUint16(pos + 6, true);
      valueAt = pos + 8;
    }
    if (valueAt + length > bytes.length) {
      fail(
        DicomErrorCode.Truncated,
        `meta header element (0002,${element.toString(16).padStart(4, '0')}) runs past the end of the file`,
      );
    }
    if (element === 0x0010) {
      const uid = String.fromCharCode(...bytes.subarray(valueAt, valueAt + length)).replace(/[\0 ]+$/u, '');
      if (!uid) break;
      return uid;
    }
    pos = valueAt + length;
  }
  if (pos + 8 > bytes.length && pos < bytes.length) {
    fail(DicomErrorCode.Truncated, 'file ends inside the meta header');
  }
  return fail(DicomErrorCode.MissingTransferSyntax, 'meta header has no Transfer Syntax UID (0002,0010)');
}

function inflate(
  array: Uint8Array,
  position: number,
  maxBytes: number,
  fail: (code: DicomErrorCode, message: string) => never,
): Uint8Array {
  let inflated: Buffer;
  const deflated = array.subarray(position);
  try {
    // node:zlib inflates into chunks of `chunkSize` and concatenates them (a copy of the whole data set)
    // unless one chunk holds everything. Image data deflates by 1.3–4× (noise compresses little), so a
    // chunk of 4× the input usually takes it all; only untouched pages of a larger chunk stay virtual.
    inflated = inflateRawSync(deflated, {
      maxOutputLength: maxBytes,
      chunkSize: Math.max(64 * 1024, Math.min(deflated.length * 4, maxBytes, 256 * 1024 * 1024)),
    });
  } catch (error) {
    return fail(
      DicomErrorCode.BadDeflate,
      `deflated data set cannot be inflated: ${(error as Error).message}`,
    );
  }
  const full = Buffer.allocUnsafe(position + inflated.length);
  full.set(array.subarray(0, position), 0);
  full.set(inflated, position);
  return full;
}

/** Every element's value must lie inside the data (dicom-parser only warns for some of these). */
function checkElementBounds(raw: DataSet, fail: (code: DicomErrorCode, message: string) => never): void {
  const size = raw.byteArray.length;
  const visit = (ds: DataSet, depth: number): void => {
    if (depth > 64) fail(DicomErrorCode.Malformed, 'sequences nested deeper than 64 levels');
    for (const [key, el] of Object.entries(ds.elements)) {
      if (el.dataOffset + (el.hadUndefinedLength ? 0 : el.length) > size || el.length < 0) {
        fail(
          el.dataOffset < size ? DicomErrorCode.AbsurdLength : DicomErrorCode.Truncated,
          `element ${tagLabel(tagFromParserKey(key))} declares ${el.length} bytes but only ${Math.max(0, size - el.dataOffset)} remain`,
        );
      }
      for (const fragment of el.fragments ?? []) {
        if (fragment.position + fragment.length > size) {
          fail(
            DicomErrorCode.Truncated,
            `pixel data fragment at offset ${fragment.position} runs past the end of the file`,
          );
        }
      }
      for (const item of el.items ?? []) if (item.dataSet) visit(item.dataSet, depth + 1);
    }
  };
  visit(raw, 0);
  if (raw.warnings?.length) {
    const serious = raw.warnings.find((w) => /overrun|past end|eof|truncat/iu.test(w));
    if (serious) fail(DicomErrorCode.Truncated, serious);
  }
}

function readCharacterSet(raw: DataSet): string[] {
  const el = raw.elements[parserKey(0x00080005)];
  if (!el || el.length === 0) return [];
  const text = String.fromCharCode(
    ...raw.byteArray.subarray(el.dataOffset, el.dataOffset + Math.min(el.length, 1024)),
  );
  return text.split('\\').map((t) => t.trim());
}

function parserMessage(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error instanceof Error) return error.message;
  if (error && typeof error === 'object' && 'exception' in error)
    return String((error as { exception: unknown }).exception);
  return String(error);
}

/** dicom-parser attaches the partial data set: an element longer than the whole file is "absurd", not truncation. */
function findAbsurdElement(error: unknown, size: number): string | undefined {
  const partial = (error as { dataSet?: DataSet } | undefined)?.dataSet;
  if (!partial?.elements) return undefined;
  for (const [key, el] of Object.entries(partial.elements)) {
    if (!el.hadUndefinedLength && el.length > size) {
      return `element ${tagLabel(tagFromParserKey(key))} declares ${el.length} bytes in a file of ${size}`;
    }
  }
  return undefined;
}

function classifyParserError(error: unknown): DicomErrorCode {
  const message = parserMessage(error);
  if (/past end|overread|overrun|eof|cannot be greater than or equal/iu.test(message))
    return DicomErrorCode.Truncated;
  if (/0002,0010/u.test(message)) return DicomErrorCode.MissingTransferSyntax;
  return DicomErrorCode.Malformed;
}

export type { TransferSyntaxInfo };
