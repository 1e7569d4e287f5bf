import { createHash } from 'node:crypto';
import { PNG } from 'pngjs';
import { TransferSyntax, uidFromSeed, writeDicom } from '@mosaic/dicom';
import type { LabelSlug } from '../labels/cohort-labels';
import { renderChestImage } from '../images/chest-phantom';
import type { ChestImage } from '../images/chest-phantom';
import type { NoteSpan } from '../notes/note-writer';
import { writeNote } from '../notes/note-writer';
import type { Modality, PatientPlan } from '../plan/patient-plan';
import { planPatient } from '../plan/patient-plan';
import { SeededRandom } from '../random/seeded-random';
import { patternCodes, simulateVitals } from '../vitals/vitals-simulator';

/** Bump on any change that alters generated data (docs/cohort.md §Versioning). */
export const GENERATOR_VERSION = '1.0.0';

/**
 * Lossless syntaxes only, so the stored pixels equal the rendered ones and the masks stay exact;
 * the mix exercises every decoder path of libs/dicom (PS3.5 §10, Annex A).
 */
export const COHORT_TRANSFER_SYNTAXES: readonly { uid: string; weight: number }[] = [
  { uid: TransferSyntax.ExplicitVRLittleEndian, weight: 0.3 },
  { uid: TransferSyntax.ImplicitVRLittleEndian, weight: 0.1 },
  { uid: TransferSyntax.RleLossless, weight: 0.15 },
  { uid: TransferSyntax.JpegLsLossless, weight: 0.15 },
  { uid: TransferSyntax.Jpeg2000Lossless, weight: 0.15 },
  { uid: TransferSyntax.JpegLosslessSV1, weight: 0.1 },
  { uid: TransferSyntax.DeflatedExplicitVRLittleEndian, weight: 0.05 },
];

/** Digital X-Ray Image Storage – For Presentation and Computed Radiography Image Storage (PS3.4 Annex B). */
const DX_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.1.1';
const CR_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.1';
const BASE_INSTANT = Date.UTC(2024, 0, 1);

export interface ImageFindingTruth {
  kind: string;
  side: string;
  zone: number;
  variant: string;
  severity: number;
  /** The condition this finding is evidence for, or null for a mimic. */
  label: LabelSlug | null;
  mimic: string | null;
  evidence: boolean;
  mask: string;
  area: number;
  bbox: [number, number, number, number];
}

export interface VitalsWindowTruth {
  pattern: string;
  label: LabelSlug | null;
  mimic: string | null;
  evidence: boolean;
  /** Half-open ISO 8601 UTC instants. */
  start: string;
  end: string;
  /** The same window as 0-based rows of the 48-hour grid. */
  startHour: number;
  endHour: number;
  codes: string[];
}

export interface PatientGroundTruth {
  patientId: string;
  split: PatientPlan['split'];
  labels: LabelSlug[];
  modalities: Record<Modality, boolean>;
  sex: 'F' | 'M';
  age: number;
  mimics: string[];
  note: {
    file: string;
    effectiveAt: string;
    sha256: string;
    spans: NoteSpan[];
    hasNegation: boolean;
    hasFamilyHistory: boolean;
    hasHedge: boolean;
  } | null;
  image: {
    file: string;
    sopClassUid: string;
    studyInstanceUid: string;
    seriesInstanceUid: string;
    sopInstanceUid: string;
    transferSyntaxUid: string;
    rows: number;
    columns: number;
    bitsStored: number;
    acquiredAt: string;
    findings: ImageFindingTruth[];
  } | null;
  vitals: {
    file: string;
    start: string;
    end: string;
    observationCount: number;
    windows: VitalsWindowTruth[];
  } | null;
}

export interface GeneratedFile {
  /** Relative to the cohort directory, POSIX separators. */
  path: string;
  bytes: Uint8Array;
}

export interface GeneratedPatient {
  record: PatientGroundTruth;
  files: GeneratedFile[];
}

export function patientIdFor(seed: number, index: number): string {
  return `syn-${seed}-${String(index + 1).padStart(5, '0')}`;
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function dicomDateTime(ms: number): { date: string; time: string } {
  const iso = new Date(ms).toISOString();
  return { date: iso.slice(0, 10).replace(/-/g, ''), time: iso.slice(11, 19).replace(/:/g, '') };
}

function maskPng(image: ChestImage, mask: Uint8Array): Uint8Array {
  const png = new PNG({
    width: image.columns,
    height: image.rows,
    colorType: 0,
    inputColorType: 0,
    bitDepth: 8,
    inputHasAlpha: false,
  });
  const data = Buffer.alloc(mask.length);
  for (let i = 0; i < mask.length; i++) data[i] = mask[i] ? 255 : 0;
  png.data = data;
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, deflateLevel: 9 });
}

