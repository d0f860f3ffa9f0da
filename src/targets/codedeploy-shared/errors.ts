import { isCapstanError } from '../../domain/errors.js';
import { type ErrorSaid, errorSaid } from '../../domain/facts/codedeploy.js';
import { errorMessage } from '../../lib/errors.js';
import { unescapeMrkdwn } from '../../lib/mrkdwn.js';

/** An error caught on the way, as a fact to carry inside another: its own fact when it has one. */
export function errorOf(e: unknown): ErrorSaid {
  if (isCapstanError(e)) {
    const own = errorSaid.safeParse(e.fact);
    if (own.success) return own.data;
    // Transitional: an error made with text carries mrkdwn, escaped where it was made.
    if (!e.fact) return { kind: 'codedeploy.error', message: unescapeMrkdwn(e.message) };
    return { kind: 'codedeploy.error', message: errorMessage(e.cause ?? e) };
  }
  return { kind: 'codedeploy.error', message: errorMessage(e) };
}
