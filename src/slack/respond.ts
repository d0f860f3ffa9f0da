import { isCapstanError } from '../domain/errors.js';
import type { Logger } from '../lib/logger.js';
import { errorMessage } from '../lib/errors.js';
import type { SlackMessage } from '../views/message.js';
import { notice } from '../views/help.js';

/**
 * The one place a failed request turns into words: a CapstanError is the user's to act on and
 * is shown as is; anything else is a bug, logged in full and shown with a reference only.
 */
export function failureMessage(e: unknown, logger: Logger, ref: string): SlackMessage {
  if (isCapstanError(e)) {
    logger.info('request refused', { code: e.code, reason: e.message });
    return notice(`:warning: ${e.message}`);
  }
  logger.error('request failed', { error: errorMessage(e), stack: e instanceof Error ? e.stack : undefined });
  return notice(`:x: Something went wrong on Capstan's side (ref \`${ref}\`). The details are in its log.`);
}
