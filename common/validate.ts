/**
 * Validation by zod, reported the usibench way: one line, each problem led by the path of the
 * field it is about (`train.epochs: …`, `--batch-size: …`), so a user can find it.
 */
import type { z } from 'zod';
import { UsageError } from './errors.js';

/** The issues of a failed parse as one line: `path: message; path: message`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : '(top level)';
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * Parses `value`, or throws a UsageError: `${what}: <issues>` followed by `hint` when given. For
 * options whose schema names its own fields, `what` may be empty.
 */
export function parseOrUsage<S extends z.ZodType>(schema: S, value: unknown, what: string, hint?: string): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error);
  throw new UsageError(`${what ? `${what}: ` : ''}${issues}${hint ? `; ${hint}` : ''}`);
}
