import type { Deployment } from '../domain/deployment.js';

/**
 * Where people follow a deployment: one parent message kept up to date, details in its thread.
 * Implementations pace their calls to stay inside Slack's rate limits.
 */
export interface DeployNotifier {
  /** Shows the deployment's current state; posts the parent message first when it has none. */
  show(
    d: Deployment,
  ): Promise<{ readonly messageTs: string; readonly permalink?: string | undefined } | undefined>;
  /** Adds lines to the thread; lines given close together are sent as one message. */
  detail(d: Deployment, lines: readonly string[]): void;
  /** Sends everything still queued. */
  flush(): Promise<void>;
}
