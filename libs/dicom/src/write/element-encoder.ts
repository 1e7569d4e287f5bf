import { TextEncoder } from 'node:util';
import { DicomError, DicomErrorCode } from '../errors/dicom-error';
import { CHARSET_TEXT_VRS, LONG_LENGTH_VRS, TEXT_VRS, tagLabel, vrWordSize } from '../parse/dictionary';

/** Encapsulated pixel data: one fragment per frame (PS3.5 §A.4) and an optional Basic Offset Table. */
export interface EncapsulatedValue {
  fragments: Uint8Array[];
  /** Byte offsets of each frame's first fragment item; [] writes an empty Basic Offset Table. */
  offsetTable?: number[];
}

/**
 * An element to write. `value` is text (string / string[] joined with "\"), numbers for binary VRs
 * (US, SS, UL, SL, FL, FD, AT, OW, …), raw little-endian bytes, sequence items, or fragments.
 */
export interface DicomElementInput {
  tag: number;
  vr: string;
  value?:
    string | number | ReadonlyArray<string | number> | Uint8Array | DicomElementInput[][] | EncapsulatedValue;
}

export interface ElementEncoding {
  explicitVr: boolean;
  littleEndian: boolean;
  /** Text VRs in the Specific Character Set are written as UTF-8 when it is ISO_IR 192. */
  utf8: boolean;
}

const UNDEFINED_LENGTH = 0xffffffff;

function fail(tag: number, message: string): never {
  throw new DicomError(DicomErrorCode.EncodeFailed, `${tagLabel(tag)}: ${message}`);
}

function isItems(value: DicomElementInput['value']): value is DicomElementInput[][] {
  return Array.isArray(value) && value.every((item) => Array.isArray(item));
}

function isEncapsulated(value: DicomElementInput['value']): value is EncapsulatedValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    'fragments' in value
  );
}

/** Value bytes, padded to even length (PS3.5 §7.1.1: UI with NUL, other text with space, binary with NUL). */
export function encodeValue(el: DicomElementInput, enc: ElementEncoding): Uint8Array {
  const { tag, vr, value } = el;
  let bytes: Uint8Array;
  if (value === undefined) {
    bytes = new Uint8Array(0);
  } else if (value instanceof Uint8Array) {
    bytes = enc.littleEndian ? value : swapBytes(value, vrWordSize(vr));
  } else if (TEXT_VRS.has(vr)) {
    const text = Array.isArray(value) ? value.map(String).join('\\') : String(value);
    bytes = encodeText(tag, vr, text, enc.utf8);
  } else if (
    typeof value === 'number' ||
    (Array.isArray(value) && value.every((v) => typeof v === 'number'))
  ) {
    bytes = encodeNumbers(
      tag,
      vr,
      typeof value === 'number' ? [value] : (value as number[]),
      enc.littleEndian,
    );
  } else {
    return fail(tag, `value does not fit VR ${vr}`);
  }
  if (bytes.length % 2 === 1) {
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes);
    padded[bytes.length] = vr === 'UI' || !TEXT_VRS.has(vr) ? 0x00 : 0x20;
    return padded;
  }
  return bytes;
}

function encodeText(tag: number, vr: string, text: string, utf8: boolean): Uint8Array {
  if (utf8 && CHARSET_TEXT_VRS.has(vr)) return new TextEncoder().encode(text);
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0xff) fail(tag, `character U+${code.toString(16)} needs Specific Character Set ISO_IR 192`);
    out[i] = code;
  }
  return out;
}

function encodeNumbers(tag: number, vr: string, values: number[], le: boolean): Uint8Array {
  const size = vr === 'AT' ? 4 : vrWordSize(vr);
  const out = new Uint8Array(values.length * size);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => {
    const at = i * size;
    switch (vr) {
      case 'US':
      case 'OW':
        view.setUint16(at, v, le);
        break;
      case 'SS':
        view.setInt16(at, v, le);
        break;
      case 'UL':
      case 'OL':
        view.setUint32(at, v, le);
        break;
      case 'SL':
        view.setInt32(at, v, le);
        break;
      case 'FL':
      case 'OF':
        view.setFloat32(at, v, le);
        break;
      case 'FD':
      case 'OD':
        view.setFloat64(at, v, le);
        break;
      case 'AT':
        // An attribute tag is two 16-bit words: group then element (PS3.5 §6.2).
        view.setUint16(at, v >>> 16, le);
        view.setUint16(at + 2, v & 0xffff, le);
        break;
      case 'OB':
      case 'UN':
        out[at] = v;
        break;
      default:
        fail(tag, `numbers cannot be written as VR ${vr}`);
    }
  });
  return out;
}

