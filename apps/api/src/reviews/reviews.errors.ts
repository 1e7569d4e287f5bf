import { MosaicError } from '../common/errors/mosaic-error';

export enum ReviewErrorCode {
  /** The assessment to review (or whose reviews are listed) does not exist. */
  AssessmentNotFound = 'REVIEW_ASSESSMENT_NOT_FOUND',
  /** A disagreement names evidence that the stored explanation does not hold. */
  EvidenceNotFound = 'REVIEW_EVIDENCE_NOT_FOUND',
}

export class ReviewError extends MosaicError<ReviewErrorCode> {}
