import { createHmac } from 'node:crypto';
import { DicomError, DicomErrorCode } from '../errors/dicom-error';
import type { DicomDataset } from '../parse/dicom-dataset';
import { tagFromParserKey } from '../parse/dicom-dataset';
import { dictionaryVr, vrWordSize } from '../parse/dictionary';
import { TransferSyntax } from '../parse/transfer-syntax';
import { swapBytes, ByteSink, writeElements } from '../write/element-encoder';
import type { DicomElementInput, ElementEncoding } from '../write/element-encoder';
import { part10Preamble } from '../write/write-dicom';
import { uidFromSeed } from '../write/uid';
import { BASIC_PROFILE_ACTIONS } from './basic-profile';

export interface DeidentifyOptions {
  /** Key for pseudonyms, UID mapping and date offsets. The same key gives the same mapping across files. */
  secret: string;
  /** Largest backward date shift in days (default 3650). */
  maxShiftDays?: number;
}

export interface DeidentifyResult {
  bytes: Uint8Array;
  transferSyntaxUid: string;
  patientPseudonym: string;
  dateShiftDays: number;
}

/** UIDs that name standard things (SOP classes, transfer syntaxes, coding schemes) are not identifying. */
const KEEP_UID_TAGS: ReadonlySet<number> = new Set([
  0x00080016, 0x00081150, 0x00020002, 0x00020010, 0x00020012, 0x00041510,
]);

function keyed(secret: string, purpose: string, value: string): string {
  return createHmac('sha256', secret).update(`${purpose}\0${value}`).digest('hex');
}

/**
 * De-identifies per DICOM PS3.15 Annex E, Basic Application Level Confidentiality Profile, with the
 * Retain Longitudinal Temporal Information with Modified Dates Option:
 * - UIDs are replaced by keyed hashes of the originals, so every file of a study maps to the same new
 *   Study/Series UIDs and references stay consistent;
 * - DA and DT values shift back by a per-patient number of days derived from the Patient ID;
 * - identifying attributes are emptied, replaced or removed (basic-profile.ts); private groups are removed.
 * Pixel data is copied unchanged (burned-in annotation is not detected). Output: Explicit VR Little
 * Endian, or the source syntax when the pixel data is compressed.
 */
