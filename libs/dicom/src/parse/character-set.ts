import { TextDecoder } from 'node:util';

/**
 * Text decoding per Specific Character Set (0008,0005): DICOM PS3.3 §C.12.1.1.2 and PS3.5 §6.1.
 * Single-byte and UTF-8/GB18030 sets decode in one step; "ISO 2022 ..." values enable code extensions
 * (ISO/IEC 2022 escape sequences, PS3.5 §6.1.2.5), decoded segment by segment.
 */

/** A graphic set that escape sequences designate (PS3.3 Tables C.12-3 and C.12-4). */
type GraphicSet =
  | { kind: 'ascii' }
  | { kind: 'single'; decoder: string } // 96-character set in G1, bytes ≥ 0x80
  | { kind: 'latin1' }
  | { kind: 'jisx0201-katakana' }
  | { kind: 'jisx0208' } // 94² set in G0 (ESC $ B), decoded as EUC-JP
  | { kind: 'jisx0212' } // 94² set in G0 (ESC $ ( D), decoded as EUC-JP with SS3
  | { kind: 'euc'; decoder: string }; // 94² set in G1: KS X 1001 (euc-kr), GB 2312 (gbk)

/** Defined Terms without code extensions → WHATWG decoder label. */
const SINGLE_STEP: Record<string, string> = {
  '': 'latin1-strict',
  ISO_IR_6: 'latin1-strict',
  'ISO_IR 6': 'latin1-strict',
  'ISO_IR 100': 'latin1-strict',
  'ISO_IR 101': 'iso-8859-2',
  'ISO_IR 109': 'iso-8859-3',
  'ISO_IR 110': 'iso-8859-4',
  'ISO_IR 144': 'iso-8859-5',
  'ISO_IR 127': 'iso-8859-6',
  'ISO_IR 126': 'iso-8859-7',
  'ISO_IR 138': 'iso-8859-8',
  'ISO_IR 148': 'windows-1254',
  'ISO_IR 203': 'iso-8859-15',
  'ISO_IR 13': 'shift_jis',
  'ISO_IR 166': 'windows-874',
  'ISO_IR 192': 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
};

/** "ISO 2022 IR nnn" → the set it designates into G0/G1 when it is the first (default) value. */
const ISO2022_G1: Record<string, GraphicSet> = {
  'ISO 2022 IR 6': { kind: 'ascii' },
  'ISO 2022 IR 100': { kind: 'latin1' },
  'ISO 2022 IR 101': { kind: 'single', decoder: 'iso-8859-2' },
  'ISO 2022 IR 109': { kind: 'single', decoder: 'iso-8859-3' },
  'ISO 2022 IR 110': { kind: 'single', decoder: 'iso-8859-4' },
  'ISO 2022 IR 144': { kind: 'single', decoder: 'iso-8859-5' },
  'ISO 2022 IR 127': { kind: 'single', decoder: 'iso-8859-6' },
  'ISO 2022 IR 126': { kind: 'single', decoder: 'iso-8859-7' },
  'ISO 2022 IR 138': { kind: 'single', decoder: 'iso-8859-8' },
  'ISO 2022 IR 148': { kind: 'single', decoder: 'windows-1254' },
  'ISO 2022 IR 13': { kind: 'jisx0201-katakana' },
  'ISO 2022 IR 166': { kind: 'single', decoder: 'windows-874' },
  'ISO 2022 IR 149': { kind: 'euc', decoder: 'euc-kr' },
  'ISO 2022 IR 58': { kind: 'euc', decoder: 'gbk' },
};

const decoders = new Map<string, TextDecoder>();
function decoder(label: string): TextDecoder {
  let d = decoders.get(label);
  if (!d) {
    d = new TextDecoder(label);
    decoders.set(label, d);
  }
  return d;
}

/** ISO 8859-1 byte → code point, exactly (WHATWG "latin1" is windows-1252, which differs at 0x80–0x9F). */
function decodeLatin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return out;
}

function decodeWith(label: string, bytes: Uint8Array): string {
  if (bytes.length === 0) return '';
  return label === 'latin1-strict' ? decodeLatin1(bytes) : decoder(label).decode(bytes);
}

/** A decoder bound to one data set's Specific Character Set. */
export class CharacterSet {
  readonly terms: readonly string[];
  private readonly singleStep: string | undefined;
  private readonly initialG0: GraphicSet;
  private readonly initialG1: GraphicSet | undefined;

  constructor(specificCharacterSet: readonly string[] = []) {
    this.terms = specificCharacterSet.map((t) => t.trim());
    const first = this.terms[0] ?? '';
    const extended = this.terms.length > 1 || first.startsWith('ISO 2022');
    this.singleStep = extended ? undefined : (SINGLE_STEP[first] ?? 'latin1-strict');
    if (first === 'ISO 2022 IR 13') {
      this.initialG0 = { kind: 'ascii' };
      this.initialG1 = { kind: 'jisx0201-katakana' };
    } else {
      this.initialG0 = { kind: 'ascii' };
      this.initialG1 = ISO2022_G1[first] ?? (first === '' ? undefined : { kind: 'latin1' });
    }
  }

