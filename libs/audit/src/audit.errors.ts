export enum AuditErrorCode {
  /** MOSAIC_AUDIT_KEY is too short, or absent where it must not be generated (verification). */
  KeyUnavailable = 'AUDIT_KEY_UNAVAILABLE',
  /** A value that RFC 8785 cannot canonicalise (NaN, Infinity, a lone surrogate, undefined). */
  NotCanonicalisable = 'AUDIT_NOT_CANONICALISABLE',
}

export class AuditError extends Error {
  constructor(
    readonly code: AuditErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuditError';
  }
}