function pickTransferSyntax(rng: SeededRandom): string {
  let u = rng.next();
  for (const option of COHORT_TRANSFER_SYNTAXES) {
    if (u < option.weight) return option.uid;
    u -= option.weight;
  }
  return COHORT_TRANSFER_SYNTAXES[0].uid;
}

/** Generates one patient from (seed, index) alone, so patients can be made in any order or in parallel. */
export async function generatePatient(seed: number, index: number): Promise<GeneratedPatient> {
  const patientId = patientIdFor(seed, index);
  const plan = planPatient(SeededRandom.stream(seed, 'plan', index));
  const timing = SeededRandom.stream(seed, 'timing', index);
  const endMs = BASE_INSTANT + timing.int(0, 364) * 86_400_000 + timing.int(0, 23) * 3_600_000;
  const dir = `patients/${patientId}`;
  const files: GeneratedFile[] = [];
  const record: PatientGroundTruth = {
    patientId,
    split: plan.split,
    labels: plan.labels,
    modalities: plan.modalities,
    sex: plan.sex,
    age: plan.age,
    mimics: plan.mimics,
    note: null,
    image: null,
    vitals: null,
  };

  if (plan.modalities.note) {
    const note = writeNote(SeededRandom.stream(seed, 'note', index), plan);
    const path = `${dir}/note.txt`;
    files.push({ path, bytes: Buffer.from(note.text, 'utf8') });
    record.note = {
      file: path,
      effectiveAt: new Date(endMs).toISOString(),
      sha256: sha256(note.text),
      spans: note.spans,
      hasNegation: note.spans.some((span) => span.kind === 'negated'),
      hasFamilyHistory: note.spans.some((span) => span.kind === 'family_history'),
      hasHedge: note.spans.some((span) => span.kind === 'hedged'),
    };
  }

  if (plan.modalities.vitals) {
    const vitals = simulateVitals(SeededRandom.stream(seed, 'vitals', index), endMs, plan.vitalsPatterns);
    const path = `${dir}/vitals.json`;
    files.push({ path, bytes: Buffer.from(`${JSON.stringify(vitals.observations)}\n`, 'utf8') });
    const startMs = Date.parse(vitals.start);
    record.vitals = {
      file: path,
      start: vitals.start,
      end: vitals.end,
      observationCount: vitals.observations.length,
      windows: plan.vitalsPatterns.map((pattern) => ({
        pattern: pattern.kind,
        label: 'label' in pattern.cause ? pattern.cause.label : null,
        mimic: 'mimic' in pattern.cause ? pattern.cause.mimic : null,
        evidence: 'label' in pattern.cause,
        start: new Date(startMs + pattern.startHour * 3_600_000).toISOString(),
        end: new Date(startMs + (pattern.startHour + pattern.durationHours) * 3_600_000).toISOString(),
        startHour: pattern.startHour,
        endHour: pattern.startHour + pattern.durationHours,
        codes: patternCodes(pattern.kind),
      })),
    };
  }

  if (plan.modalities.image) {
    const imageRng = SeededRandom.stream(seed, 'image', index);
    const image = renderChestImage(imageRng, plan.imageFindings);
    const transferSyntaxUid = pickTransferSyntax(imageRng);
    const sopClassUid = imageRng.chance(0.5) ? DX_SOP_CLASS : CR_SOP_CLASS;
    const acquiredMs = endMs - imageRng.int(1, 6) * 3_600_000;
    const uid = (kind: string): string => uidFromSeed(`mosaic-cohort/${seed}/${index}/${kind}`);
    const studyInstanceUid = uid('study');
    const seriesInstanceUid = uid('series');
    const sopInstanceUid = uid('instance');
    const bytes = await writeDicom({
      transferSyntaxUid,
      elements: imageElements({
        plan,
        patientId,
        sopClassUid,
        studyInstanceUid,
        seriesInstanceUid,
        sopInstanceUid,
        acquiredMs,
      }),
      image: {
        rows: image.rows,
        columns: image.columns,
        bitsAllocated: 16,
        bitsStored: image.bitsStored,
        pixelRepresentation: 0,
        photometricInterpretation: 'MONOCHROME2',
        frames: [image.pixels],
      },
    });
    const path = `${dir}/image.dcm`;
    files.push({ path, bytes });
    record.image = {
      file: path,
      sopClassUid,
      studyInstanceUid,
      seriesInstanceUid,
      sopInstanceUid,
      transferSyntaxUid,
      rows: image.rows,
      columns: image.columns,
      bitsStored: image.bitsStored,
      acquiredAt: new Date(acquiredMs).toISOString(),
      findings: image.findings.map((finding, k) => {
        const maskPath = `${dir}/masks/${k}-${finding.finding.kind}.png`;
        files.push({ path: maskPath, bytes: maskPng(image, finding.mask) });
        const cause = finding.finding.cause;
        return {
          kind: finding.finding.kind,
          side: finding.finding.side,
          zone: finding.finding.zone,
          variant: finding.finding.variant,
          severity: Number(finding.finding.severity.toFixed(4)),
          label: 'label' in cause ? cause.label : null,
          mimic: 'mimic' in cause ? cause.mimic : null,
          evidence: 'label' in cause,
          mask: maskPath,
          area: finding.area,
          bbox: finding.bbox,
        };
      }),
    };
  }
  return { record, files };
}