export function deidentify(ds: DicomDataset, opts: DeidentifyOptions): DeidentifyResult {
  if (!opts.secret)
    throw new DicomError(DicomErrorCode.InvalidArgument, 'de-identification needs a secret key');
  const patientId = ds.string(0x00100020) ?? ds.string(0x00100010) ?? '';
  const pseudonym = `ANON-${keyed(opts.secret, 'patient', patientId).slice(0, 12).toUpperCase()}`;
  const maxShift = opts.maxShiftDays ?? 3650;
  const shiftDays = 1 + (parseInt(keyed(opts.secret, 'date-shift', patientId).slice(0, 8), 16) % maxShift);
  const mapUid = (uid: string): string =>
    uid.startsWith('1.2.840.10008.') ? uid : uidFromSeed(keyed(opts.secret, 'uid', uid));
  const sourceLittleEndian = ds.transferSyntax.littleEndian;

  const convert = (item: DicomDataset, depth: number): DicomElementInput[] => {
    const out: DicomElementInput[] = [];
    for (const key of Object.keys(item.raw.elements)) {
      const tag = tagFromParserKey(key);
      const group = tag >>> 16;
      if (group === 0x0002 || group % 2 === 1 || tag === 0x00080005) continue; // meta, private, charset (re-added)
      const action = BASIC_PROFILE_ACTIONS.get(tag);
      if (action === 'X') continue;
      const el = item.element(tag);
      if (!el) continue;
      const vr = el.vr ?? dictionaryVr(tag) ?? (el.items ? 'SQ' : 'UN');
      if (action === 'Z') {
        out.push({ tag, vr, value: '' });
        continue;
      }
      if (action === 'D') {
        out.push({ tag, vr, value: tag === 0x00100010 ? pseudonym : pseudonym });
        continue;
      }
      if (tag === 0x7fe00010 && el.fragments) {
        out.push({
          tag,
          vr: 'OB',
          value: {
            fragments: el.fragments.map((f) => item.bytes.slice(f.position, f.position + f.length)),
            offsetTable: [...(el.basicOffsetTable ?? [])],
          },
        });
        continue;
      }
      if (vr === 'SQ' || el.items) {
        out.push({ tag, vr: 'SQ', value: item.items(tag).map((child) => convert(child, depth + 1)) });
        continue;
      }
      if (vr === 'UI' && !KEEP_UID_TAGS.has(tag)) {
        out.push({ tag, vr, value: item.strings(tag).map((u) => (u ? mapUid(u) : u)) });
        continue;
      }
      if (vr === 'DA') {
        out.push({ tag, vr, value: item.strings(tag).map((d) => shiftDate(d, shiftDays)) });
        continue;
      }
      if (vr === 'DT') {
        out.push({
          tag,
          vr,
          value: item
            .strings(tag)
            .map((d) => (d.length >= 8 ? shiftDate(d.slice(0, 8), shiftDays) + d.slice(8) : d)),
        });
        continue;
      }
      const raw = item.valueBytes(tag) ?? new Uint8Array(0);
      // Values are re-encoded little endian: swap multi-byte words from a big-endian source.
      const value = sourceLittleEndian
        ? raw.slice()
        : swapBytes(
            raw,
            vrWordSize(vr === 'OW' && tag === 0x7fe00010 && (item.number(0x00280100) ?? 16) <= 8 ? 'OB' : vr),
          );
      out.push({ tag, vr: tag === 0x7fe00010 && vr === 'UN' ? 'OW' : vr, value });
    }
    return out;
  };

  const elements = convert(ds, 0);
  const charset = ds.characterSet.terms;
  if (charset.length) elements.push({ tag: 0x00080005, vr: 'CS', value: [...charset] });
  elements.push(
    { tag: 0x00120062, vr: 'CS', value: 'YES' },
    { tag: 0x00120063, vr: 'LO', value: 'DICOM PS3.15 E.1 Basic Profile; Modified Dates' },
    {
      tag: 0x00120064,
      vr: 'SQ',
      value: [
        [
          { tag: 0x00080100, vr: 'SH', value: '113100' },
          { tag: 0x00080102, vr: 'SH', value: 'DCM' },
          { tag: 0x00080104, vr: 'LO', value: 'Basic Application Confidentiality Profile' },
        ],
        [
          { tag: 0x00080100, vr: 'SH', value: '113107' },
          { tag: 0x00080102, vr: 'SH', value: 'DCM' },
          {
            tag: 0x00080104,
            vr: 'LO',
            value: 'Retain Longitudinal Temporal Information Modified Dates Option',
          },
        ],
      ],
    },
  );
  if (!elements.some((e) => e.tag === 0x00100010))
    elements.push({ tag: 0x00100010, vr: 'PN', value: pseudonym });
  if (!elements.some((e) => e.tag === 0x00100020))
    elements.push({ tag: 0x00100020, vr: 'LO', value: pseudonym });

  const outSyntax = ds.transferSyntax.encapsulated
    ? ds.transferSyntax.uid
    : TransferSyntax.ExplicitVRLittleEndian;
  const enc: ElementEncoding = { explicitVr: true, littleEndian: true, utf8: false };
  const body = new ByteSink();
  writeElements(body, elements, enc);
  const sopClass = ds.string(0x00080016) ?? ds.string(0x00020002) ?? '';
  const sopInstance = elements.find((e) => e.tag === 0x00080018)?.value;
  const preamble = part10Preamble(
    sopClass,
    Array.isArray(sopInstance) ? String(sopInstance[0]) : String(sopInstance ?? ''),
    outSyntax,
  );
  const data = body.concat();
  const bytes = new Uint8Array(preamble.length + data.length);
  bytes.set(preamble);
  bytes.set(data, preamble.length);
  return { bytes, transferSyntaxUid: outSyntax, patientPseudonym: pseudonym, dateShiftDays: shiftDays };
}

/** YYYYMMDD minus `days` (calendar arithmetic in UTC); malformed values are emptied. */
function shiftDate(value: string, days: number): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/u.exec(value.trim());
  if (!m) return '';
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - days * 86400000);
  return `${d.getUTCFullYear().toString().padStart(4, '0')}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}
