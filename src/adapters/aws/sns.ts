import { ConfirmSubscriptionCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Subscriptions } from '../../ports/pipelines.js';
import { perRegion } from './clients.js';
import { call } from './errors.js';

export function regionOfArn(arn: string): string {
  return arn.split(':')[3] ?? '';
}

/** Confirms through the API with the token: never by fetching a URL taken from the message. */
export function createSnsAdapter(
  client: (region: string) => SNSClient = perRegion(
    (region, credentials) => new SNSClient({ region, credentials }),
  ),
): Subscriptions {
  return {
    async confirm(topicArn, token) {
      const region = regionOfArn(topicArn);
      const out = await call(
        { action: 'sns:ConfirmSubscription', resource: `SNS topic ${topicArn}`, region },
        () =>
          client(region).send(
            new ConfirmSubscriptionCommand({
              TopicArn: topicArn,
              Token: token,
              AuthenticateOnUnsubscribe: 'true',
            }),
          ),
      );
      return out.SubscriptionArn;
    },
  };
}
