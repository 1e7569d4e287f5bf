/** Why a cohort could not be generated or exported. */
export enum CohortErrorCode {
  InvalidOptions = 'COHORT_INVALID_OPTIONS',
  /** The directory does not hold a cohort written by this generator (no or unreadable cohort.json). */
  NotACohort = 'COHORT_NOT_A_COHORT',
  /** The output directory exists and is not empty. */
  OutputNotEmpty = 'COHORT_OUTPUT_NOT_EMPTY',
  /** A ground-truth record points at a file that is missing or unreadable. */
  MissingFile = 'COHORT_MISSING_FILE',
  /** The export needs a vocabulary and vitals statistics, or a train split to build them from. */
  NoTrainingRows = 'COHORT_NO_TRAINING_ROWS',
}

export class CohortError extends Error {
  constructor(
    readonly code: CohortErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CohortError';
  }
}
