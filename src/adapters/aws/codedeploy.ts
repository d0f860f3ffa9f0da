import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { CodeDeploy } from '../../ports/codedeploy.js';
import { perRegion } from './clients.js';
import { codeDeployChanges } from './codedeploy/changes.js';
import { codeDeployReads } from './codedeploy/reads.js';

/** CodeDeploy through its SDK client: reads in codedeploy/reads.ts, changes in codedeploy/changes.ts. */
export function createCodeDeployAdapter(
  client: (region: string) => CodeDeployClient = perRegion(
    (region, credentials) => new CodeDeployClient({ region, credentials }),
  ),
  /**
   * For CreateDeployment, which takes no idempotency token: the SDK's own retry of a request whose
   * answer was lost could start a second deployment, so it tries once and Capstan reads CodeDeploy
   * for its deployment before it asks again (targets/codedeploy-shared/create.ts).
   */
  once: (region: string) => CodeDeployClient = perRegion(
    (region, credentials) => new CodeDeployClient({ region, credentials, maxAttempts: 1 }),
  ),
): CodeDeploy {
  return { ...codeDeployReads(client), ...codeDeployChanges(client, once) };
}
