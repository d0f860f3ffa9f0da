import { ACTIVE_STATUSES, type CodeDeploy } from '../../ports/codedeploy.js';
import type { InPlaceRollback } from '../strategy.js';
import type { CodeDeployEnvironment } from './group.js';
import type { Track } from './schemas.js';

/**
 * CodeDeploy's own rollback of a deployment Capstan reported done, for a bake whose alarm (or a
 * person) asks to roll back: a blue/green deployment in its termination wait still has the original
 * running, so StopDeployment with autoRollbackEnabled sends traffic back to it, and the rollback
 * look follows the rollback deployment CodeDeploy starts. A deployment that has ended (Succeeded:
 * the original is gone) has no rollback of CodeDeploy's own: undefined, and Capstan redeploys the
 * last verified version (the common case).
 */
export async function rollBackAtCodeDeploy(
  cd: CodeDeploy,
  env: CodeDeployEnvironment,
  track: Track,
): Promise<InPlaceRollback<Track> | undefined> {
  if (track.rollbackOf !== undefined) return undefined;
  const region = env.target.region;
  const d = await cd.getDeployment(region, track.deploymentId);
  if (!d || !ACTIVE_STATUSES.includes(d.status) || !d.terminationWaitStarted) return undefined;
  await cd.stopDeployment(region, d.id, true);
  return { lines: [], data: { ...track, stoppedToRollBack: true } };
}
