import { isCapstanError } from '../../domain/errors.js';
import { errorReported } from '../../domain/reported.js';
import { errorMessage } from '../../lib/errors.js';
import { type ErrorSaid, errorSaid } from '../../domain/facts/codedeploy.js';

/**
 * An error caught on the way, as a fact to carry inside another: its own fact when a CodeDeploy
 * fact may carry it, else its text.
 */
export function errorOf(e: unknown): ErrorSaid {
  const r = errorReported(e);
  if (typeof r === 'string') return { kind: 'codedeploy.error', message: r };
  const own = errorSaid.safeParse(r);
  if (own.success) return own.data;
  // Another area's refusal: what caused it (its own fact when it has one), else its kind; never a log line.
  const cause = isCapstanError(e) ? e.cause : undefined;
  if (isCapstanError(cause)) return errorOf(cause);
  return { kind: 'codedeploy.error', message: cause instanceof Error ? errorMessage(cause) : r.kind };
}
