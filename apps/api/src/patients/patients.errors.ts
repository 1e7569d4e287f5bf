import { MosaicError } from '../common/errors/mosaic-error';

export enum PatientErrorCode {
  NotFound = 'PATIENT_NOT_FOUND',
  /** An identifier (system, value) already names another patient, or the same one with other demographics. */
  IdentifierConflict = 'PATIENT_IDENTIFIER_CONFLICT',
}

export class PatientError extends MosaicError<PatientErrorCode> {}

export function patientNotFound(id: string): PatientError {
  return new PatientError(PatientErrorCode.NotFound, `no patient has id ${id}`);
}
