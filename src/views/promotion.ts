import type { Environment } from '../domain/catalog.js';
import { shortDigest } from '../domain/version.js';
import type { DeployResult } from '../usecases/deploy.js';
import { escape } from './message.js';
import { startedText } from './replies.js';

/** The reply to `/deploy promote`: which image, from where, and the deploy it started. */
export function promotionStartedText(
  r: Extract<DeployResult, { kind: 'started' }>,
  e: Environment,
  typedIn?: string,
): string {
  const d = r.deployment;
  const image = d.imageDigest ? ` (image ${escape(shortDigest(d.imageDigest))})` : '';
  return `:arrow_right: Promoting what *${escape(d.promotedFrom ?? '?')}* runs verified${image}. ${startedText(r, e, 'typed', typedIn)}`;
}
