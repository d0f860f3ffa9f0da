/**
 * A failure the user can act on. `message` is what Slack shows (one line, says what to do);
 * `code` is stable for tests and logs; `cause` keeps the underlying error for the log only.
 */
export class CapstanError extends Error {
  override readonly name = 'CapstanError';
  constructor(
    readonly code: CapstanErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type CapstanErrorCode =
  | 'access_denied'
  | 'not_found'
  | 'throttled'
  | 'no_credentials'
  | 'invalid_state'
  | 'conflict'
  | 'forbidden'
  | 'locked'
  | 'image_not_found'
  | 'expired'
  | 'upstream';

export function isCapstanError(e: unknown): e is CapstanError {
  return e instanceof CapstanError;
}
