import { type CertFetcher, createSnsVerifier, httpsCertFetcher } from '../adapters/sns/verify.js';
import type { Config } from '../config/readConfig.js';
import type { Logger } from '../lib/logger.js';
import type { Clock } from '../ports/clock.js';
import type { Store } from '../ports/store.js';
import type { InboundDeps } from '../sns/receive.js';
import type { RelayDeps } from '../usecases/relay.js';
import type { AwsPorts } from './aws.js';

export interface SnsInboundParts {
  readonly config: Config;
  readonly store: Store;
  readonly aws: AwsPorts;
  readonly relay: RelayDeps;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How SNS signing certificates are fetched: over HTTPS, from SNS hosts only, by default. */
  readonly fetchCert?: CertFetcher | undefined;
  readonly trustCertUrl?: ((url: string) => boolean) | undefined;
}

/** What SNS messages reach (over HTTP at /sns, or from the SQS queue): verified, then relayed. */
export function createSnsInbound(p: SnsInboundParts): InboundDeps {
  return {
    verify: createSnsVerifier({ fetchCert: p.fetchCert ?? httpsCertFetcher(), trustCertUrl: p.trustCertUrl }),
    topics: p.config.sns.topics,
    maxMessageAgeMs: p.config.sns.maxMessageAge,
    store: p.store,
    subscriptions: p.aws.subscriptions,
    relay: p.relay,
    clock: p.clock,
    logger: p.logger,
  };
}
