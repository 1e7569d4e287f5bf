import { MosaicError } from '../../common/errors/mosaic-error';

export enum PreprocessPoolErrorCode {
  /** Every worker is busy and the queue is at its bound: 503 with Retry-After. */
  Busy = 'PREPROCESSING_BUSY',
  /** The worker preparing this request stopped (crashed or ran out of memory); it is restarted. */
  WorkerFailed = 'PREPROCESSING_WORKER_FAILED',
  /** The pool was shut down while the request waited: 503. */
  Closed = 'PREPROCESSING_CLOSED',
}

export class PreprocessPoolError extends MosaicError<PreprocessPoolErrorCode> {}

/** Seconds a client should wait before asking again when the preprocessing queue is full. */
export const PREPROCESS_RETRY_AFTER_SECONDS = 1;
