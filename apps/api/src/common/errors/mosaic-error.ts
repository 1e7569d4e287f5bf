/**
 * Base of every module's error class. Each module declares an enum of codes; the one
 * ProblemDetailsFilter maps each code to an HTTP status with an exhaustive switch.
 */
export abstract class MosaicError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    /** Field- or item-level problems, e.g. one entry per rejected file or observation. */
    readonly errors: ProblemItem[] = [],
    /** Extra members of the problem document (RFC 9457 §3.2), e.g. the existing record's id. */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export interface ProblemItem {
  /** JSON pointer or field path (e.g. `/observations/12/value`) or a file name. */
  pointer: string;
  detail: string;
}

export function assertUnreachable(value: never): never {
  throw new Error(`unhandled case: ${String(value)}`);
}
