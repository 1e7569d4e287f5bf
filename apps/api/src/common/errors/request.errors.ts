import { MosaicError } from './mosaic-error';

export enum RequestErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  NotFound = 'NOT_FOUND',
}

/** Problems with the shape of a request, before any module looks at it. */
export class RequestError extends MosaicError<RequestErrorCode> {}
