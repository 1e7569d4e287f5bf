import { TransferSyntax, writeDicom } from '@mosaic/dicom';
import type { DicomElementInput } from '@mosaic/dicom';
import { Role } from '@mosaic/domain';
import type { TestApp } from '../../support/test-app';

export const API = '/api/v1';

export interface CreatedPatient {
  id: string;
  mrn: string;
}

let patientCounter = 0;

/** Creates a patient with one MRN in the default system; the MRN is unique per call. */
export async function createPatient(t: TestApp, family = 'Doe', given = ['Jane']): Promise<CreatedPatient> {
  patientCounter += 1;
  const mrn = `MRN-${process.pid}-${patientCounter}`;
  const response = await t.http
    .post(`${API}/patients`)
    .set('Authorization', t.auth(Role.Integration))
    .send({ name: { family, given }, birthDate: '1970-01-31', sex: 'female', identifiers: [{ value: mrn }] });
  if (response.status !== 201) throw new Error(`patient not created: ${response.status} ${response.text}`);
  return { id: response.body.id as string, mrn };
}

export interface DicomFixtureOptions {
  sopInstanceUid: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  /** PatientID (0010,0020); omitted when null. */
  patientId?: string | null;
  acquisitionDate?: string;
  acquisitionTime?: string;
  /** TimezoneOffsetFromUTC (0008,0201), e.g. "+0200". */
  timezoneOffset?: string;
  /** Changes the pixel values, so the same SOP Instance UID gets different bytes. */
  pixelSeed?: number;
  rows?: number;
  columns?: number;
  /** Leave out the study/series/acquisition dates entirely. */
  withoutDates?: boolean;
}

/**
 * A small, deterministic DICOM Part 10 file (Digital X-Ray, Explicit VR Little Endian, 12-bit
 * MONOCHROME2) written by @mosaic/dicom's writer: no external tool is needed to make fixtures.
 */
export async function dicomFixture(options: DicomFixtureOptions): Promise<Buffer> {
  const rows = options.rows ?? 16;
  const columns = options.columns ?? 16;
  const seed = options.pixelSeed ?? 0;
  const pixels = new Uint16Array(rows * columns);
  for (let i = 0; i < pixels.length; i += 1) pixels[i] = (i * 37 + seed * 101) % 4096;
  const elements: DicomElementInput[] = [
    { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.1.1' },
    { tag: 0x00080018, vr: 'UI', value: options.sopInstanceUid },
    { tag: 0x00080060, vr: 'CS', value: 'DX' },
    { tag: 0x0008103e, vr: 'LO', value: 'PA chest' },
    { tag: 0x00081030, vr: 'LO', value: 'Chest radiograph' },
    { tag: 0x00100010, vr: 'PN', value: 'Doe^Jane' },
    { tag: 0x00180015, vr: 'CS', value: 'CHEST' },
    { tag: 0x00185101, vr: 'CS', value: 'PA' },
    { tag: 0x0020000d, vr: 'UI', value: options.studyInstanceUid ?? testUid() },
    { tag: 0x0020000e, vr: 'UI', value: options.seriesInstanceUid ?? testUid() },
  ];
  if (!options.withoutDates) {
    elements.push(
      { tag: 0x00080020, vr: 'DA', value: options.acquisitionDate ?? '20240315' },
      { tag: 0x00080030, vr: 'TM', value: '100000' },
      { tag: 0x00080022, vr: 'DA', value: options.acquisitionDate ?? '20240315' },
      { tag: 0x00080032, vr: 'TM', value: options.acquisitionTime ?? '101500' },
    );
  }
  if (options.timezoneOffset) elements.push({ tag: 0x00080201, vr: 'SH', value: options.timezoneOffset });
  if (options.patientId !== null)
    elements.push({ tag: 0x00100020, vr: 'LO', value: options.patientId ?? '' });
  const bytes = await writeDicom({
    transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
    elements,
    image: { rows, columns, bitsAllocated: 16, bitsStored: 12, frames: [pixels] },
  });
  return Buffer.from(bytes);
}

let uidCounter = 0;

/** A fresh UID under a test root, unique within the process. */
export function testUid(): string {
  uidCounter += 1;
  return `1.2.826.0.1.3680043.10.${process.pid}.${uidCounter}`;
}
