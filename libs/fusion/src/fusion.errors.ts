/** Why an explanation or an evaluation could not be produced. */
export enum FusionErrorCode {
  /** The cohort directory or one of its files cannot be read. */
  CohortUnreadable = 'FUSION_COHORT_UNREADABLE',
  /** The cohort's labels do not match the model's. */
  LabelMismatch = 'FUSION_LABEL_MISMATCH',
  /** Attention or geometry does not fit the model contract. */
  InvalidAttention = 'FUSION_INVALID_ATTENTION',
  /** A metric got inputs it cannot be computed from (length mismatch, non-finite scores). */
  InvalidMetricInput = 'FUSION_INVALID_METRIC_INPUT',
  /** The model folder could not be updated with the evaluation. */
  ModelFolderUpdate = 'FUSION_MODEL_FOLDER_UPDATE',
}

export class FusionError extends Error {
  constructor(
    readonly code: FusionErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'FusionError';
  }
}
