import { MosaicError } from '../common/errors/mosaic-error';

export enum ModelErrorCode {
  /** No model version is loaded and warm yet (or none could be loaded): 503 with Retry-After. */
  NotReady = 'MODEL_NOT_READY',
  /** The models directory has no such model or version. */
  NotFound = 'MODEL_NOT_FOUND',
  /** The version exists but its folder fails validation (schema, sha256) or cannot be loaded. */
  Invalid = 'MODEL_INVALID',
}

export class ModelError extends MosaicError<ModelErrorCode> {}

/** Seconds a client should wait before asking again while a model loads. */
export const MODEL_RETRY_AFTER_SECONDS = 5;

export function modelNotReady(detail: string): ModelError {
  return new ModelError(ModelErrorCode.NotReady, detail, [], { retryAfter: MODEL_RETRY_AFTER_SECONDS });
}
