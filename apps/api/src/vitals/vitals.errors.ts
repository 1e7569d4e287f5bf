import { MosaicError } from '../common/errors/mosaic-error';

export enum VitalErrorCode {
  /** More observations in one request than MAX_VITALS_BATCH. */
  BatchTooLarge = 'VITALS_BATCH_TOO_LARGE',
  /** Well-formed observations that cannot be accepted: unknown code, unit not accepted, out of range. */
  ObservationsRejected = 'VITALS_REJECTED',
}

export class VitalError extends MosaicError<VitalErrorCode> {}