/** Reverses each `size`-byte word (little ↔ big endian). */
export function swapBytes(bytes: Uint8Array, size: number): Uint8Array {
  if (size <= 1) return bytes;
  const out = new Uint8Array(bytes.length);
  const whole = bytes.length - (bytes.length % size);
  for (let i = 0; i < whole; i += size) {
    for (let k = 0; k < size; k++) out[i + k] = bytes[i + size - 1 - k];
  }
  out.set(bytes.subarray(whole), whole);
  return out;
}

/** Collects byte chunks without repeated copying. */
export class ByteSink {
  private readonly chunks: Uint8Array[] = [];
  length = 0;

  push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  header(tag: number, vr: string | undefined, length: number, enc: ElementEncoding): void {
    const explicit = enc.explicitVr && vr !== undefined;
    const long = explicit && LONG_LENGTH_VRS.has(vr);
    const out = new Uint8Array(!explicit ? 8 : long ? 12 : 8);
    const view = new DataView(out.buffer);
    view.setUint16(0, tag >>> 16, enc.littleEndian);
    view.setUint16(2, tag & 0xffff, enc.littleEndian);
    if (!explicit) {
      view.setUint32(4, length, enc.littleEndian);
    } else if (long) {
      out[4] = vr.charCodeAt(0);
      out[5] = vr.charCodeAt(1);
      view.setUint32(8, length, enc.littleEndian);
    } else {
      out[4] = vr.charCodeAt(0);
      out[5] = vr.charCodeAt(1);
      if (length > 0xffff) fail(tag, `value of ${length} bytes exceeds the 16-bit length of VR ${vr}`);
      view.setUint16(6, length, enc.littleEndian);
    }
    this.push(out);
  }

  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** Writes elements in ascending tag order (PS3.5 §7.1). Sequences and pixel fragments use undefined length. */
export function writeElements(
  sink: ByteSink,
  elements: readonly DicomElementInput[],
  enc: ElementEncoding,
): void {
  const sorted = [...elements].sort((a, b) => (a.tag >>> 0) - (b.tag >>> 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].tag === sorted[i - 1].tag) fail(sorted[i].tag, 'element given twice');
  }
  for (const el of sorted) {
    if (el.vr.length !== 2) fail(el.tag, `invalid VR "${el.vr}"`);
    if (isEncapsulated(el.value)) {
      // PS3.5 §A.4: OB, undefined length, Basic Offset Table item, one item per fragment, delimiter.
      sink.header(el.tag, 'OB', UNDEFINED_LENGTH, enc);
      const table = el.value.offsetTable ?? [];
      const bot = encodeNumbers(el.tag, 'UL', table, enc.littleEndian);
      sink.header(0xfffee000, undefined, bot.length, { ...enc, explicitVr: false });
      sink.push(bot);
      for (const fragment of el.value.fragments) {
        const data = fragment.length % 2 === 1 ? padOdd(fragment) : fragment;
        sink.header(0xfffee000, undefined, data.length, { ...enc, explicitVr: false });
        sink.push(data);
      }
      sink.header(0xfffee0dd, undefined, 0, { ...enc, explicitVr: false });
    } else if (el.vr === 'SQ' || isItems(el.value)) {
      const items = isItems(el.value) ? el.value : [];
      sink.header(el.tag, 'SQ', UNDEFINED_LENGTH, enc);
      for (const item of items) {
        // PS3.5 §7.5: items with undefined length, closed by an Item Delimitation Item.
        sink.header(0xfffee000, undefined, UNDEFINED_LENGTH, { ...enc, explicitVr: false });
        writeElements(sink, item, enc);
        sink.header(0xfffee00d, undefined, 0, { ...enc, explicitVr: false });
      }
      sink.header(0xfffee0dd, undefined, 0, { ...enc, explicitVr: false });
    } else {
      const value = encodeValue(el, enc);
      sink.header(el.tag, el.vr, value.length, enc);
      sink.push(value);
    }
  }
}

function padOdd(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}