function imageElements(args: {
  plan: PatientPlan;
  patientId: string;
  sopClassUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  acquiredMs: number;
}): { tag: number; vr: string; value: string | number | string[] }[] {
  const { date, time } = dicomDateTime(args.acquiredMs);
  const birthYear = new Date(args.acquiredMs).getUTCFullYear() - args.plan.age;
  const modality = args.sopClassUid === DX_SOP_CLASS ? 'DX' : 'CR';
  // 0.35 mm detector pitch is typical of CR/DX chest plates; windowing covers the 12-bit range.
  return [
    { tag: 0x00080005, vr: 'CS', value: 'ISO_IR 192' },
    { tag: 0x00080008, vr: 'CS', value: ['ORIGINAL', 'PRIMARY'] },
    { tag: 0x00080016, vr: 'UI', value: args.sopClassUid },
    { tag: 0x00080018, vr: 'UI', value: args.sopInstanceUid },
    { tag: 0x00080020, vr: 'DA', value: date },
    { tag: 0x00080022, vr: 'DA', value: date },
    { tag: 0x00080030, vr: 'TM', value: time },
    { tag: 0x00080032, vr: 'TM', value: time },
    { tag: 0x00080050, vr: 'SH', value: `A${args.patientId.replace(/\D/g, '').slice(-10)}` },
    { tag: 0x00080060, vr: 'CS', value: modality },
    { tag: 0x00080064, vr: 'CS', value: 'SYN' },
    { tag: 0x00080068, vr: 'CS', value: 'FOR PRESENTATION' },
    { tag: 0x00080070, vr: 'LO', value: 'Mosaic synthetic cohort' },
    { tag: 0x00080201, vr: 'SH', value: '+0000' },
    { tag: 0x00081030, vr: 'LO', value: 'CHEST 1 VIEW' },
    { tag: 0x00100010, vr: 'PN', value: `Synthetic^${args.patientId}` },
    { tag: 0x00100020, vr: 'LO', value: args.patientId },
    { tag: 0x00100030, vr: 'DA', value: `${birthYear}0101` },
    { tag: 0x00100040, vr: 'CS', value: args.plan.sex },
    { tag: 0x00180015, vr: 'CS', value: 'CHEST' },
    { tag: 0x00185101, vr: 'CS', value: 'PA' },
    { tag: 0x0020000d, vr: 'UI', value: args.studyInstanceUid },
    { tag: 0x0020000e, vr: 'UI', value: args.seriesInstanceUid },
    { tag: 0x00200010, vr: 'SH', value: '1' },
    { tag: 0x00200011, vr: 'IS', value: '1' },
    { tag: 0x00200013, vr: 'IS', value: '1' },
    { tag: 0x00200020, vr: 'CS', value: ['L', 'F'] },
    { tag: 0x00281040, vr: 'CS', value: 'LIN' },
    { tag: 0x00281050, vr: 'DS', value: '1600' },
    { tag: 0x00281051, vr: 'DS', value: '3000' },
    { tag: 0x00281052, vr: 'DS', value: '0' },
    { tag: 0x00281053, vr: 'DS', value: '1' },
    { tag: 0x00282110, vr: 'CS', value: '00' },
    { tag: 0x00181164, vr: 'DS', value: ['0.35', '0.35'] },
  ];
}
