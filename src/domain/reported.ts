import type { z } from 'zod';
import { isCapstanError } from './errors.js';
import { AwsRefusal } from './facts/common.js';
import type { Fact } from './facts/index.js';
import { Reported } from './facts/rollout.js';

/**
 * What a target said, as a fact can nest it. A fact that cannot be nested (a rollout's ending) is
 * kept for the log only. (`Reported` still reads text: ledger rows written before targets said facts.)
 */
export function reported(s: Fact): Reported {
  const r = Reported.safeParse(s);
  if (r.success) return r.data;
  // An ending (a cause kept from before) nests what it ended on: keep that, never a log line.
  const inner = 'cause' in s ? Reported.safeParse(s.cause) : undefined;
  return inner?.success ? inner.data : s.kind;
}

/**
 * What an error says, as a fact can nest it: a refusal's fact, or the error's text, plain. Use this, not
 * `e.message`, wherever an error is told to people: a refusal's message is its fact for the log.
 */
export function errorReported(e: unknown): Reported {
  if (isCapstanError(e)) return reported(e.fact);
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : JSON.stringify(e);
}

/**
 * An error as a fact of `schema` can nest it: its own fact when the schema takes it; else what
 * caused it, the same way; else its kind. Never its log line.
 */
export function errorNested<T>(e: unknown, schema: z.ZodType<T>): T | string {
  const r = errorReported(e);
  if (typeof r === 'string') return r;
  const own = schema.safeParse(r);
  if (own.success) return own.data;
  const cause = isCapstanError(e) ? e.cause : undefined;
  return cause instanceof Error ? errorNested(cause, schema) : r.kind;
}

/**
 * What an error from a call to AWS says, as `aws.callFailed` nests it: AWS's refusal (adapters/aws
 * make them), or the error's plain text.
 */
export function awsErrorReported(e: unknown): string | AwsRefusal {
  return errorNested(e, AwsRefusal);
}
