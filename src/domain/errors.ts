import type { Lock } from './deployment.js';

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

/**
 * An environment is locked. The message is plain text for the log and the ledger; `lock` lets a
 * view say who locked it and since when (a Slack date, in each reader's time zone).
 */
export class LockedError extends CapstanError {
  constructor(
    readonly lock: Lock,
    /** What was refused: locking it (again), or a change to it. */
    readonly refused: 'lock' | 'change',
    message: string,
  ) {
    super('locked', message);
  }
}

export function isLockedError(e: unknown): e is LockedError {
  return e instanceof LockedError;
}

export function isCapstanError(e: unknown): e is CapstanError {
  return e instanceof CapstanError;
}
