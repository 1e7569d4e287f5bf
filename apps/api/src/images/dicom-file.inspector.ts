import { createHash } from 'node:crypto';
import { isDicomError, parseDicom, readMetadata, resolveDicomDateTime } from '@mosaic/dicom';
import { ImageErrorCode } from './images.errors';
import type { FileProblem } from './images.errors';

/** An uploaded file whose header was read and holds everything Mosaic stores. */
export interface InspectedDicomFile {
  fileName: string;
  bytes: Buffer;
  sha256: string;
  sopInstanceUid: string;
  sopClassUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  transferSyntaxUid: string;
  /** PatientID (0010,0020) as received, undefined when absent. */
  dicomPatientId?: string;
  modality: string;
  bodyPart?: string;
  viewPosition?: string;
  seriesDescription?: string;
  studyDescription?: string;
  accessionNumber?: string;
  rows: number;
  columns: number;
  numberOfFrames: number;
  /** Acquisition instant in UTC (ISO 8601), with the attribute it came from. */
  effectiveAt: string;
  effectiveAtSource: string;
  studyStartedAt?: string;
}

export type Inspection = { ok: true; file: InspectedDicomFile } | { ok: false; problem: FileProblem };

/**
 * DICOM PS3.3 §C.7.3.1.1.1: OT ("Other") is the defined term when the modality is not stated; Modality
 * is Type 1 but absent in some secondary-capture files, which are still worth keeping.
 */
const UNKNOWN_MODALITY = 'OT';

/**
 * Reads one uploaded file: parses the Part 10 header and pixel module (checking the pixel data length)
 * and extracts what the imaging tables hold. The acquisition date-time falls back to the content,
 * series and study date-times, and a value without an offset is read in the facility time zone unless
 * the file carries TimezoneOffsetFromUTC (0008,0201) (ARCHITECTURE.md §Time).
 */
export function inspectDicomFile(fileName: string, bytes: Buffer, facilityTimeZone: string): Inspection {
  const refuse = (code: ImageErrorCode, detail: string): Inspection => ({
    ok: false,
    problem: { file: fileName, code, detail },
  });
  let metadata;
  try {
    metadata = readMetadata(parseDicom(bytes, { fileName }), { facilityTimeZone });
  } catch (error) {
    const reason = isDicomError(error)
      ? `${error.message.replace(`${fileName}: `, '')} [${error.code}]`
      : (error as Error).message;
    return refuse(ImageErrorCode.NotDicom, `not a readable DICOM Part 10 file: ${reason}`);
  }
  const missing: string[] = [];
  if (!metadata.sopInstanceUid) missing.push('SOP Instance UID (0008,0018)');
  if (!metadata.sopClassUid) missing.push('SOP Class UID (0008,0016)');
  if (!metadata.studyInstanceUid) missing.push('Study Instance UID (0020,000D)');
  if (!metadata.seriesInstanceUid) missing.push('Series Instance UID (0020,000E)');
  if (!metadata.image) missing.push('the Image Pixel Module (Rows (0028,0010), Columns (0028,0011))');
  if (!metadata.acquisitionDateTime) {
    missing.push('a date: Acquisition DateTime (0008,002A), or Acquisition, Content, Series or Study Date');
  }
  if (missing.length > 0 || !metadata.image || !metadata.acquisitionDateTime) {
    return refuse(ImageErrorCode.MissingAttributes, `DICOM without ${missing.join(', ')}`);
  }
  const studyDate = metadata.study.date
    ? resolveDicomDateTime(`${metadata.study.date}${(metadata.study.time ?? '').replace(/:/g, '')}`, {
        timezoneOffsetFromUtc: metadata.timezoneOffsetFromUtc,
        facilityTimeZone,
      })
    : undefined;
  return {
    ok: true,
    file: {
      fileName,
      bytes,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      sopInstanceUid: metadata.sopInstanceUid as string,
      sopClassUid: metadata.sopClassUid as string,
      studyInstanceUid: metadata.studyInstanceUid as string,
      seriesInstanceUid: metadata.seriesInstanceUid as string,
      transferSyntaxUid: metadata.transferSyntaxUid,
      dicomPatientId: metadata.patient.id?.trim() || undefined,
      modality: metadata.series.modality ?? UNKNOWN_MODALITY,
      bodyPart: metadata.series.bodyPartExamined,
      viewPosition: metadata.viewPosition,
      seriesDescription: metadata.series.description,
      studyDescription: metadata.study.description,
      accessionNumber: metadata.study.accessionNumber,
      rows: metadata.image.rows,
      columns: metadata.image.columns,
      numberOfFrames: metadata.image.numberOfFrames,
      effectiveAt: metadata.acquisitionDateTime.utc,
      effectiveAtSource: metadata.acquisitionDateTime.source,
      studyStartedAt: studyDate?.utc,
    },
  };
}
