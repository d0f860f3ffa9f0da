import { isCapstanError, isLockedError } from '../domain/errors.js';
import { isFrozenError } from '../domain/freeze.js';
import type { Logger } from '../lib/logger.js';
import { errorMessage } from '../lib/errors.js';
import type { SlackMessage } from '../views/message.js';
import { frozenRefusedMessage, notice } from '../views/help.js';
import { sayError } from '../views/facts/index.js';
import { lockRefusedMessage } from '../views/lock.js';
import { bugText, warningText } from '../views/replies.js';

/**
 * The one place a failed request turns into words: a CapstanError is the user's to act on and
 * is shown as is; anything else is a bug, logged in full and shown with a reference only.
 */
export function failureMessage(e: unknown, logger: Logger, ref: string): SlackMessage {
  if (isCapstanError(e)) {
    logger.info('request refused', { code: e.code, reason: e.message });
    if (isLockedError(e)) return lockRefusedMessage(e.lock, e.refused);
    if (isFrozenError(e)) return frozenRefusedMessage(sayError(e), e.freeze.endsAt);
    return notice(warningText(sayError(e)));
  }
  logger.error('request failed', { error: errorMessage(e), stack: e instanceof Error ? e.stack : undefined });
  return notice(bugText(ref));
}
