/**
 * A request the caller can fix: an unknown or unavailable backend, a bad pool size. Its name is
 * 'UsageError' because programs that use the engine (usibench's CLI) tell the errors they print as
 * one line from bugs by name, which also survives the structured clone out of a worker thread.
 */
export class EngineUsageError extends Error {
  override readonly name = 'UsageError';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
