/** Exit codes of the CLI contract (ARCHITECTURE.md §CLI): 0 success, 1 failure, 2 usage error. */
export enum ExitCode {
  Success = 0,
  Failure = 1,
  Usage = 2,
}

/** A failure the CLI reports as one line on stderr and a non-zero exit code, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.Failure,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Writes a JSON result to stdout: the only thing a command prints there. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Progress and logs go to stderr so stdout stays machine-readable. */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}
