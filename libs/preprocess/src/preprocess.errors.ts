/** Why model-input preparation refused its input. */
export enum PreprocessErrorCode {
  /** The vocabulary file is empty, lacks the special tokens at ids 0–3, or repeats a token. */
  InvalidVocabulary = 'PREPROCESS_INVALID_VOCABULARY',
  /** Vitals normalisation statistics are missing a channel or have a non-positive spread. */
  InvalidVitalsStats = 'PREPROCESS_INVALID_VITALS_STATS',
  /** An observation has an unknown LOINC code, an unparseable time or a non-finite value. */
  InvalidObservation = 'PREPROCESS_INVALID_OBSERVATION',
  /** The grid options are inconsistent (non-positive hours, invalid end instant). */
  InvalidGrid = 'PREPROCESS_INVALID_GRID',
  /** The image could not be turned into a model tensor. */
  ImageUnavailable = 'PREPROCESS_IMAGE_UNAVAILABLE',
}

export class PreprocessError extends Error {
  constructor(
    readonly code: PreprocessErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PreprocessError';
  }
}
