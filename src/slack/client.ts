import { WebClient } from '@slack/web-api';
import type { Logger } from '../lib/logger.js';
import { toBoltLogger } from './boltLogger.js';

/**
 * The Web API client Capstan posts through, built before anything that posts (the chat adapter,
 * the notifiers, the use cases), so the Bolt app that listens can be built last, whole. It is made
 * as Bolt makes its own: the bot token, the API URL, Capstan's logger.
 */
export function createSlackClient(o: {
  readonly botToken: string;
  readonly apiUrl?: string | undefined;
  readonly logger: Logger;
}): WebClient {
  return new WebClient(o.botToken, {
    logger: toBoltLogger(o.logger),
    ...(o.apiUrl ? { slackApiUrl: o.apiUrl } : {}),
  });
}
