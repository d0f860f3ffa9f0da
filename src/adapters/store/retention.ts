/**
 * How long the ledger keeps what it needs only for a while: once-only claims of Slack posts and the
 * ids of SNS messages already handled. SNS retries and SQS redelivery end within 14 days (SQS's
 * longest retention), and a rollout is followed for hours, not weeks; 30 days leaves room for both.
 */
export const SHORT_LIVED_RETENTION_MS = 30 * 24 * 3600_000;

/** The DynamoDB attribute that Time to Live reads (epoch seconds), on the items that expire. */
export const TTL_ATTRIBUTE = 'ttl';

/** When an item written at `at` (epoch ms) may go, in epoch seconds as DynamoDB's TTL wants it. */
export const expiresAfter = (at: number): number => Math.floor((at + SHORT_LIVED_RETENTION_MS) / 1000);
