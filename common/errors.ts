/**
 * An error caused by the user's input (a bad flag, a missing file, a corrupt dataset).
 * The CLI prints its message as one line and exits non-zero, without a stack trace:
 * the message must say what is wrong and what to do.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export function isUsageError(err: unknown): err is UsageError {
  return err instanceof Error && err.name === 'UsageError';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
