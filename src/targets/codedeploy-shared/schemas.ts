import { z } from 'zod';
import { CodeDeployFailure } from '../../domain/facts/codedeploy.js';

/** What Capstan keeps in the ledger about a CodeDeploy deployment it follows (either kind of group). */
export const trackSchema = z.object({
  deploymentId: z.string(),
  version: z.string().optional(),
  taskDefinitionArn: z.string().optional(),
  /** Set while following CodeDeploy's own rollback: the deployment it rolls back. */
  rollbackOf: z.string().optional(),
  /** What the last look saw (status and counts), to tell whether anything moved. */
  seen: z.string().optional(),
  /** How far forward the deployment got (see forward()): only a new high is progress. */
  best: z.number().optional(),
  /**
   * Capstan stopped the deployment with CodeDeploy's automatic rollback (an alarm in a bake during
   * the termination wait): the rollback look follows CodeDeploy's rollback deployment once it exists.
   */
  stoppedToRollBack: z.boolean().optional(),
  /** When a look first saw the deployment Ready (it became Ready then or before). */
  readySeenAt: z.number().optional(),
  /** First look at a failure whose automatic rollback CodeDeploy had not started yet. */
  failedAt: z.number().optional(),
  /**
   * The failure, already posted while waiting for that rollback. One recorded as text by an older
   * Capstan is dropped: the failure is then read from CodeDeploy again (and posted once more).
   */
  reason: CodeDeployFailure.optional().catch(undefined),
});
export type Track = z.infer<typeof trackSchema>;
