import type { CodeDeploy, DeploymentGroup } from '../../ports/codedeploy.js';
import type { Running } from '../codedeploy-shared/read.js';
import { revisionOf, serverVersion } from './bundle.js';
import { type ServerEnvironment, requireServerGroup } from './check.js';

/** The group and what it runs: the version its target revision's key names. */
export async function readRunning(
  cd: CodeDeploy,
  env: ServerEnvironment,
): Promise<{ readonly group: DeploymentGroup; readonly running: Running }> {
  const group = await requireServerGroup(cd, env.target);
  const rev = group.targetRevision;
  return {
    group,
    running: { version: serverVersion(env.target.revision, rev), revision: revisionOf(rev) },
  };
}
