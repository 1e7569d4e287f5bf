import { MosaicError } from '../common/errors/mosaic-error';

export enum ImageErrorCode {
  NotFound = 'IMAGE_NOT_FOUND',
  /** The multipart body has no file in the `files` field, or files in another field. */
  NoFiles = 'IMAGE_NO_FILES',
  /** A file is not a readable DICOM Part 10 file (PS3.10 §7.1); the reason names the file. */
  NotDicom = 'IMAGE_NOT_DICOM',
  /** Readable DICOM, but without an attribute Mosaic needs (a UID, the image pixel module, a date). */
  MissingAttributes = 'IMAGE_MISSING_ATTRIBUTES',
  /** PatientID (0010,0020) names someone other than the target patient's MRN. */
  PatientIdMismatch = 'IMAGE_PATIENT_ID_MISMATCH',
  /** The SOP Instance UID is stored already with different bytes, or for another patient. */
  SopInstanceConflict = 'IMAGE_SOP_INSTANCE_CONFLICT',
  /** The Study or Series Instance UID is stored already for another patient or study. */
  StudyConflict = 'IMAGE_STUDY_CONFLICT',
  FileTooLarge = 'IMAGE_FILE_TOO_LARGE',
  TooManyFiles = 'IMAGE_TOO_MANY_FILES',
}

export class ImageError extends MosaicError<ImageErrorCode> {}

/** One file's reason for refusing the upload. */
export interface FileProblem {
  file: string;
  code: ImageErrorCode;
  detail: string;
}

/**
 * The whole upload is refused when any file is (docs/ingest.md: multi-file uploads are atomic). The
 * status follows the most basic problem — unreadable files (422) before conflicts (409) — and every
 * file's reason is listed, in `errors` (RFC 9457 pointer = file name) and with its code in `files`.
 */
export function uploadRefused(problems: FileProblem[], totalFiles: number): ImageError {
  const precedence = [
    ImageErrorCode.NotDicom,
    ImageErrorCode.MissingAttributes,
    ImageErrorCode.PatientIdMismatch,
    ImageErrorCode.SopInstanceConflict,
    ImageErrorCode.StudyConflict,
  ];
  const code =
    precedence.find((candidate) => problems.some((problem) => problem.code === candidate)) ??
    problems[0].code;
  const refused = new Set(problems.map((problem) => problem.file)).size;
  return new ImageError(
    code,
    `${refused} of ${totalFiles} file${totalFiles === 1 ? '' : 's'} refused, so nothing was stored: ${problems
      .slice(0, 3)
      .map((problem) => `${problem.file}: ${problem.detail}`)
      .join('; ')}${problems.length > 3 ? '; …' : ''}`,
    problems.map((problem) => ({ pointer: problem.file, detail: problem.detail })),
    { files: problems.map(({ file, code: fileCode, detail }) => ({ name: file, code: fileCode, detail })) },
  );
}
