import type { DataSet, Element } from 'dicom-parser';
import type { CharacterSet } from './character-set';
import { CHARSET_TEXT_VRS, dictionaryVr, tagHex } from './dictionary';
import type { TransferSyntaxInfo } from './transfer-syntax';

/** dicom-parser's key for a tag: "x" + lower-case hex. */
export function parserKey(tag: number): string {
  return `x${tagHex(tag).toLowerCase()}`;
}

export function tagFromParserKey(key: string): number {
  return parseInt(key.slice(1), 16) >>> 0;
}

/**
 * A parsed data set (or a sequence item) with typed accessors. Text values are decoded per the
 * data set's Specific Character Set; numbers honour the transfer syntax's byte order.
 */
export class DicomDataset {
  constructor(
    readonly raw: DataSet,
    readonly transferSyntax: TransferSyntaxInfo,
    readonly characterSet: CharacterSet,
    readonly fileName?: string,
    /** False when the file had no preamble/"DICM"/meta header (PS3.10 §7.1 not followed). */
    readonly hasPart10Header = true,
  ) {}

  get bytes(): Uint8Array {
    return this.raw.byteArray;
  }

  element(tag: number): Element | undefined {
    return this.raw.elements[parserKey(tag)];
  }

  has(tag: number): boolean {
    return this.element(tag) !== undefined;
  }

  /** The element's VR: explicit when the syntax carries it, else from the dictionary. */
  vr(tag: number): string | undefined {
    const el = this.element(tag);
    if (!el) return undefined;
    return el.vr ?? dictionaryVr(tag);
  }

  /** The element's value bytes (a view, not a copy). */
  valueBytes(tag: number): Uint8Array | undefined {
    const el = this.element(tag);
    if (!el || el.hadUndefinedLength) return undefined;
    return this.bytes.subarray(el.dataOffset, el.dataOffset + el.length);
  }

  /** All values of a text element, trimmed (PS3.5 §6.2: leading/trailing spaces are padding). */
  strings(tag: number): string[] {
    const value = this.valueBytes(tag);
    if (!value || value.length === 0) return [];
    const vr = this.vr(tag) ?? 'UN';
    const text = CHARSET_TEXT_VRS.has(vr)
      ? this.characterSet.decode(value, vr === 'PN')
      : String.fromCharCode(...value.subarray(0, Math.min(value.length, 65536)));
    // LT, ST and UT are single-valued: a backslash there is text (PS3.5 Table 6.2-1).
    const parts = vr === 'LT' || vr === 'ST' || vr === 'UT' ? [text] : text.split('\\');
    return parts.map((p) => p.replace(/\0+$/u, '').trim());
  }

  string(tag: number, index = 0): string | undefined {
    const value = this.strings(tag)[index];
    return value === undefined || value === '' ? undefined : value;
  }

  /** Numeric value: DS/IS parsed from text, binary VRs read in the data set's byte order. */
  numbers(tag: number): number[] {
    const el = this.element(tag);
    if (!el || el.length === 0) return [];
    const vr = this.vr(tag);
    const key = parserKey(tag);
    const binary = (read: (k: string, i: number) => number | undefined, size: number): number[] => {
      const out: number[] = [];
      for (let i = 0; i < Math.floor(el.length / size); i++) out.push(read(key, i) ?? NaN);
      return out;
    };
    switch (vr ?? '') {
      case 'US':
        return binary((k, i) => this.raw.uint16(k, i), 2);
      case 'SS':
        return binary((k, i) => this.raw.int16(k, i), 2);
      case 'UL':
        return binary((k, i) => this.raw.uint32(k, i), 4);
      case 'SL':
        return binary((k, i) => this.raw.int32(k, i), 4);
      case 'FL':
        return binary((k, i) => this.raw.float(k, i), 4);
      case 'FD':
        return binary((k, i) => this.raw.double(k, i), 8);
      default:
        return this.strings(tag)
          .filter((s) => s !== '')
          .map(Number);
    }
  }

  number(tag: number, index = 0): number | undefined {
    const value = this.numbers(tag)[index];
    return value === undefined || Number.isNaN(value) ? undefined : value;
  }

  /** Items of a sequence, each as a data set sharing this one's character set. */
  items(tag: number): DicomDataset[] {
    const el = this.element(tag);
    if (!el?.items) return [];
    return el.items
      .filter((item): item is Element & { dataSet: DataSet } => item.dataSet !== undefined)
      .map((item) => new DicomDataset(item.dataSet, this.transferSyntax, this.characterSet, this.fileName));
  }

  /** Every top-level tag, ascending. */
  tags(): number[] {
    return Object.keys(this.raw.elements)
      .map(tagFromParserKey)
      .sort((a, b) => a - b);
  }
}
