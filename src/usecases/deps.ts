import type { Catalog } from '../domain/catalog.js';
import type { Deployment } from '../domain/deployment.js';
import type { Logger } from '../lib/logger.js';
import type { Directory } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { AwsIdentity } from '../ports/identity.js';
import type { DeployNotifier } from '../ports/notifier.js';
import type { Store } from '../ports/store.js';
import type { Alarms } from '../ports/alarms.js';
import type { TargetRegistry } from '../targets/strategy.js';

/** What the deployment flows (request, decide, execute, rollback, proceed, resume) share. */
export interface DeployDeps {
  readonly store: Store;
  readonly targets: TargetRegistry;
  readonly directory: Directory;
  readonly notifier: DeployNotifier;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Hands a started rollout to the poll loop (of the replica that owns it). */
  readonly follow: (d: Deployment) => void;
  /** Makes this replica the owner of a deployment it just recorded; false when another replica is. */
  readonly own: (d: Deployment) => Promise<boolean>;
  /** Work that goes on after the Slack request was answered; kept so shutdown can wait for it. */
  readonly background: (work: Promise<unknown>) => void;
  /** Who is behind each AWS call (an environment's roleArn, assumed for that person). */
  readonly identity?: AwsIdentity | undefined;
  /** The environments, for the promotion gate to find a source's `verify` configuration. */
  readonly catalog?: Catalog | undefined;
  /** Told what the promotion gate did (the /metrics counter). */
  readonly onPromotionGate?:
    ((result: 'passed' | 'not_verified' | 'soaking' | 'rolled_back' | 'overridden') => void) | undefined;
  /** CloudWatch, for the alarms checked before a deploy to an environment that verifies. */
  readonly alarms?: Alarms | undefined;
}
