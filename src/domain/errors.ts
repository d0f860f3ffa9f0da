import type { Lock } from './deployment.js';
import { type Fact, factForLog } from './facts/index.js';

/**
 * A failure the user can act on. `code` is stable for tests and logs; `fact` says what happened, as
 * data (src/views words it); `cause` keeps the underlying error for the log only.
 * The message is the fact's log line: people read the fact worded by the views (`sayError`).
 */
export class CapstanError extends Error {
  override readonly name = 'CapstanError';
  constructor(
    readonly code: CapstanErrorCode,
    readonly fact: Fact,
    options?: { cause?: unknown },
  ) {
    super(factForLog(fact), options);
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
 * An environment is locked: its fact says who locked it, since when and why, so a view words it with
 * the time as a Slack date (in each reader's time zone).
 */
export class LockedError extends CapstanError {
  constructor(
    readonly lock: Lock,
    /** What was refused: locking it (again), or a change to it. */
    readonly refused: 'lock' | 'change',
  ) {
    super('locked', {
      kind: 'lock.locked',
      app: lock.app,
      env: lock.env,
      owner: lock.owner,
      reason: lock.reason,
      at: lock.at,
      refused,
    });
  }
}

export function isLockedError(e: unknown): e is LockedError {
  return e instanceof LockedError;
}

export function isCapstanError(e: unknown): e is CapstanError {
  return e instanceof CapstanError;
}