  /** True when text VRs need more than ASCII/Latin-1 handling. */
  get isDefault(): boolean {
    return this.singleStep === 'latin1-strict';
  }

  /**
   * Decodes a text value. `personName` enables the PN rule that "^" and "=" reset the code extension
   * state (PS3.5 §6.1.2.5.3), as CR, LF, FF and TAB do for every text VR.
   */
  decode(bytes: Uint8Array, personName = false): string {
    if (this.singleStep) return decodeWith(this.singleStep, bytes);
    return this.decodeIso2022(bytes, personName);
  }

  private decodeIso2022(bytes: Uint8Array, personName: boolean): string {
    let g0 = this.initialG0;
    let g1 = this.initialG1;
    let out = '';
    let i = 0;
    const run: number[] = [];
    let runLabel = '';
    const flush = (): void => {
      if (run.length) out += decodeWith(runLabel, Uint8Array.from(run));
      run.length = 0;
    };
    const push = (label: string, ...bs: number[]): void => {
      if (label !== runLabel) {
        flush();
        runLabel = label;
      }
      run.push(...bs);
    };
    while (i < bytes.length) {
      const b = bytes[i];
      if (b === 0x1b) {
        const designated = parseEscape(bytes, i);
        if (designated) {
          if (designated.g === 0) g0 = designated.set;
          else g1 = designated.set;
          i += designated.length;
          continue;
        }
        i += 1;
        continue;
      }
      const isDelimiter =
        b === 0x0d || b === 0x0a || b === 0x0c || b === 0x09 || (personName && (b === 0x5e || b === 0x3d));
      if (isDelimiter) {
        g0 = this.initialG0;
        g1 = this.initialG1;
        push('latin1-strict', b);
        i += 1;
        continue;
      }
      if (b < 0x80) {
        if (g0.kind === 'jisx0208' && i + 1 < bytes.length) {
          push('euc-jp', b | 0x80, bytes[i + 1] | 0x80);
          i += 2;
        } else if (g0.kind === 'jisx0212' && i + 1 < bytes.length) {
          push('euc-jp', 0x8f, b | 0x80, bytes[i + 1] | 0x80);
          i += 2;
        } else {
          push('latin1-strict', b);
          i += 1;
        }
        continue;
      }
      if (!g1) {
        push('latin1-strict', b);
        i += 1;
        continue;
      }
      switch (g1.kind) {
        case 'euc':
          push(g1.decoder, b, bytes[i + 1] ?? 0);
          i += 2;
          break;
        case 'jisx0201-katakana':
          push('shift_jis', b);
          i += 1;
          break;
        case 'single':
          push(g1.decoder, b);
          i += 1;
          break;
        case 'ascii':
        case 'latin1':
        case 'jisx0208':
        case 'jisx0212':
          push('latin1-strict', b);
          i += 1;
          break;
      }
    }
    flush();
    return out;
  }
}

/** Escape sequences of PS3.3 Tables C.12-3/C.12-4: which set they designate, into G0 or G1. */
function parseEscape(
  bytes: Uint8Array,
  at: number,
): { g: 0 | 1; set: GraphicSet; length: number } | undefined {
  const s = String.fromCharCode(...bytes.subarray(at + 1, at + 4));
  const table: Array<[string, 0 | 1, GraphicSet]> = [
    ['$(D', 0, { kind: 'jisx0212' }],
    ['$)C', 1, { kind: 'euc', decoder: 'euc-kr' }],
    ['$)A', 1, { kind: 'euc', decoder: 'gbk' }],
    ['$B', 0, { kind: 'jisx0208' }],
    ['$@', 0, { kind: 'jisx0208' }],
    ['(B', 0, { kind: 'ascii' }],
    ['(J', 0, { kind: 'ascii' }],
    [')I', 1, { kind: 'jisx0201-katakana' }],
    ['-A', 1, { kind: 'latin1' }],
    ['-B', 1, { kind: 'single', decoder: 'iso-8859-2' }],
    ['-C', 1, { kind: 'single', decoder: 'iso-8859-3' }],
    ['-D', 1, { kind: 'single', decoder: 'iso-8859-4' }],
    ['-L', 1, { kind: 'single', decoder: 'iso-8859-5' }],
    ['-G', 1, { kind: 'single', decoder: 'iso-8859-6' }],
    ['-F', 1, { kind: 'single', decoder: 'iso-8859-7' }],
    ['-H', 1, { kind: 'single', decoder: 'iso-8859-8' }],
    ['-M', 1, { kind: 'single', decoder: 'windows-1254' }],
    ['-T', 1, { kind: 'single', decoder: 'windows-874' }],
  ];
  for (const [seq, g, set] of table) {
    if (s.startsWith(seq)) return { g, set, length: 1 + seq.length };
  }
  return undefined;
}
