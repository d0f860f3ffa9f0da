import { errorNested } from '../../domain/reported.js';
import { type ErrorSaid, errorSaid } from '../../domain/facts/codedeploy.js';

/**
 * An error caught on the way, as a fact to carry inside another: its own fact (or its cause's) when
 * a CodeDeploy fact may carry it, else its text.
 */
export function errorOf(e: unknown): ErrorSaid {
  const nested = errorNested(e, errorSaid);
  return typeof nested === 'string' ? { kind: 'codedeploy.error', message: nested } : nested;
}
