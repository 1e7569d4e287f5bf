import { DicomError } from '@mosaic/dicom';
import { PreprocessError } from '@mosaic/preprocess';
import { MosaicError } from '../common/errors/mosaic-error';

export enum AssessmentErrorCode {
  NotFound = 'ASSESSMENT_NOT_FOUND',
  /** An input named in the request (noteId, imageId) is not the patient's. */
  InputNotFound = 'ASSESSMENT_INPUT_NOT_FOUND',
  /** An input named in the request breaks the time contract or does not fit the model. */
  InputNotUsable = 'ASSESSMENT_INPUT_NOT_USABLE',
  /** Nothing usable remains: the problem names what is missing for each modality. */
  NoUsableData = 'ASSESSMENT_NO_USABLE_DATA',
  /** asOf or the vitals window cannot be honoured (future asOf, window longer than the grid). */
  InvalidTimeWindow = 'ASSESSMENT_INVALID_TIME_WINDOW',
  /** The assessment has no such label, or the label has no image evidence to render. */
  ExplanationNotFound = 'ASSESSMENT_EXPLANATION_NOT_FOUND',
  /** The model version an assessment recorded is no longer in the models directory. */
  ReplayModelUnavailable = 'ASSESSMENT_REPLAY_MODEL_UNAVAILABLE',
}

export class AssessmentError extends MosaicError<AssessmentErrorCode> {}

/**
 * A preprocessing failure as the client sees it: a stored input that cannot be prepared (bad
 * vitals, or an image whose pixel data does not decode) is a 422 naming the cause; anything else
 * is passed on unchanged.
 */
export function asInputNotUsable(error: unknown): unknown {
  if (error instanceof PreprocessError || error instanceof DicomError) {
    return new AssessmentError(
      AssessmentErrorCode.InputNotUsable,
      `an input cannot be prepared: ${error.message}`,
    );
  }
  return error;
}
