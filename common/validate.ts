/**
 * Validation by zod, reported the usibench way: one line, each problem led by the path of the
 * field it is about (`train.epochs: …`, `--batch-size: …`), so a user can find it.
 */
import { z } from 'zod';
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

/** The CLI flag a schema key names: `batchSize` → `--batch-size`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * Parses command-line flags (strings, as commander hands them over) by a schema whose keys are
 * the flags' camelCase names; a bad value reads `--batch-size must be a whole number ≥ 2, got '1'`.
 */
export function parseFlags<S extends z.ZodType>(schema: S, flags: unknown): z.infer<S> {
  const parsed = schema.safeParse(flags);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => (issue.path.length ? `${flagName(String(issue.path[0]))} ${issue.message}` : issue.message));
  throw new UsageError(lines.join('; '));
}

/** A flag holding a whole number ≥ min (a bare integer: no '2.5', no '1e3'). */
export function wholeNumberFlag(min: number, what = `a whole number ≥ ${min}`) {
  return z.string().transform((value, ctx) => {
    const n = Number(value);
    if (/^\d+$/.test(value.trim()) && Number.isSafeInteger(n) && n >= min) return n;
    ctx.addIssue({ code: 'custom', message: `must be ${what}, got '${value}'` });
    return z.NEVER;
  });
}

/** A flag holding a finite number, at least `min` when given. */
export function numberFlag(what = 'a number', min = Number.NEGATIVE_INFINITY) {
  return z.string().transform((value, ctx) => {
    const n = Number(value);
    if (value.trim() !== '' && Number.isFinite(n) && n >= min) return n;
    ctx.addIssue({ code: 'custom', message: `must be ${what}, got '${value}'` });
    return z.NEVER;
  });
}

/** A flag holding one of `values`. */
export function choiceFlag<const T extends readonly [string, ...string[]]>(values: T) {
  return z.string().refine((v): v is T[number] => (values as readonly string[]).includes(v), { error: (issue) => `must be ${values.slice(0, -1).join(', ')}${values.length > 1 ? ' or ' : ''}${values[values.length - 1]}, got '${String(issue.input)}'` }) as unknown as z.ZodType<T[number], string>;
}

/** A whole number ≥ min, for options given as numbers (API callers, config files). */
export function wholeNumber(min: number, what = `a whole number ≥ ${min}`) {
  const error = (issue: { input?: unknown }) => `must be ${what}, got ${String(issue.input)}`;
  return z.number({ error }).int({ error }).min(min, { error });
}
